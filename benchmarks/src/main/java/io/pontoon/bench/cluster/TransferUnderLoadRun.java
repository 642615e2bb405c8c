package io.pontoon.bench.cluster;

import io.pontoon.LocalCluster;
import io.pontoon.RaftNode;
import io.pontoon.storage.Durability;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Issue 11's transfer goal: the longest gap between two acknowledged commits while leadership moves under load.
 * {@code nodes} nodes in one JVM ({@link ClusterFixture}: Netty loopback, Chronicle journals, 1 s election
 * timeout); a writer keeps proposing to whichever node leads ({@link RateWriter}); every {@code --every-seconds}
 * the leader hands over to the next node ({@code RaftNode.transferLeadership}), {@code --transfers} times. For each
 * transfer the gap is the longest time without an acknowledged commit from just before the request until two
 * seconds after it; in between, the longest gap is recorded too (the steady state).
 *
 * <pre>
 * java $FLAGS -cp benchmarks/target/benchmarks.jar io.pontoon.bench.cluster.TransferUnderLoadRun \
 *      --nodes 3 --payload 128 --durability PAGE_CACHE --write-rate 100000 --transfers 20 --warmup-seconds 30
 * </pre>
 * Last line: {@code RESULT transfers=... done=... gap_max_ms=... gap_p50_ms=... gap_p99_ms=... steady_gap_max_ms=...
 * election_timeout_ms=...}.
 */
public final class TransferUnderLoadRun {
    private TransferUnderLoadRun() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = 3;
        int payload = 128;
        Durability durability = Durability.PAGE_CACHE;
        long writeRate = 100_000;
        int transfers = 20;
        int warmup = 30;
        int every = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--payload" -> payload = Integer.parseInt(args[++i]);
                case "--durability" -> durability = Durability.valueOf(args[++i]);
                case "--write-rate" -> writeRate = Long.parseLong(args[++i]);
                case "--transfers" -> transfers = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmup = Integer.parseInt(args[++i]);
                case "--every-seconds" -> every = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final Histogram gaps = new Histogram(1, TimeUnit.MINUTES.toNanos(1), 3);
        long steadyMax = 0;
        int done = 0;
        try (ClusterFixture fixture = ClusterFixture.start(new ClusterFixture.TrialSettings(nodes, payload, durability,
            0, 0))) {
            final LocalCluster cluster = fixture.cluster();
            final RateWriter writer = new RateWriter(fixture, writeRate, 8192).start();
            TimeUnit.SECONDS.sleep(warmup); // load before the first transfer, not a synchronisation
            final long committedAtStart = writer.committed();
            final long startNs = System.nanoTime();
            for (int t = 0; t < transfers; t++) {
                steadyMax = Math.max(steadyMax, writer.takeMaxGapNs());
                final int from = cluster.awaitLeader(Duration.ofSeconds(30));
                final int to = (from + 1) % nodes;
                final RaftNode leader = cluster.node(from);
                try {
                    leader.transferLeadership(to + 1).get(10, TimeUnit.SECONDS);
                    done++;
                } catch (Exception e) {
                    System.out.println("transfer " + (t + 1) + " from node " + (from + 1) + " to " + (to + 1)
                        + " failed: " + e.getCause());
                }
                TimeUnit.SECONDS.sleep(2); // the window after the transfer in which a gap is charged to it
                final long gap = writer.takeMaxGapNs();
                gaps.recordValue(gap);
                System.out.printf("transfer %d: node %d -> %d, longest commit gap %.1f ms%n", t + 1, from + 1, to + 1,
                    gap / 1e6);
                TimeUnit.SECONDS.sleep(Math.max(0, every - 2));
            }
            final double elapsed = (System.nanoTime() - startNs) / 1e9;
            final double writes = (writer.committed() - committedAtStart) / elapsed;
            writer.close();
            System.out.printf("RESULT transfers=%d done=%d gap_max_ms=%.1f gap_p50_ms=%.1f gap_p99_ms=%.1f "
                    + "steady_gap_max_ms=%.1f writes_per_s=%.0f refused=%d election_timeout_ms=%d nodes=%d payload=%d "
                    + "durability=%s write_rate=%d warmup_s=%d jdk=%s%n",
                transfers, done, gaps.getMaxValue() / 1e6, gaps.getValueAtPercentile(50) / 1e6,
                gaps.getValueAtPercentile(99) / 1e6, steadyMax / 1e6, writes, writer.refused(),
                TimeUnit.NANOSECONDS.toMillis(ClusterFixture.ELECTION_TIMEOUT_NS), nodes, payload, durability,
                writeRate, warmup, System.getProperty("java.version"));
        }
        System.exit(0);
    }
}
