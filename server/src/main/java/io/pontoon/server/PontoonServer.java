package io.pontoon.server;

import io.pontoon.CommitListener;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.StateMachine;
import io.pontoon.spi.Membership;
import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import io.pontoon.storage.FileMetaStore;
import io.pontoon.storage.FileSnapshotStore;
import io.pontoon.transport.ApplicationHandler;
import io.pontoon.transport.NettyTransport;
import io.pontoon.transport.NettyTransportConfig;
import io.pontoon.transport.TlsConfig;
import io.pontoon.transport.ClientService;
import net.openhft.chronicle.queue.RollCycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One durable, networked Raft member in one call: a {@link RaftNode} with a Chronicle journal
 * ({@link ChronicleLogStore}), a term/vote file ({@link FileMetaStore}) and snapshots ({@link FileSnapshotStore}) in
 * one data directory, the Netty transport on one port for peers and clients, and the application's
 * {@link StateMachine}.
 *
 * <pre>{@code
 * PontoonServer server = PontoonServer.builder()
 *     .nodeId(1).dataDir(Path.of("/var/lib/pontoon")).listen("10.0.0.1:7001")
 *     .peer(1, "10.0.0.1:7001").peer(2, "10.0.0.2:7001").peer(3, "10.0.0.3:7001")
 *     .peerSecret(peerSecret).clientSecret(clientSecret)
 *     .stateMachine(myStateMachine)
 *     .start();
 * server.node().propose(bytes);   // completes once committed (the state machine applies it on its own thread)
 * server.close();
 * }</pre>
 *
 * <p>Threads: {@link Builder#start()} restores the state machine from the latest snapshot on the calling thread, then
 * returns with the node running. Afterwards
 * <ul>
 *   <li>the futures of {@link RaftNode#propose(byte[])} complete on the node's completion thread
 *       ({@code pontoon-completions-<id>}), never on the Raft thread;</li>
 *   <li>the {@link StateMachine} runs on the node's apply thread ({@code pontoon-apply-<id>}), one call at a time;</li>
 *   <li>commit listeners ({@link Builder#addCommitListener}) run on the node's Raft thread
 *       ({@code pontoon-raft-<id>}) and must not block; their buffer is valid only during the call;</li>
 *   <li>the failure handler ({@link Builder#errorHandler}) runs once, on a thread of its own
 *       ({@code pontoon-node-<id>-fail-stop}), after the node has closed itself.</li>
 * </ul>
 * Every method of this class is thread-safe.
 */
public final class PontoonServer implements AutoCloseable {
    private final RaftNode node;
    private final InetSocketAddress localAddress;
    private final Path dataDir;
    /** Null unless {@link Builder#metricsPort} was set. */
    private final MetricsHttpServer metrics;

    private PontoonServer(RaftNode node, InetSocketAddress localAddress, Path dataDir, MetricsHttpServer metrics) {
        this.node = node;
        this.localAddress = localAddress;
        this.dataDir = dataDir;
        this.metrics = metrics;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The running node: propose, status, snapshot, commit listeners. Any thread. */
    public RaftNode node() {
        return node;
    }

    /** The address peers and clients connect to, as bound (the actual port when {@code listen} gave port 0). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The node's data directory (journal, term/vote file, snapshots). */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * The address of the HTTP endpoints ({@code /metrics}, {@code /status}, the page at {@code /}) as bound, or null
     * when {@link Builder#metricsPort} was not set.
     */
    public InetSocketAddress metricsAddress() {
        return metrics == null ? null : metrics.localAddress();
    }

    /**
     * Closes the node: its Raft thread stops, the state machine applies what it was handed, pending proposals
     * complete with CLOSED, then the transport and the stores close. Idempotent; a no-op after a fail-stop (the node
     * closed itself). Not from a node callback (Raft or apply thread).
     */
    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        node.close();
    }

    /**
     * Settings of a {@link PontoonServer}. Each setter checks its own value; {@link #validate()} (also run by
     * {@link #start()}) checks the required fields and the rules between fields. A bad value fails with an
     * {@link IllegalArgumentException} naming the field. Required: {@link #nodeId}, {@link #dataDir},
     * {@link #listen}, {@link #peer}s (every member, this node included), {@link #stateMachine}.
     */
    public static final class Builder {
        /** Range of {@link #electionTimeout}, as {@link RaftConfig.Builder#electionTimeoutNs}. */
        private static final Duration ELECTION_TIMEOUT_MIN = Duration.ofMillis(1);
        private static final Duration ELECTION_TIMEOUT_MAX = Duration.ofSeconds(60);
        /** Range of {@link #heartbeatInterval}, as {@link RaftConfig.Builder#heartbeatIntervalNs}. */
        private static final Duration HEARTBEAT_INTERVAL_MIN = Duration.ofNanos(100_000);
        private static final Duration HEARTBEAT_INTERVAL_MAX = Duration.ofSeconds(30);
        private static final int SECRET_MIN_BYTES = 16;
        private static final int SECRET_MAX_BYTES = 1024;

        private int nodeId;
        private Path dataDir;
        private InetSocketAddress listen;
        private final Map<Integer, InetSocketAddress> peers = new TreeMap<>();
        private int clusterId = 1;
        private int ioThreads = 1;
        private byte[] secret;
        private byte[] peerSecret;
        private final List<byte[]> clientSecrets = new ArrayList<>();
        private byte[] adminSecret;
        private boolean faultControl;
        private TlsConfig tls;
        private boolean insecure;
        private Durability durability = Durability.SYNC;
        private RollCycle rollCycle;
        private RaftConfig raftConfig = RaftConfig.defaults();
        /** Null: the value of {@link #raftConfig}. */
        private Duration electionTimeout;
        private Duration heartbeatInterval;
        private Long snapshotEveryEntries;
        private Long snapshotEveryBytes;
        private int snapshotKeep = FileSnapshotStore.DEFAULT_KEEP;
        private int[] learners = new int[0];
        private StateMachine stateMachine;
        private final List<CommitListener> commitListeners = new ArrayList<>();
        private Consumer<Throwable> failureHandler;
        private boolean serveClients = true;
        private ApplicationHandler requestHandler;
        private int metricsPort;

        private Builder() {
        }

        /** This node's id: positive, and one of the {@link #peer} ids. Required. */
        public Builder nodeId(int id) {
            if (id <= 0) {
                throw new IllegalArgumentException("nodeId must be positive, got " + id);
            }
            this.nodeId = id;
            return this;
        }

        /**
         * Directory of the journal ({@code journal/}), the term/vote file and the snapshots ({@code snapshots/});
         * created if missing, and must not be an existing file. One node per directory (the journal locks it). Required.
         */
        public Builder dataDir(Path dir) {
            if (dir == null) {
                throw new IllegalArgumentException("dataDir must not be null");
            }
            this.dataDir = dir;
            return this;
        }

        /** Address to listen on for peers and clients, {@code host:port} ({@code [::1]:7001} for IPv6). Required. */
        public Builder listen(String hostPort) {
            return listen(NettyTransportConfig.parseAddress("listen", hostPort));
        }

        /** Address to listen on for peers and clients; port 0 picks a free one ({@link PontoonServer#localAddress()}). */
        public Builder listen(InetSocketAddress address) {
            if (address == null) {
                throw new IllegalArgumentException("listen must not be null");
            }
            this.listen = address;
            return this;
        }

        /** A member of the cluster (call once per member, this node included): its id and address, {@code host:port}. */
        public Builder peer(int id, String hostPort) {
            return peer(id, NettyTransportConfig.parseAddress("peers[" + id + "]", hostPort));
        }

        /** A member of the cluster (call once per member, this node included): its id (positive) and address. */
        public Builder peer(int id, InetSocketAddress address) {
            if (id <= 0) {
                throw new IllegalArgumentException("peers: node ids must be positive, got " + id);
            }
            if (address == null) {
                throw new IllegalArgumentException("peers[" + id + "] address must not be null");
            }
            if (address.getPort() < 1 || address.getPort() > 65535) {
                throw new IllegalArgumentException("peers[" + id + "] port must be in [1, 65535], got " + address.getPort());
            }
            final InetSocketAddress before = peers.putIfAbsent(id, address);
            if (before != null && !before.equals(address)) {
                throw new IllegalArgumentException("peers lists node " + id + " twice: "
                    + NettyTransportConfig.format(before) + " and " + NettyTransportConfig.format(address));
            }
            return this;
        }

        /** Every member of {@code members} as by {@link #peer(int, InetSocketAddress)}. */
        public Builder peers(Map<Integer, InetSocketAddress> members) {
            Objects.requireNonNull(members, "peers").forEach(this::peer);
            return this;
        }

        /** Cluster id carried by every frame; connections from another cluster are refused. Default 1. */
        public Builder clusterId(int id) {
            this.clusterId = id;
            return this;
        }

        /** Netty I/O threads shared by all connections. Default 1; allowed 1 .. 64. */
        public Builder ioThreads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("ioThreads must be in [1, 64], got " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /**
         * The peer credential: other nodes must prove it in the handshake (HMAC), and this node proves it to them;
         * clients never need it. 16 .. 1024 bytes (copied); null for none. Default none.
         */
        public Builder peerSecret(byte[] secret) {
            this.peerSecret = checkSecret("peerSecret", secret);
            return this;
        }

        /**
         * Adds a client credential (clients may hold any one; repeat for several). A client secret never opens a peer
         * link. 16 .. 1024 bytes (copied). Without one, clients are not authenticated.
         */
        public Builder clientSecret(byte[] secret) {
            if (secret == null) {
                throw new IllegalArgumentException("clientSecret must not be null");
            }
            clientSecrets.add(checkSecret("clientSecret", secret));
            return this;
        }

        /**
         * One secret for peers and clients alike (whoever holds it can also act as a peer); prefer {@link #peerSecret}
         * with {@link #clientSecret}, with which it cannot be combined. 16 .. 1024 bytes (copied); null for none.
         */
        public Builder secret(byte[] secret) {
            this.secret = checkSecret("secret", secret);
            return this;
        }

        /**
         * The admin credential: a client that proves it (its client secret is this one) may also use the admin ops,
         * today FAULT, which needs {@link #faultControl}. Never opens a peer link; must differ from the peer and client
         * secrets. 16 .. 1024 bytes (copied); null for none. Default none.
         */
        public Builder adminSecret(byte[] secret) {
            this.adminSecret = checkSecret("adminSecret", secret);
            return this;
        }

        /**
         * Lets clients holding the {@link #adminSecret} set this node's fault rules at run time ({@code ./pontoon fault},
         * {@code PontoonClient.fault}): drop, delay or cut the frames it exchanges with its peers, to bench-test a
         * deployment under packet loss or a partition. Needs an admin secret. Default false: FAULT is refused, naming
         * why.
         */
        public Builder faultControl(boolean enabled) {
            this.faultControl = enabled;
            return this;
        }

        private static byte[] checkSecret(String field, byte[] secret) {
            if (secret == null) {
                return null;
            }
            if (secret.length < SECRET_MIN_BYTES || secret.length > SECRET_MAX_BYTES) {
                throw new IllegalArgumentException(field + " must be " + SECRET_MIN_BYTES + " .. " + SECRET_MAX_BYTES
                    + " bytes, got " + secret.length);
            }
            return secret.clone();
        }

        /**
         * Mutual TLS between nodes and with clients; null for plain TCP (the default). Use
         * {@link TlsConfig#withCertificatesNamingNodeIds()} so that one member's certificate cannot stand in for another.
         */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Allows a non-loopback {@link #listen} address without peer authentication ({@link #peerSecret},
         * {@link #secret} or {@link #tls}): anyone who reaches the port is then accepted as a peer. Default false.
         */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /**
         * {@link Durability#SYNC} (the default: fdatasync per group commit, survives power loss) or
         * {@link Durability#PAGE_CACHE} (survives a process crash).
         */
        public Builder durability(Durability durability) {
            if (durability == null) {
                throw new IllegalArgumentException("durability must be SYNC or PAGE_CACHE, got null");
            }
            this.durability = durability;
            return this;
        }

        /**
         * Chronicle roll cycle of the journal files (compaction deletes whole files); null for the journal's default
         * ({@code FAST_HOURLY}). It must stay the same across restarts over one data directory.
         */
        public Builder rollCycle(RollCycle cycle) {
            this.rollCycle = cycle;
            return this;
        }

        /**
         * Engine settings not set here (batch sizes, flow control, maxEntryBytes, ...). Default
         * {@link RaftConfig#defaults()}. {@link #electionTimeout}, {@link #heartbeatInterval}, {@link #snapshotEvery}
         * and {@link #snapshotEveryBytes}, when called, override its values, whatever the order of the calls.
         */
        public Builder raftConfig(RaftConfig config) {
            if (config == null) {
                throw new IllegalArgumentException("raftConfig must not be null");
            }
            this.raftConfig = config;
            return this;
        }

        /**
         * Minimum election timeout; each election waits a random time in {@code [timeout, 2 * timeout)}. Default
         * 300 ms; allowed 1 ms .. 60 s, and at least twice the {@link #heartbeatInterval}.
         */
        public Builder electionTimeout(Duration timeout) {
            this.electionTimeout = checkDuration("electionTimeout", timeout, ELECTION_TIMEOUT_MIN, ELECTION_TIMEOUT_MAX);
            return this;
        }

        /** Interval of the leader's heartbeats. Default 50 ms; allowed 100 µs .. 30 s, and at most electionTimeout / 2. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = checkDuration("heartbeatInterval", interval, HEARTBEAT_INTERVAL_MIN,
                HEARTBEAT_INTERVAL_MAX);
            return this;
        }

        private static Duration checkDuration(String field, Duration value, Duration min, Duration max) {
            if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(field + " must be in [" + format(min) + ", " + format(max)
                    + "], got " + (value == null ? "null" : format(value)));
            }
            return value;
        }

        /**
         * Snapshot the state machine once this many entries were applied since the last snapshot, then compact the
         * journal up to the previous one; 0: never by count. Default 1,000,000; allowed 0 .. Long.MAX_VALUE.
         */
        public Builder snapshotEvery(long entries) {
            if (entries < 0) {
                throw new IllegalArgumentException("snapshotEvery must be in [0, " + Long.MAX_VALUE + "] entries, got "
                    + entries);
            }
            this.snapshotEveryEntries = entries;
            return this;
        }

        /**
         * Also snapshot once this many payload bytes were applied since the last snapshot; 0: never by size. Default
         * 256 MiB; allowed 0 .. Long.MAX_VALUE.
         */
        public Builder snapshotEveryBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("snapshotEveryBytes must be in [0, " + Long.MAX_VALUE + "], got "
                    + bytes);
            }
            this.snapshotEveryBytes = bytes;
            return this;
        }

        /**
         * Which of the {@link #peer peers} are learners: they receive and apply the log but never vote, never lead
         * and never count toward a quorum (read replicas, standbys). Every member lists the same learners. Default
         * none. A node that joins a running cluster is started with the cluster's members and itself as peers, and
         * itself as a learner; the leader then adds it ({@code ./pontoon members add ID=HOST:PORT --learner}).
         */
        public Builder learners(int... ids) {
            this.learners = ids.clone();
            return this;
        }

        /** Snapshots kept in {@code dataDir/snapshots}; the journal is kept from the oldest. Default 2; at least 1. */
        public Builder snapshotKeep(int snapshots) {
            if (snapshots < 1) {
                throw new IllegalArgumentException("snapshotKeep must be at least 1, got " + snapshots);
            }
            this.snapshotKeep = snapshots;
            return this;
        }

        /**
         * The application's state machine. Required. It runs on the apply thread ({@code pontoon-apply-<id>}); at start
         * it is restored from the latest snapshot in {@link #dataDir}, on the thread that calls {@link #start()}, and
         * delivery resumes after that snapshot. See {@link StateMachine} for the contract.
         */
        public Builder stateMachine(StateMachine stateMachine) {
            this.stateMachine = stateMachine;
            return this;
        }

        /**
         * A commit listener registered before the node starts: it sees every entry committed in this run. Called on the
         * Raft thread ({@code pontoon-raft-<id>}); must not block; the buffer is valid only during the call.
         */
        public Builder addCommitListener(CommitListener listener) {
            commitListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Told, once, after the node fail-stopped and closed itself (its journal failed: a failed fsync, a full disk;
         * its term/vote file could not be saved; its state machine threw; an error escaped its Raft thread). The node
         * does not recover by itself: start a new server over the same data directory once the cause is fixed. Runs on
         * a thread of its own ({@code pontoon-node-<id>-fail-stop}). Default none ({@link RaftNode#failure()} still
         * tells).
         */
        public Builder errorHandler(Consumer<Throwable> handler) {
            this.failureHandler = handler;
            return this;
        }

        /**
         * Whether the port also serves the client protocol ({@code PontoonClient}, {@code ./pontoon append}); without
         * it clients are refused and only peers connect. Default true.
         */
        public Builder serveClients(boolean serve) {
            this.serveClients = serve;
            return this;
        }

        /**
         * The application's handler of client requests ({@code PontoonClient.request(byte[])}, CLIENT_APP_REQUEST):
         * it gets the running node and the request's bytes and answers with a future of the response's bytes; called
         * on a Netty event loop, it must not block (see {@link ApplicationHandler}). Null (the default): application
         * requests are answered INVALID.
         */
        public Builder requestHandler(ApplicationHandler handler) {
            this.requestHandler = handler;
            return this;
        }

        /**
         * Serves the node's metrics ({@code /metrics}, Prometheus text format), its status ({@code /status}, JSON) and
         * a live status page ({@code /}) over HTTP on this port of the {@link #listen} host ({@link MetricsHttpServer}).
         * They are read-only and unauthenticated. Default 0: off; allowed 0 .. 65535.
         */
        public Builder metricsPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("metricsPort must be in [0, 65535] (0: off), got " + port);
            }
            this.metricsPort = port;
            return this;
        }

        /**
         * Checks the required fields and the rules between fields without opening anything; {@link #start()} runs it
         * first.
         *
         * @throws IllegalArgumentException naming the field that is missing or wrong
         */
        public Builder validate() {
            final List<String> missing = new ArrayList<>();
            if (nodeId == 0) {
                missing.add("nodeId");
            }
            if (dataDir == null) {
                missing.add("dataDir");
            }
            if (listen == null) {
                missing.add("listen");
            }
            if (peers.isEmpty()) {
                missing.add("peers");
            }
            if (stateMachine == null) {
                missing.add("stateMachine");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
                    + " required (PontoonServer.builder() needs nodeId, dataDir, listen, peers and stateMachine)");
            }
            if (!peers.containsKey(nodeId)) {
                throw new IllegalArgumentException("nodeId " + nodeId + " is not one of the peers ids " + peers.keySet()
                    + " (peers lists every member, this node included)");
            }
            validateLearners();
            if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
                throw new IllegalArgumentException("dataDir " + dataDir + " exists and is not a directory");
            }
            if (secret != null && (peerSecret != null || !clientSecrets.isEmpty())) {
                throw new IllegalArgumentException("secret (one secret for peers and clients) cannot be combined with "
                    + "peerSecret or clientSecret");
            }
            validateAdminSecret();
            final boolean peersAuthenticated = secret != null || peerSecret != null || tls != null;
            if (!peersAuthenticated && !insecure
                && (listen.getAddress() == null || !listen.getAddress().isLoopbackAddress())) {
                throw new IllegalArgumentException("refusing to listen on " + NettyTransportConfig.format(listen)
                    + " without peer authentication: anyone who reaches that port would be accepted as a peer. Set "
                    + "peerSecret (and clientSecret for clients) or tls, or insecure(true) to accept that");
            }
            effectiveRaftConfig();
            return this;
        }

        private void validateAdminSecret() {
            if (faultControl && adminSecret == null) {
                throw new IllegalArgumentException("faultControl needs an adminSecret: only clients that prove it may "
                    + "set faults");
            }
            final List<byte[]> others = new ArrayList<>(clientSecrets);
            others.add(secret);
            others.add(peerSecret);
            for (byte[] other : others) {
                if (adminSecret != null && java.util.Arrays.equals(adminSecret, other)) {
                    throw new IllegalArgumentException("adminSecret must differ from the peer, client and shared "
                        + "secrets (whoever holds those would be an admin)");
                }
            }
        }

        private void validateLearners() {
            final java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int id : learners) {
                if (!peers.containsKey(id)) {
                    throw new IllegalArgumentException("learners: node " + id + " is not one of the peers ids "
                        + peers.keySet() + " (peers lists every member, learners included)");
                }
                if (!seen.add(id)) {
                    throw new IllegalArgumentException("learners lists node " + id + " twice");
                }
            }
            if (seen.size() == peers.size()) {
                throw new IllegalArgumentException("learners: every peer " + peers.keySet()
                    + " is a learner; at least one must vote");
            }
        }

        /**
         * The configuration the cluster starts with: the peers that are not learners vote, and every member's address
         * goes with it, so that configuration entries carry the addresses and every node can reach a member added at
         * run time. A node with a log or snapshot holding a newer configuration uses that one instead.
         */
        Membership bootstrapMembership() {
            final Map<Integer, String> addresses = new TreeMap<>();
            peers.forEach((id, address) -> addresses.put(id, NettyTransportConfig.format(address)));
            final int[] voters = peers.keySet().stream().mapToInt(Integer::intValue)
                .filter(id -> java.util.Arrays.stream(learners).noneMatch(l -> l == id)).toArray();
            return Membership.of(voters, learners, addresses);
        }

        /** {@link #raftConfig} with the values set here. */
        private RaftConfig effectiveRaftConfig() {
            final Duration election = electionTimeout != null ? electionTimeout
                : Duration.ofNanos(raftConfig.electionTimeoutNs);
            final Duration heartbeat = heartbeatInterval != null ? heartbeatInterval
                : Duration.ofNanos(raftConfig.heartbeatIntervalNs);
            if (heartbeat.multipliedBy(2).compareTo(election) > 0) {
                throw new IllegalArgumentException("heartbeatInterval (" + format(heartbeat)
                    + ") must be at most electionTimeout / 2 (" + format(election.dividedBy(2)) + ")");
            }
            final RaftConfig.Builder b = raftConfig.toBuilder()
                .electionTimeoutNs(election.toNanos())
                .heartbeatIntervalNs(heartbeat.toNanos());
            if (snapshotEveryEntries != null) {
                b.snapshotEveryEntries(snapshotEveryEntries);
            }
            if (snapshotEveryBytes != null) {
                b.snapshotEveryBytes(snapshotEveryBytes);
            }
            return b.build();
        }

        private NettyTransportConfig transportConfig() {
            final NettyTransportConfig.Builder b = NettyTransportConfig.builder().nodeId(nodeId).clusterId(clusterId)
                .listenAddress(listen).peers(peers).ioThreads(ioThreads).tls(tls);
            if (secret != null) {
                b.secret(secret);
            }
            if (peerSecret != null) {
                b.peerSecret(peerSecret);
            }
            clientSecrets.forEach(b::clientSecret);
            b.adminSecret(adminSecret).faultControl(faultControl);
            return b.build();
        }

        /**
         * Validates, creates the data directory if missing, opens the stores, restores the state machine from the latest
         * snapshot (on this thread), binds the listen address and starts the node. On a failure everything opened so far
         * is closed again.
         *
         * @throws IllegalArgumentException a bad or missing setting, naming the field ({@link #validate()})
         * @throws UncheckedIOException     the data directory cannot be created, or the state machine not restored
         * @throws RuntimeException         the journal cannot be opened (a {@code StorageException} naming the
         *                                  directory) or the listen address cannot be bound
         */
        public PontoonServer start() {
            validate();
            final RaftConfig config = effectiveRaftConfig();
            final NettyTransportConfig transportConfig = transportConfig();
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("dataDir " + dataDir + " cannot be created: " + e, e);
            }
            final ChronicleLogStoreOptions.Builder journal = ChronicleLogStoreOptions.builder(dataDir).durability(durability);
            if (rollCycle != null) {
                journal.rollCycle(rollCycle);
            }
            // Opened in order; on a failure before the node owns them, closed in reverse order.
            final List<AutoCloseable> opened = new ArrayList<>();
            try {
                final ChronicleLogStore log = open(opened, ChronicleLogStore.open(journal.build()));
                final FileMetaStore meta = open(opened, FileMetaStore.open(dataDir));
                final FileSnapshotStore snapshots = open(opened, FileSnapshotStore.open(dataDir, snapshotKeep));
                final NettyTransport transport = open(opened, new NettyTransport(transportConfig));
                final RaftNode.Builder nb = RaftNode.builder().nodeId(nodeId).membership(bootstrapMembership())
                    .config(config)
                    .logStore(log).metaStore(meta).snapshotStore(snapshots).transport(transport)
                    .stateMachine(stateMachine).errorHandler(failureHandler);
                commitListeners.forEach(nb::onCommit);
                final RaftNode node = nb.start();
                // From here the node owns the transport and the stores: closing it closes them.
                opened.clear();
                opened.add(node);
                if (serveClients) {
                    transport.serveClients(ClientService.of(node, requestHandler));
                }
                final MetricsHttpServer metrics = metricsPort == 0 ? null
                    : open(opened, MetricsHttpServer.start(node, new InetSocketAddress(listen.getAddress(), metricsPort)));
                return new PontoonServer(node, transport.localAddress(), dataDir, metrics);
            } catch (RuntimeException | Error e) {
                for (int i = opened.size() - 1; i >= 0; i--) {
                    try {
                        opened.get(i).close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }

        private static <T extends AutoCloseable> T open(List<AutoCloseable> opened, T resource) {
            opened.add(resource);
            return resource;
        }
    }

    /** A duration for a message, in the largest unit that shows it exactly: {@code 300 ms}, {@code 60 s}, {@code -1 ms}. */
    static String format(Duration d) {
        try {
            final long ns = d.toNanos();
            if (ns % 1_000_000_000L == 0) {
                return ns / 1_000_000_000L + " s";
            }
            if (ns % 1_000_000L == 0) {
                return ns / 1_000_000L + " ms";
            }
            if (ns % 1_000L == 0) {
                return ns / 1_000L + " µs";
            }
            return ns + " ns";
        } catch (ArithmeticException tooLong) {
            return d.toString();
        }
    }
}
