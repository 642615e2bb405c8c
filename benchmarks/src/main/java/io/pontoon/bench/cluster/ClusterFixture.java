package io.pontoon.bench.cluster;

import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.Durability;
import io.pontoon.storage.TempNodeStores;
import io.pontoon.transport.NettyLoopbackFabric;
import io.pontoon.transport.NettyTransport;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real cluster for one benchmark trial: {@code nodes} {@link RaftNode}s in this JVM over
 * {@link NettyLoopbackFabric} (Netty on 127.0.0.1, a fault-injection handler per node), each with a Chronicle
 * journal and a term/vote file in a temporary directory ({@link TempNodeStores}, deleted on {@link #close()}).
 *
 * <p>RaftConfig is the default but for a 1 s election timeout, the same as {@code compare/} uses for all three
 * systems (SOFAJRaft's default): on a loaded 2-core machine a 300 ms timeout can lose a leader mid-run. Faults
 * (frame loss, fixed delay) are switched on only after the leader has committed its first entry, so set-up is
 * not what is measured.
 *
 * <p>Threads: built and closed by the JMH trial set-up thread; {@link #leader()} and
 * {@link #markLeaderStale()} are called by client threads and Raft threads.
 */
final class ClusterFixture implements AutoCloseable {
    static final long ELECTION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);

    private final TrialSettings settings;
    private final LocalCluster cluster;
    private final NettyLoopbackFabric fabric;
    /** Origin of the correlation ids: a proposal's id is its (intended) send time minus this. */
    private final long baseNs;
    /** The journal each node id opened last (a restarted node opens a new one). */
    private final Map<Integer, ChronicleLogStore> journals;
    private volatile RaftNode leader;
    private volatile boolean leaderStale;

    private ClusterFixture(TrialSettings settings, LocalCluster cluster, NettyLoopbackFabric fabric,
                           Map<Integer, ChronicleLogStore> journals) {
        this.settings = settings;
        this.cluster = cluster;
        this.fabric = fabric;
        this.journals = journals;
        this.baseNs = System.nanoTime();
    }

    static RaftConfig config() {
        return RaftConfig.defaults().toBuilder().electionTimeoutNs(ELECTION_TIMEOUT_NS).build();
    }

    static ClusterFixture start(TrialSettings settings) {
        return start(settings, config());
    }

    /** As above, with other settings than the benchmarks' default ({@link #config()}). */
    static ClusterFixture start(TrialSettings settings, RaftConfig config) {
        final TempNodeStores stores = new TempNodeStores("pontoon-bench-", settings.durability());
        final Map<Integer, ChronicleLogStore> journals = new ConcurrentHashMap<>();
        final NettyLoopbackFabric fabric = new NettyLoopbackFabric(1, id -> {
            final ChronicleLogStore journal = stores.logStore(id);
            journals.put(id, journal);
            return journal;
        }, stores::metaStore, stores::close);
        final LocalCluster cluster = LocalCluster.start(settings.nodes(), config, fabric);
        final ClusterFixture fixture = new ClusterFixture(settings, cluster, fabric, journals);
        try {
            final RaftNode first = cluster.node(cluster.awaitLeader(LEADER_TIMEOUT));
            // One entry of the leader's term committed: from here on proposals commit without waiting.
            first.propose(new byte[settings.payloadBytes()]).get(LEADER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            fixture.leader = first;
            if (settings.lossPercent() > 0) {
                fabric.dropProbability(settings.lossPercent() / 100.0);
            }
            if (settings.delayUs() > 0) {
                fabric.delay(TimeUnit.MICROSECONDS.toNanos(settings.delayUs()), 0);
            }
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("cluster did not start: " + settings, e);
        }
        System.out.println("\n[cluster] " + settings + " leader=node " + fixture.leader.nodeId() + "; "
            + MachineInfo.describe());
        return fixture;
    }

    /**
     * Binds {@link io.pontoon.metrics.PontoonMetrics} for every node to one registry and reads every meter once a
     * second on a daemon thread, as a scraper would (issue 13: throughput with metrics on vs off). Returns the
     * scraper thread; it stops when interrupted.
     */
    Thread bindMetrics() {
        final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        for (int i = 0; i < settings.nodes(); i++) {
            io.pontoon.metrics.PontoonMetrics.bindTo(cluster.node(i), registry);
        }
        final Thread scraper = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                double sum = 0;
                for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
                    for (io.micrometer.core.instrument.Measurement x : m.measure()) {
                        sum += x.getValue();
                    }
                }
                scraped = sum;
                try {
                    Thread.sleep(1000); // the scrape interval, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "metrics-scraper");
        scraper.setDaemon(true);
        scraper.start();
        return scraper;
    }

    /** Keeps the scraper's reads from being optimised away. */
    static volatile double scraped;

    TrialSettings settings() {
        return settings;
    }

    long baseNs() {
        return baseNs;
    }

    /** The node to propose to; finds the new one after {@link #markLeaderStale()} (blocks until elected). */
    RaftNode leader() {
        if (leaderStale) {
            refreshLeader();
        }
        return leader;
    }

    /** A proposal came back NOT_LEADER or LEADERSHIP_LOST: look the leader up again before the next one. */
    void markLeaderStale() {
        leaderStale = true;
    }

    private synchronized void refreshLeader() {
        if (!leaderStale) {
            return;
        }
        leaderStale = false;
        leader = cluster.node(cluster.awaitLeader(LEADER_TIMEOUT));
    }

    /** Frames dropped by the fault handlers so far (loss runs): shows the loss really happened. */
    long droppedFrames() {
        return fabric.droppedFrames();
    }

    /**
     * Batching counters summed over the nodes, since each node started: AppendEntries frames and entries its
     * transport sent, entries, records and syncs its journal wrote. Any thread; the values may lag a little (the
     * counters are plain fields of their owning threads), which a difference over seconds does not notice.
     */
    BatchCounters batchCounters() {
        long frames = 0;
        long frameEntries = 0;
        for (int id = 1; id <= settings.nodes(); id++) {
            final NettyTransport t = fabric.transportOf(id);
            if (t != null) {
                frames += t.appendFramesSent();
                frameEntries += t.appendEntriesSent();
            }
        }
        long entries = 0;
        long records = 0;
        long syncs = 0;
        for (ChronicleLogStore journal : journals.values()) {
            entries += journal.entriesWritten();
            records += journal.recordsWritten();
            syncs += journal.syncsCompleted();
        }
        return new BatchCounters(frames, frameEntries, entries, records, syncs);
    }

    /** The fields every result line starts with: what was measured and on what. */
    Map<String, String> describeFields() {
        final Map<String, String> f = new LinkedHashMap<>(settings.fields());
        f.put("transport", "netty-loopback");
        f.put("storage", "chronicle-" + settings.durability());
        f.put("election_timeout_ms", Long.toString(TimeUnit.NANOSECONDS.toMillis(ELECTION_TIMEOUT_NS)));
        return f;
    }

    /** The cluster, for runs that talk to followers too (reads) or move the leader (transfers). */
    LocalCluster cluster() {
        return cluster;
    }

    @Override
    public void close() {
        cluster.close(); // closes the fabric, which deletes the journals
    }

    /** The parameters of one trial. */
    record TrialSettings(int nodes, int payloadBytes, Durability durability, double lossPercent, long delayUs) {
        Map<String, String> fields() {
            final Map<String, String> f = new LinkedHashMap<>();
            f.put("nodes", Integer.toString(nodes));
            f.put("payload", Integer.toString(payloadBytes));
            f.put("durability", durability.name());
            f.put("loss_pct", trim(lossPercent));
            f.put("delay_us", Long.toString(delayUs));
            return f;
        }

        private static String trim(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }
    }
}
