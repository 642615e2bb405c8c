package io.pontoon.compare.pontoon;

import io.pontoon.ProposalCallback;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.compare.harness.Completion;
import io.pontoon.compare.harness.FreePorts;
import io.pontoon.compare.harness.HarnessOptions;
import io.pontoon.compare.harness.ReplicatedSystem;
import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.memory.InMemoryMetaStore;
import io.pontoon.memory.LocalNetwork;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Transport;
import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import io.pontoon.storage.FileMetaStore;
import io.pontoon.transport.NettyTransport;
import io.pontoon.transport.NettyTransportConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A Pontoon cluster of N {@link RaftNode}s in this JVM: NettyTransport on 127.0.0.1 between them, and per
 * node a Chronicle journal ({@link ChronicleLogStore}) plus {@link FileMetaStore} in its own directory.
 * Entries are proposed on the leader with the allocation-free
 * {@link RaftNode#propose(org.agrona.DirectBuffer, int, int, long, ProposalCallback)}; the correlation id is
 * the request's intended send time relative to the run's base, so the callback needs no lookup table.
 *
 * <p>Durability: SYNC = {@link Durability#SYNC} (fdatasync per group commit, on the journal's sync thread); PAGE_CACHE =
 * {@link Durability#PAGE_CACHE}; NONE = {@link InMemoryLogStore}/{@link InMemoryMetaStore}.
 * RaftConfig defaults otherwise, but for a 1 s election timeout (SOFAJRaft's default; the Ratis runner is set alike). A commit listener compacts each log to the last
 * {@value #RETAINED_ENTRIES} entries (SOFAJRaft's NONE store keeps the same), so long runs fit in memory.
 */
final class PontoonSystem implements ReplicatedSystem, ProposalCallback {
    static final long RETAINED_ENTRIES = 1 << 19;
    private static final long COMPACT_EVERY = 1 << 16;
    private static final long ELECTION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final String transportMode;
    private final List<RaftNode> nodes = new ArrayList<>();
    /** One view per submitter thread ({@link HarnessOptions#submitters()}): a view is not thread-safe. */
    private final ThreadLocal<UnsafeBuffer> payloadViews = ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[0]));
    private HarnessOptions options;
    private LocalNetwork localNetwork;
    private long baseNs;
    private volatile RaftNode leader;
    private volatile boolean leaderStale;
    private volatile Completion completion;

    PontoonSystem(String transportMode) {
        if (!transportMode.equals("netty") && !transportMode.equals("local")) {
            throw new IllegalArgumentException("-Dpontoon.transport must be netty or local, got '" + transportMode + "'");
        }
        this.transportMode = transportMode;
    }

    @Override
    public String name() {
        return "pontoon";
    }

    @Override
    public void start(HarnessOptions options, Path dataDir) throws Exception {
        this.options = options;
        final int n = options.nodes();
        final int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i + 1;
        }
        final int[] ports = FreePorts.loopback(n);
        if (transportMode.equals("local")) {
            localNetwork = new LocalNetwork();
        }
        // Election timeout matched across the three systems (SOFAJRaft's default 1 s); the rest is default.
        final RaftConfig config = RaftConfig.defaults().toBuilder().electionTimeoutNs(ELECTION_TIMEOUT_NS).build();
        for (int i = 0; i < n; i++) {
            final Path nodeDir = Files.createDirectories(dataDir.resolve("node-" + ids[i]));
            final LogStore log = logStore(nodeDir);
            final MetaStore meta = options.durability() == io.pontoon.compare.harness.Durability.NONE
                ? new InMemoryMetaStore() : FileMetaStore.open(nodeDir);
            nodes.add(RaftNode.builder()
                .nodeId(ids[i])
                .members(ids)
                .config(config)
                .logStore(log)
                .metaStore(meta)
                .transport(transport(ids[i], ids, ports))
                .onCommit((lsn, term, data, offset, length) -> {
                    // Raft thread, the log's owner: bounded memory and disk for long runs.
                    if (lsn % COMPACT_EVERY == 0 && lsn > RETAINED_ENTRIES) {
                        log.deleteBefore(lsn - RETAINED_ENTRIES);
                    }
                })
                .start());
        }
        baseNs = System.nanoTime();
        leader = awaitLeader();
        // One entry of the leader's term committed: from here proposals are accepted at once.
        leader.propose(new byte[options.payloadBytes()]).get(30, TimeUnit.SECONDS);
    }

    private LogStore logStore(Path nodeDir) {
        switch (options.durability()) {
            case SYNC:
                return ChronicleLogStore.open(ChronicleLogStoreOptions.builder(nodeDir).durability(Durability.SYNC).build());
            case PAGE_CACHE:
                return ChronicleLogStore.open(ChronicleLogStoreOptions.builder(nodeDir).durability(Durability.PAGE_CACHE).build());
            default:
                return new InMemoryLogStore();
        }
    }

    private Transport transport(int nodeId, int[] ids, int[] ports) {
        if (localNetwork != null) {
            return localNetwork.endpoint();
        }
        final NettyTransportConfig.Builder b = NettyTransportConfig.builder()
            .nodeId(nodeId)
            .listenAddress(new InetSocketAddress("127.0.0.1", ports[nodeId - 1]));
        for (int i = 0; i < ids.length; i++) {
            b.peer(ids[i], new InetSocketAddress("127.0.0.1", ports[i]));
        }
        return new NettyTransport(b.build());
    }

    private RaftNode awaitLeader() {
        final long deadline = System.nanoTime() + LEADER_TIMEOUT_NS;
        while (System.nanoTime() < deadline) {
            for (RaftNode node : nodes) {
                final RaftStatus s = node.status();
                if (s.role() == Role.LEADER) {
                    return node;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new IllegalStateException("pontoon: no leader within " + TimeUnit.NANOSECONDS.toSeconds(LEADER_TIMEOUT_NS) + " s");
    }

    @Override
    public String setup() {
        final String storage;
        switch (options.durability()) {
            case SYNC: storage = "chronicle-journal,Durability.SYNC(fdatasync-per-group-commit)"; break;
            case PAGE_CACHE: storage = "chronicle-journal,Durability.PAGE_CACHE(no-sync)"; break;
            default: storage = "in-memory-log"; break;
        }
        return "storage=" + storage + ",transport=" + (localNetwork != null ? "in-memory-LocalNetwork" : "netty-tcp-loopback")
            + ",submit=RaftNode.propose(DirectBuffer)-on-leader-in-process,config=RaftConfig.defaults+electionTimeout=1s";
    }

    @Override
    public boolean submit(byte[] payload, long startNs, Completion completion) {
        if (this.completion != completion) {
            this.completion = completion; // the same driver on every call: written once, not per request
        }
        if (leaderStale) {
            refreshLeader();
        }
        final UnsafeBuffer payloadView = payloadViews.get();
        if (payloadView.byteArray() != payload) {
            payloadView.wrap(payload);
        }
        return leader.propose(payloadView, 0, payload.length, startNs - baseNs, this);
    }

    /** Several submitter threads may see the stale flag at once: one looks the leader up. */
    private synchronized void refreshLeader() {
        if (leaderStale) {
            leaderStale = false;
            leader = awaitLeader();
        }
    }

    /** Raft thread of the leader: the outcome of one proposal; the correlation id is its start time. */
    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        final long startNs = baseNs + correlationId;
        if (code == ResultCode.OK) {
            completion.onCommitted(startNs);
        } else {
            if (code == ResultCode.NOT_LEADER || code == ResultCode.LEADERSHIP_LOST) {
                leaderStale = true;
            }
            completion.onFailed(startNs, code.name());
        }
    }

    @Override
    public void close() {
        for (RaftNode node : nodes) {
            node.close();
        }
        if (localNetwork != null) {
            localNetwork.close();
        }
    }
}
