package io.pontoon.transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Immutable, validated settings of a {@link NettyTransport}. Build with {@link #builder()}; every
 * setter checks its range and {@link Builder#build()} checks cross-field rules, failing with an
 * {@link IllegalArgumentException} naming the field and the allowed range.
 */
public final class NettyTransportConfig {
    /** This node's id (>= 1). Required. */
    public final int nodeId;
    /** Address to listen on for peers and clients; port 0 picks a free port. Required. */
    public final InetSocketAddress listenAddress;
    /** Every cluster member by node id (may include this node; its entry is then its advertised address). */
    public final Map<Integer, InetSocketAddress> peers;
    /** Cluster id carried by every frame; connections from another cluster are refused. Default 1. */
    public final int clusterId;
    /**
     * Peer credential: the secret peers prove in the handshake HMAC (and this node proves when it dials one), or
     * null for unauthenticated peers. Default none.
     */
    private final byte[] secret;
    /**
     * Client credentials: a client must prove one of these; none configured = clients are not authenticated.
     * A client credential never opens a peer link (peers are checked against {@link #secret()} only).
     */
    private final List<byte[]> clientSecrets;
    /**
     * Admin credential: a client that proves it may also use the admin ops (FAULT), and every client op. Never opens a
     * peer link; differs from the peer and client secrets. Null for none. Default none.
     */
    private final byte[] adminSecret;
    /**
     * Clients holding the {@link #adminSecret()} may set this node's fault rules at run time (FAULT): the peer
     * connections get a {@link io.pontoon.transport.fault.FaultInjectionHandler} as with {@link #faultInjection}.
     * Needs an admin secret. Default false: FAULT is refused, naming why.
     */
    public final boolean faultControl;
    /** Mutual TLS, or null for plain TCP. Default none. */
    public final TlsConfig tls;
    /** Netty I/O threads shared by all connections. Default 1; allowed 1 .. 64. */
    public final int ioThreads;
    /** Largest frame accepted or sent, length prefix included. Default 8 MiB; allowed 1 KiB .. 1 GiB. */
    public final int maxFrameBytes;
    /** First reconnect delay; doubles per failed attempt. Default 20 ms; allowed 1 ms .. 60 s. */
    public final long reconnectBackoffMinNs;
    /** Cap of the reconnect delay. Default 1 s; allowed reconnectBackoffMinNs .. 10 min. */
    public final long reconnectBackoffMaxNs;
    /** Connect plus handshake must finish within this. Default 5 s; allowed 1 ms .. 5 min. */
    public final long handshakeTimeoutNs;
    /**
     * Per-peer limit of bytes queued and not yet written to the socket; {@code send} returns false
     * above it. Default 64 MiB; allowed maxFrameBytes .. 2 GiB - 1.
     */
    public final int maxPendingBytesPerPeer;
    /** Use epoll when available (else NIO). Default true. */
    public final boolean preferEpoll;
    /** Install a {@link io.pontoon.transport.fault.FaultInjectionHandler} on every peer connection. Default false. */
    public final boolean faultInjection;
    /** Seed of the fault injection randomness. Default 0. */
    public final long faultSeed;
    /**
     * Most client connections served at once; a client beyond it is refused in the handshake (TOO_MANY_CLIENTS).
     * Default 4,096; allowed 1 .. 1,000,000.
     */
    public final int maxClientConnections;
    /** A client connection that sends nothing for this long is closed (the Java client reconnects on demand). Default 10 min; 1 s .. 1 day. */
    public final long clientIdleTimeoutNs;
    /** Status requests one client connection may have unanswered; more close it. Default 16; 1 .. 4,096. */
    public final int maxStatusRequestsPerClient;

    private NettyTransportConfig(Builder b) {
        nodeId = b.nodeId;
        listenAddress = b.listenAddress;
        peers = Collections.unmodifiableMap(new TreeMap<>(b.peers));
        clusterId = b.clusterId;
        secret = b.secret == null ? null : b.secret.clone();
        final List<byte[]> clients = new ArrayList<>();
        b.clientSecrets.forEach(c -> clients.add(c.clone()));
        clientSecrets = Collections.unmodifiableList(clients);
        adminSecret = b.adminSecret == null ? null : b.adminSecret.clone();
        faultControl = b.faultControl;
        tls = b.tls;
        ioThreads = b.ioThreads;
        maxFrameBytes = b.maxFrameBytes;
        reconnectBackoffMinNs = b.reconnectBackoffMinNs;
        reconnectBackoffMaxNs = b.reconnectBackoffMaxNs;
        handshakeTimeoutNs = b.handshakeTimeoutNs;
        maxPendingBytesPerPeer = b.maxPendingBytesPerPeer;
        preferEpoll = b.preferEpoll;
        faultInjection = b.faultInjection;
        faultSeed = b.faultSeed;
        maxClientConnections = b.maxClientConnections;
        clientIdleTimeoutNs = b.clientIdleTimeoutNs;
        maxStatusRequestsPerClient = b.maxStatusRequestsPerClient;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy of the peer secret, or null. */
    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** Copies of the client secrets (empty: clients are not authenticated). */
    public List<byte[]> clientSecrets() {
        final List<byte[]> copies = new ArrayList<>();
        clientSecrets.forEach(c -> copies.add(c.clone()));
        return copies;
    }

    /** A copy of the admin secret, or null. */
    public byte[] adminSecret() {
        return adminSecret == null ? null : adminSecret.clone();
    }

    /** The address clients are redirected to for {@code nodeId}: its peers entry, else (for this node) the listen address. */
    public InetSocketAddress advertisedAddress(int id) {
        final InetSocketAddress address = peers.get(id);
        if (address == null && id == nodeId) {
            return listenAddress;
        }
        return address;
    }

    @Override
    public String toString() {
        return "NettyTransportConfig{nodeId=" + nodeId + ", listenAddress=" + listenAddress + ", peers=" + peers
            + ", clusterId=" + clusterId + ", peerSecret=" + (secret == null ? "none" : "set")
            + ", clientSecrets=" + clientSecrets.size() + ", adminSecret=" + (adminSecret == null ? "none" : "set")
            + ", faultControl=" + faultControl + ", tls=" + tls
            + ", ioThreads=" + ioThreads + ", maxFrameBytes=" + maxFrameBytes
            + ", reconnectBackoffMinNs=" + reconnectBackoffMinNs + ", reconnectBackoffMaxNs=" + reconnectBackoffMaxNs
            + ", handshakeTimeoutNs=" + handshakeTimeoutNs + ", maxPendingBytesPerPeer=" + maxPendingBytesPerPeer
            + ", preferEpoll=" + preferEpoll + ", faultInjection=" + faultInjection + ", faultSeed=" + faultSeed
            + ", maxClientConnections=" + maxClientConnections + ", clientIdleTimeoutNs=" + clientIdleTimeoutNs
            + ", maxStatusRequestsPerClient=" + maxStatusRequestsPerClient + '}';
    }

    /** Parses "host:port" (IPv6 as "[::1]:7001"). A host name is resolved here (a DNS lookup: this may block). */
    public static InetSocketAddress parseAddress(String field, String hostPort) {
        final InetSocketAddress parsed = parseUnresolvedAddress(field, hostPort);
        return new InetSocketAddress(parsed.getHostString(), parsed.getPort());
    }

    /**
     * Parses "host:port" like {@link #parseAddress} but leaves the host unresolved: no DNS lookup, so a thread that
     * must not block (the Raft thread) can call it. Netty resolves the name on each connect attempt.
     */
    public static InetSocketAddress parseUnresolvedAddress(String field, String hostPort) {
        if (hostPort == null) {
            throw new IllegalArgumentException(field + " must be host:port, got null");
        }
        final int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException(field + " must be host:port, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " has a non-numeric port in '" + hostPort + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(field + " port must be in [0, 65535], got " + port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** "host:port" of an address, as sent to clients in redirects. */
    public static String format(InetSocketAddress address) {
        final String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Mutable builder with documented defaults. */
    public static final class Builder {
        private int nodeId;
        private InetSocketAddress listenAddress;
        private final Map<Integer, InetSocketAddress> peers = new TreeMap<>();
        private int clusterId = 1;
        private byte[] secret;
        private final List<byte[]> clientSecrets = new ArrayList<>();
        private byte[] adminSecret;
        private boolean faultControl;
        private TlsConfig tls;
        private int ioThreads = 1;
        private int maxFrameBytes = 8 * 1024 * 1024;
        private long reconnectBackoffMinNs = 20_000_000L;
        private long reconnectBackoffMaxNs = 1_000_000_000L;
        private long handshakeTimeoutNs = 5_000_000_000L;
        private int maxPendingBytesPerPeer = 64 * 1024 * 1024;
        private boolean preferEpoll = true;
        private boolean faultInjection;
        private long faultSeed;
        private int maxClientConnections = 4096;
        private long clientIdleTimeoutNs = 600_000_000_000L;
        private int maxStatusRequestsPerClient = 16;

        private Builder() {
        }

        private static long range(String field, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
            }
            return value;
        }

        /** Required; allowed 1 .. 2^31 - 1. */
        public Builder nodeId(int v) {
            nodeId = (int) range("nodeId", v, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Required; port 0 picks a free port (see {@link NettyTransport#localAddress()}). */
        public Builder listenAddress(InetSocketAddress v) {
            if (v == null) {
                throw new IllegalArgumentException("listenAddress must not be null");
            }
            listenAddress = v;
            return this;
        }

        public Builder listenAddress(String hostPort) {
            return listenAddress(parseAddress("listenAddress", hostPort));
        }

        /** Adds a member; ids allowed 1 .. 2^31 - 1, ports 1 .. 65535. */
        public Builder peer(int id, InetSocketAddress address) {
            range("peers[" + id + "] node id", id, 1, Integer.MAX_VALUE);
            if (address == null) {
                throw new IllegalArgumentException("peers[" + id + "] address must not be null");
            }
            range("peers[" + id + "] port", address.getPort(), 1, 65535);
            peers.put(id, address);
            return this;
        }

        public Builder peer(int id, String hostPort) {
            return peer(id, parseAddress("peers[" + id + "]", hostPort));
        }

        /** Adds every member of {@code members} (for example 1=127.0.0.1:7001 ...). */
        public Builder peers(Map<Integer, InetSocketAddress> members) {
            members.forEach(this::peer);
            return this;
        }

        /** Default 1; any int. */
        public Builder clusterId(int v) {
            clusterId = v;
            return this;
        }

        /**
         * One secret for peers and clients alike: {@link #peerSecret} and {@link #clientSecret} with the same
         * bytes. Simple, but whoever holds it can also act as a peer; give peers and clients different secrets
         * to keep clients out of the replication links. Null: no authentication. When set: 16 .. 1024 bytes.
         */
        public Builder secret(byte[] v) {
            peerSecret(v);
            clientSecrets.clear();
            if (v != null) {
                clientSecret(v);
            }
            return this;
        }

        /** The peer credential (see {@link NettyTransportConfig#secret()}); null for none. 16 .. 1024 bytes. */
        public Builder peerSecret(byte[] v) {
            if (v != null) {
                range("peer secret length", v.length, 16, 1024);
            }
            secret = v == null ? null : v.clone();
            return this;
        }

        /** Adds a client credential (clients may hold any one of them). 16 .. 1024 bytes. */
        public Builder clientSecret(byte[] v) {
            if (v == null) {
                throw new IllegalArgumentException("client secret must not be null");
            }
            range("client secret length", v.length, 16, 1024);
            for (byte[] existing : clientSecrets) {
                if (java.util.Arrays.equals(existing, v)) {
                    return this;
                }
            }
            clientSecrets.add(v.clone());
            return this;
        }

        /**
         * The admin credential (see {@link NettyTransportConfig#adminSecret()}); null for none. 16 .. 1024 bytes, and
         * different from the peer secret and every client secret.
         */
        public Builder adminSecret(byte[] v) {
            if (v != null) {
                range("admin secret length", v.length, 16, 1024);
            }
            adminSecret = v == null ? null : v.clone();
            return this;
        }

        /** Lets admin clients set this node's fault rules at run time; needs an {@link #adminSecret}. Default false. */
        public Builder faultControl(boolean enabled) {
            faultControl = enabled;
            return this;
        }

        /** Mutual TLS; null for plain TCP. */
        public Builder tls(TlsConfig v) {
            tls = v;
            return this;
        }

        /** Default 1; allowed 1 .. 64. */
        public Builder ioThreads(int v) {
            ioThreads = (int) range("ioThreads", v, 1, 64);
            return this;
        }

        /** Default 8 MiB; allowed 1 KiB .. 1 GiB. */
        public Builder maxFrameBytes(int v) {
            maxFrameBytes = (int) range("maxFrameBytes", v, 1024, 1024 * 1024 * 1024);
            return this;
        }

        /** Default 20 ms; allowed 1 ms .. 60 s. */
        public Builder reconnectBackoffMinNs(long v) {
            reconnectBackoffMinNs = range("reconnectBackoffMinNs", v, 1_000_000L, 60_000_000_000L);
            return this;
        }

        /** Default 1 s; allowed 1 ms .. 10 min, and at least reconnectBackoffMinNs. */
        public Builder reconnectBackoffMaxNs(long v) {
            reconnectBackoffMaxNs = range("reconnectBackoffMaxNs", v, 1_000_000L, 600_000_000_000L);
            return this;
        }

        /** Default 5 s; allowed 1 ms .. 5 min. */
        public Builder handshakeTimeoutNs(long v) {
            handshakeTimeoutNs = range("handshakeTimeoutNs", v, 1_000_000L, 300_000_000_000L);
            return this;
        }

        /** Default 64 MiB; allowed 1 KiB .. 2 GiB - 1, and at least maxFrameBytes. */
        public Builder maxPendingBytesPerPeer(int v) {
            maxPendingBytesPerPeer = (int) range("maxPendingBytesPerPeer", v, 1024, Integer.MAX_VALUE);
            return this;
        }

        /** Default true. */
        public Builder maxClientConnections(int v) {
            maxClientConnections = (int) range("maxClientConnections", v, 1, 1_000_000);
            return this;
        }

        public Builder clientIdleTimeoutNs(long v) {
            clientIdleTimeoutNs = range("clientIdleTimeoutNs", v, 1_000_000_000L, 86_400_000_000_000L);
            return this;
        }

        public Builder maxStatusRequestsPerClient(int v) {
            maxStatusRequestsPerClient = (int) range("maxStatusRequestsPerClient", v, 1, 4096);
            return this;
        }

        public Builder preferEpoll(boolean v) {
            preferEpoll = v;
            return this;
        }

        /** Default false. */
        public Builder faultInjection(boolean enabled, long seed) {
            faultInjection = enabled;
            faultSeed = seed;
            return this;
        }

        public NettyTransportConfig build() {
            if (nodeId == 0) {
                throw new IllegalArgumentException("nodeId is required (1 .. 2^31 - 1)");
            }
            if (listenAddress == null) {
                throw new IllegalArgumentException("listenAddress is required (host:port, port 0 for any)");
            }
            if (reconnectBackoffMaxNs < reconnectBackoffMinNs) {
                throw new IllegalArgumentException("reconnectBackoffMaxNs (" + reconnectBackoffMaxNs
                    + ") must be >= reconnectBackoffMinNs (" + reconnectBackoffMinNs + ")");
            }
            if (maxPendingBytesPerPeer < maxFrameBytes) {
                throw new IllegalArgumentException("maxPendingBytesPerPeer (" + maxPendingBytesPerPeer
                    + ") must be >= maxFrameBytes (" + maxFrameBytes + ")");
            }
            checkAdminSecret();
            return new NettyTransportConfig(this);
        }

        private void checkAdminSecret() {
            if (faultControl && adminSecret == null) {
                throw new IllegalArgumentException("faultControl needs an adminSecret: only clients that prove it may "
                    + "set faults");
            }
            if (adminSecret == null) {
                return;
            }
            if (secret != null && java.util.Arrays.equals(secret, adminSecret)) {
                throw new IllegalArgumentException("adminSecret must differ from the peer secret (whoever holds that "
                    + "would be an admin)");
            }
            for (byte[] client : clientSecrets) {
                if (java.util.Arrays.equals(client, adminSecret)) {
                    throw new IllegalArgumentException("adminSecret must differ from every client secret (whoever "
                        + "holds that would be an admin)");
                }
            }
        }
    }
}
