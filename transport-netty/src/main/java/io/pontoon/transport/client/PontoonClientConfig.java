package io.pontoon.transport.client;

import io.pontoon.transport.NettyTransportConfig;
import io.pontoon.transport.TlsConfig;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Immutable, validated settings of a {@link PontoonClient}; build with {@link #builder()}. Errors name
 * the field and the allowed range.
 */
public final class PontoonClientConfig {
    /** Cluster members to try, in order, until one answers (redirects then follow the leader). Required. */
    public final List<InetSocketAddress> addresses;
    /** The cluster's id. Default 1. */
    public final int clusterId;
    private final byte[] secret;
    /** Mutual TLS, or null. The client presents its certificate too. */
    public final TlsConfig tls;
    /**
     * A request without an outcome after this long fails with TIMEOUT (outcome unknown). Checked by a periodic
     * sweep, so it fails up to 1/8 of this later (at least 1 ms, at most 100 ms). If the connection it was sent
     * on delivered nothing at all in that time, the client also closes that connection and tries the next
     * address for later requests (a frozen node, or one whose socket nobody reads). Default 10 s; 1 ms .. 10 min.
     */
    public final long requestTimeoutNs;
    /** Most sends of one request (redirects, busy retries, reconnects). Default 20; 1 .. 1000. */
    public final int maxAttempts;
    /** First retry delay after REJECTED_BUSY, an unknown leader or a failed connection; doubles up to 1 s. Default 5 ms; 1 ms .. 10 s. */
    public final long retryBackoffNs;
    /** Largest frame accepted. Default 8 MiB; 1 KiB .. 1 GiB. */
    public final int maxFrameBytes;
    /** Connect plus handshake timeout. Default 5 s; 1 ms .. 5 min. */
    public final long handshakeTimeoutNs;
    /** Use epoll when available. Default true. */
    public final boolean preferEpoll;

    private PontoonClientConfig(Builder b) {
        addresses = List.copyOf(b.addresses);
        clusterId = b.clusterId;
        secret = b.secret == null ? null : b.secret.clone();
        tls = b.tls;
        requestTimeoutNs = b.requestTimeoutNs;
        maxAttempts = b.maxAttempts;
        retryBackoffNs = b.retryBackoffNs;
        maxFrameBytes = b.maxFrameBytes;
        handshakeTimeoutNs = b.handshakeTimeoutNs;
        preferEpoll = b.preferEpoll;
    }

    public static Builder builder() {
        return new Builder();
    }

    public byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** Mutable builder with documented defaults. */
    public static final class Builder {
        private final List<InetSocketAddress> addresses = new ArrayList<>();
        private int clusterId = 1;
        private byte[] secret;
        private TlsConfig tls;
        private long requestTimeoutNs = 10_000_000_000L;
        private int maxAttempts = 20;
        private long retryBackoffNs = 5_000_000L;
        private int maxFrameBytes = 8 * 1024 * 1024;
        private long handshakeTimeoutNs = 5_000_000_000L;
        private boolean preferEpoll = true;

        private Builder() {
        }

        private static long range(String field, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
            }
            return value;
        }

        public Builder address(InetSocketAddress address) {
            if (address == null) {
                throw new IllegalArgumentException("addresses must not contain null");
            }
            addresses.add(address);
            return this;
        }

        /** "host:port". */
        public Builder address(String hostPort) {
            return address(NettyTransportConfig.parseAddress("addresses[" + addresses.size() + "]", hostPort));
        }

        /** Comma-separated "host:port" list, e.g. "127.0.0.1:7001,127.0.0.1:7002". */
        public Builder addresses(String commaSeparated) {
            for (String part : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    address(part.trim());
                }
            }
            return this;
        }

        public Builder clusterId(int v) {
            clusterId = v;
            return this;
        }

        /** When set: 16 .. 1024 bytes. */
        public Builder secret(byte[] v) {
            if (v != null) {
                range("secret length", v.length, 16, 1024);
            }
            secret = v == null ? null : v.clone();
            return this;
        }

        public Builder tls(TlsConfig v) {
            tls = v;
            return this;
        }

        public Builder requestTimeoutNs(long v) {
            requestTimeoutNs = range("requestTimeoutNs", v, 1_000_000L, 600_000_000_000L);
            return this;
        }

        public Builder maxAttempts(int v) {
            maxAttempts = (int) range("maxAttempts", v, 1, 1000);
            return this;
        }

        public Builder retryBackoffNs(long v) {
            retryBackoffNs = range("retryBackoffNs", v, 1_000_000L, 10_000_000_000L);
            return this;
        }

        public Builder maxFrameBytes(int v) {
            maxFrameBytes = (int) range("maxFrameBytes", v, 1024, 1024 * 1024 * 1024);
            return this;
        }

        public Builder handshakeTimeoutNs(long v) {
            handshakeTimeoutNs = range("handshakeTimeoutNs", v, 1_000_000L, 300_000_000_000L);
            return this;
        }

        public Builder preferEpoll(boolean v) {
            preferEpoll = v;
            return this;
        }

        public PontoonClientConfig build() {
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("addresses must name at least one node (host:port)");
            }
            return new PontoonClientConfig(this);
        }
    }
}
