package io.pontoon.cli;

import io.pontoon.ClusterFabric;
import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import io.pontoon.storage.TempNodeStores;
import io.pontoon.transport.NettyLoopbackFabric;
import net.openhft.chronicle.queue.RollCycle;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code pontoon demo}: a {@link LocalCluster} in this JVM under a steady proposal load, with the leader
 * cut off half-way to show the failover. By default the nodes talk over Netty on loopback and keep
 * Chronicle journals in a temporary directory that is deleted at the end (also on Ctrl-C);
 * {@code --durability memory} runs everything in memory instead.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Runs a local cluster under load and shows a leader failover.",
        "Starts a Raft cluster in this JVM (Netty on loopback, Chronicle journals in a temporary directory "
            + "that is deleted afterwards), keeps a fixed number of proposals "
            + "in flight for a while, prints commits/s, p50/p99 commit latency, leader and term each second, "
            + "disconnects the leader half-way (reconnecting it later) and measures the failover.",
        "Every node's log is compacted below what all nodes have applied (minus a margin), so a long run keeps "
            + "bounded memory and disk (journal files roll every ten seconds; whole files are deleted).",
        "Last line: RESULT committed=N ops_per_sec=N p50_us=N p99_us=N failover_ms=N failed=N leader_changes=N "
            + "heap_used_mb=N (failover_ms=-1 when not measured; leader_changes = elections after the first leader, "
            + "i.e. how far the highest term of any node rose during the run, the deliberate failover included; "
            + "heap_used_mb = used heap after a System.gc() at the end, with the cluster still running). "
            + "A run of two minutes or more also prints '-- t=60.0s heap_used_mb=N' once a minute (after a System.gc())."},
    footer = {"", "Exit status: 0 entries were committed (and the failover completed when enabled), "
        + "1 otherwise, 2 bad usage."})
public final class DemoCommand implements Callable<Integer> {
    static final int MAX_NODES = 9;
    private static final long LEADER_TIMEOUT_NS = 30_000_000_000L;
    /** A run longer than this shows its live heap once per interval, so flat (or growing) memory is visible. */
    private static final long HEAP_REPORT_INTERVAL_NS = 60_000_000_000L;

    @Spec
    private CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
        description = "Cluster size, 1.." + MAX_NODES + " (failover needs at least 3). Default: ${DEFAULT-VALUE}.")
    private int nodes;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S",
        description = "How long to drive proposals, 1..3600. Default: ${DEFAULT-VALUE}.")
    private int seconds;

    @Option(names = "--payload", defaultValue = "128", paramLabel = "BYTES",
        description = "Bytes per proposal, 1..maxEntryBytes (1 MiB). Default: ${DEFAULT-VALUE}.")
    private int payloadBytes;

    @Option(names = "--clients", defaultValue = "64", paramLabel = "N",
        description = "Proposals kept in flight, 1..65536. Default: ${DEFAULT-VALUE}.")
    private int clients;

    @Option(names = "--failover", defaultValue = "true", arity = "1", paramLabel = "true|false",
        description = "Disconnect the leader half-way and measure the failover. Default: ${DEFAULT-VALUE}.")
    private boolean failover;

    @Option(names = "--durability", defaultValue = "SYNC", paramLabel = "MODE",
        description = "SYNC (journal msync per group commit: survives power loss), PAGE_CACHE (survives a "
            + "process crash) or MEMORY (in-memory logs and network, no Netty). Default: ${DEFAULT-VALUE}.")
    private DemoDurability durability;

    @Option(names = "--loss", defaultValue = "0", paramLabel = "P",
        description = "Probability in [0, 0.5] that each frame between nodes is dropped. Default: ${DEFAULT-VALUE}.")
    private double loss;

    @Option(names = "--raft-threads", defaultValue = "0", paramLabel = "N",
        description = "0: each node runs its own Raft thread; 1.." + io.pontoon.RaftThreads.MAX_THREADS
            + ": the nodes' Raft agents share N threads (Aeron's shared threading mode; an experiment, see README). "
            + "Default: ${DEFAULT-VALUE}.")
    private int raftThreads;

    /** Where the demo's logs live. */
    enum DemoDurability { SYNC, PAGE_CACHE, MEMORY }

    /**
     * Journal files roll every ten seconds ({@link io.pontoon.storage.ShortRollCycles}), so compaction (whole files only) bounds the
     * disk a long run uses to about twenty seconds of log per node; the store's default (hourly) would keep
     * everything of a demo.
     */
    static final RollCycle DEMO_ROLL_CYCLE = io.pontoon.storage.ShortRollCycles.TEN_SECONDLY;

    /** Every mode compacts: in memory and on disk alike, a log keeps only what some node may still need. */
    private CompactingFabric fabric() {
        if (durability == DemoDurability.MEMORY) {
            return new CompactingFabric(ClusterFabric.inMemory(), nodes);
        }
        final TempNodeStores stores = new TempNodeStores("pontoon-demo", Durability.valueOf(durability.name()));
        final NettyLoopbackFabric netty = new NettyLoopbackFabric(System.nanoTime(), id -> openJournal(stores, id),
            stores::metaStore, stores::close) {
            @Override
            public String name() {
                return "netty loopback, chronicle journals (" + durability + ") in " + stores.root();
            }
        };
        netty.snapshotStores(id -> io.pontoon.storage.FileSnapshotStore.open(stores.dataDir(id)));
        return new CompactingFabric(netty, nodes);
    }

    /** A node's journal in the temporary stores, rolling every ten seconds ({@link #DEMO_ROLL_CYCLE}). */
    static ChronicleLogStore openJournal(TempNodeStores stores, int nodeId) {
        return ChronicleLogStore.open(ChronicleLogStoreOptions.builder(stores.dataDir(nodeId))
            .durability(stores.durability()).rollCycle(DEMO_ROLL_CYCLE).build());
    }

    @Override
    public Integer call() {
        final RaftConfig config = RaftConfig.defaults();
        if (!(loss >= 0 && loss <= 0.5)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--loss must be in [0, 0.5], got " + loss);
        }
        OptionChecks.range(spec, "--nodes", nodes, 1, MAX_NODES);
        OptionChecks.range(spec, "--seconds", seconds, 1, 3600);
        OptionChecks.range(spec, "--payload", payloadBytes, 1, config.maxEntryBytes);
        OptionChecks.range(spec, "--clients", clients, 1, 65_536);
        OptionChecks.range(spec, "--raft-threads", raftThreads, 0, io.pontoon.RaftThreads.MAX_THREADS);
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final boolean measureFailover = failover && nodes >= 3;
        if (failover && !measureFailover) {
            out.printf("note: failover skipped: with %d node(s) no majority remains without the leader%n", nodes);
        }
        final CompactingFabric compacting = fabric();
        // Each node runs a real state machine (a running hash and count of the payloads), snapshotted every
        // snapshotEveryEntries; the demo checks at the end that every node holds the same state.
        final LocalCluster cluster = LocalCluster.start(nodes, config, compacting, raftThreads,
            id -> new io.pontoon.HashingStateMachine());
        // Ctrl-C must not leave journals behind: closing the cluster deletes the temporary directory.
        final Thread cleanup = new Thread(cluster::close, "pontoon-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            for (int i = 0; i < nodes; i++) {
                cluster.onCommit(i, compacting.appliedTracker(i));
            }
            cluster.fabric().dropProbability(loss);
            out.printf(Locale.ROOT, "demo: %d nodes in one JVM (LocalCluster over %s), payload %d B, %d proposals in flight, "
                + "loss %.1f%%, %d s%s, JDK %s%n", nodes, cluster.fabric().name(), payloadBytes, clients, loss * 100, seconds,
                measureFailover ? ", leader disconnected at " + fmtSeconds(seconds * 500_000_000L) : "",
                System.getProperty("java.version"));
            out.flush();
            if (leaderOf(cluster, Duration.ofNanos(LEADER_TIMEOUT_NS)) < 0) {
                err.println("demo: no leader elected within " + LEADER_TIMEOUT_NS / 1_000_000_000L + " s");
                return PontoonCli.EXIT_FAILED;
            }
            final Run run = new Run(cluster, out, measureFailover);
            run.firstTerm = highestTerm(cluster);
            run.drive();
            return run.report(err);
        } finally {
            cluster.close();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    /** One demo run: the driver loop, the failover timeline and the figures. */
    private final class Run {
        private final LocalCluster cluster;
        private final PrintWriter out;
        private final boolean measureFailover;
        private final LoadGenerator load;
        private final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
        private long startNs;
        private long elapsedNs;
        private long committed;
        private long failed;
        private int cutOff = LoadGenerator.NO_NODE;
        private boolean reconnected;
        private boolean failoverShown;
        private long firstTerm;
        private long leaderChanges;
        private long heapUsedMb;

        Run(LocalCluster cluster, PrintWriter out, boolean measureFailover) {
            this.cluster = cluster;
            this.out = out;
            this.measureFailover = measureFailover;
            this.load = new LoadGenerator(cluster::node, cluster.size(), payloadBytes, clients);
        }

        void drive() {
            startNs = System.nanoTime();
            final long durationNs = seconds * 1_000_000_000L;
            final long endNs = startNs + durationNs;
            final long disconnectNs = startNs + durationNs / 2;
            final long reconnectNs = startNs + durationNs * 3 / 4;
            long nextReportNs = startNs + 1_000_000_000L;
            long nextHeapNs = startNs + HEAP_REPORT_INTERVAL_NS;
            long lastCommitted = 0;
            long lastReportNs = startNs;
            long nowNs = startNs;
            while (nowNs < endNs) {
                if (measureFailover) {
                    timeline(nowNs, disconnectNs, reconnectNs);
                }
                if (nowNs >= nextReportNs) {
                    final long c = load.committed();
                    progress(nowNs, (c - lastCommitted) * 1_000_000_000.0 / (nowNs - lastReportNs));
                    lastCommitted = c;
                    lastReportNs = nowNs;
                    nextReportNs += 1_000_000_000L;
                }
                if (nowNs >= nextHeapNs && nowNs < endNs - HEAP_REPORT_INTERVAL_NS / 2) {
                    event(nowNs, "heap_used_mb=" + liveHeapMb() + " (after System.gc())");
                    nextHeapNs += HEAP_REPORT_INTERVAL_NS;
                }
                idle.idle(load.pump(nowNs));
                nowNs = System.nanoTime();
            }
            elapsedNs = nowNs - startNs;
            committed = load.committed();
            failed = load.totalFailures();
            load.intervalLatencyNs();
            showFailover(nowNs);
            leaderChanges = Math.max(0, highestTerm(cluster) - firstTerm);
            heapUsedMb = liveHeapMb();
        }

        private void timeline(long nowNs, long disconnectNs, long reconnectNs) {
            if (cutOff == LoadGenerator.NO_NODE && nowNs >= disconnectNs) {
                cutOff = leaderOf(cluster, Duration.ofSeconds(5));
                if (cutOff < 0) {
                    cutOff = load.target();
                }
                if (cutOff >= 0) {
                    final RaftStatus s = cluster.node(cutOff).status();
                    final long cutNs = System.nanoTime();
                    cluster.disconnect(cutOff);
                    load.abandonTarget(cutOff, cutNs);
                    event(cutNs, "disconnect leader node " + s.nodeId() + " (term " + s.term() + ")");
                }
            }
            showFailover(nowNs);
            if (cutOff >= 0 && !reconnected && nowNs >= reconnectNs && load.failoverNs() >= 0) {
                cluster.reconnect(cutOff);
                load.readmit(cutOff);
                reconnected = true;
                event(nowNs, "reconnect node " + (cutOff + 1));
            }
        }

        private void showFailover(long nowNs) {
            if (failoverShown || cutOff < 0 || load.failoverNs() < 0) {
                return;
            }
            failoverShown = true;
            final int leader = load.target();
            final RaftStatus s = leader >= 0 ? cluster.node(leader).status() : null;
            event(nowNs, "failover: node " + (s == null ? "?" : s.nodeId() + " is leader (term " + s.term() + ")")
                + ", first commit " + fmtMillis(load.failoverNs()) + " ms after the disconnect");
        }

        private void progress(long nowNs, double commitsPerSecond) {
            final Histogram h = load.intervalLatencyNs();
            final int leader = load.target();
            final RaftStatus s = leader >= 0 ? cluster.node(leader).status() : null;
            long snapshots = 0;
            for (int i = 0; i < cluster.size(); i++) {
                if (cluster.isRunning(i)) {
                    snapshots += cluster.node(i).snapshotsTaken();
                }
            }
            out.printf(Locale.ROOT, "t=%-5s commits/s=%-9d p50_us=%-7d p99_us=%-7d leader=%s term=%s failed=%d "
                    + "snapshots=%d%n",
                fmtSeconds(nowNs - startNs), Math.round(commitsPerSecond),
                h.getValueAtPercentile(50) / 1000, h.getValueAtPercentile(99) / 1000,
                s == null ? "?" : Integer.toString(s.nodeId()), s == null ? "?" : Long.toString(s.term()),
                load.totalFailures(), snapshots);
            out.flush();
        }

        private void event(long nowNs, String what) {
            out.printf("-- t=%s %s%n", fmtSeconds(nowNs - startNs), what);
            out.flush();
        }

        int report(PrintWriter err) {
            final Histogram total = load.totalLatencyNs();
            final long failoverNs = measureFailover ? load.failoverNs() : -1;
            out.printf("outcomes: committed=%d not_leader=%d rejected_busy=%d leadership_lost=%d timeout=%d "
                    + "written_off=%d (late outcomes seen: %d)%n", committed, load.failures(ResultCode.NOT_LEADER),
                load.failures(ResultCode.REJECTED_BUSY), load.failures(ResultCode.LEADERSHIP_LOST),
                load.failures(ResultCode.TIMEOUT), load.writtenOff(), load.lateOutcomes());
            out.println(stateMachinesLine(cluster));
            out.printf(Locale.ROOT, "RESULT committed=%d ops_per_sec=%d p50_us=%d p99_us=%d failover_ms=%d failed=%d "
                    + "leader_changes=%d heap_used_mb=%d%n",
                committed, Math.round(committed * 1_000_000_000.0 / elapsedNs),
                total.getValueAtPercentile(50) / 1000, total.getValueAtPercentile(99) / 1000,
                failoverNs < 0 ? -1 : Math.round(failoverNs / 1_000_000.0), failed, leaderChanges, heapUsedMb);
            out.flush();
            if (committed == 0) {
                err.println("demo: nothing was committed");
                return PontoonCli.EXIT_FAILED;
            }
            if (measureFailover && failoverNs < 0) {
                err.println("demo: no commit under a new leader after the leader was disconnected");
                return PontoonCli.EXIT_FAILED;
            }
            return PontoonCli.EXIT_OK;
        }
    }

    /**
     * Each node's state machine as the run ends: index, payload count and hash. Nodes at the same index hold the same
     * state; one that is behind (a follower still applying, or the one cut off for the failover) shows a lower index.
     */
    String stateMachinesLine(LocalCluster cluster) {
        final StringBuilder sb = new StringBuilder("state machines:");
        for (int i = 0; i < cluster.size(); i++) {
            final io.pontoon.HashingStateMachine sm = (io.pontoon.HashingStateMachine) cluster.stateMachine(i);
            sb.append(String.format(Locale.ROOT, " n%d index=%d count=%d hash=%016x", i + 1, sm.index(), sm.count(),
                sm.hash()));
        }
        return sb.toString();
    }

    /** Position of the leader a majority agrees on, or -1 if none within {@code timeout}. */
    private static int leaderOf(LocalCluster cluster, Duration timeout) {
        try {
            return cluster.awaitLeader(timeout);
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    /**
     * The highest term any node is in. With pre-vote on, a term starts only when a majority would grant votes, so
     * its rise over the run counts the elections, the deliberate failover's included.
     */
    static long highestTerm(LocalCluster cluster) {
        long term = 0;
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.isRunning(i)) {
                term = Math.max(term, cluster.node(i).status().term());
            }
        }
        return term;
    }

    /**
     * Used heap after a full collection, in MiB: what the run keeps live (with the cluster still running). The
     * collection is requested at the end only, so it does not disturb the measured run.
     */
    static long liveHeapMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }

    private static String fmtSeconds(long ns) {
        return String.format(Locale.ROOT, "%.1fs", ns / 1e9);
    }

    private static String fmtMillis(long ns) {
        return String.format(Locale.ROOT, "%.0f", ns / 1e6);
    }
}
