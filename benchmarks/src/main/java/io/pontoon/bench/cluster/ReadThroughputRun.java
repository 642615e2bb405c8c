package io.pontoon.bench.cluster;

import io.pontoon.RaftNode;
import io.pontoon.ReadPolicy;
import io.pontoon.storage.Durability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 11's read goals: linearizable reads per second on a cluster while writes run in the background.
 * {@code nodes} nodes in one JVM (Netty loopback, Chronicle journals, {@link ClusterFixture}); a writer proposes to
 * the leader at {@code --write-rate} (0: none); reader threads keep {@code --inflight} {@code readIndex()} calls
 * outstanding on each node they read from ({@code --on leader}: the leader only, ReadIndex there; {@code --on all}:
 * every node, so followers serve reads with an index from the leader). One heartbeat round serves every read the
 * leader queued in a duty cycle.
 *
 * <pre>
 * java $FLAGS -cp benchmarks/target/benchmarks.jar io.pontoon.bench.cluster.ReadThroughputRun \
 *      --nodes 3 --payload 128 --durability PAGE_CACHE --write-rate 270000 --on leader --inflight 4096 \
 *      --warmup-seconds 30 --seconds 30 [--lease]
 * </pre>
 * Last line: {@code RESULT reads_per_s=... writes_per_s=... on=... nodes=... payload=... durability=... jdk=...},
 * after one {@code NODE id=... reads_per_s=...} line per node read from.
 */
public final class ReadThroughputRun {
    private ReadThroughputRun() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = 3;
        int payload = 128;
        Durability durability = Durability.PAGE_CACHE;
        long writeRate = 0;
        String on = "leader";
        int inflight = 4096;
        int warmup = 30;
        int seconds = 30;
        boolean lease = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--payload" -> payload = Integer.parseInt(args[++i]);
                case "--durability" -> durability = Durability.valueOf(args[++i]);
                case "--write-rate" -> writeRate = Long.parseLong(args[++i]);
                case "--on" -> on = args[++i];
                case "--inflight" -> inflight = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmup = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--lease" -> lease = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!on.equals("leader") && !on.equals("all")) {
            throw new IllegalArgumentException("--on must be leader or all, got " + on);
        }
        final ReadPolicy policy = lease ? ReadPolicy.LEASE : ReadPolicy.LINEARIZABLE;
        try (ClusterFixture fixture = ClusterFixture.start(new ClusterFixture.TrialSettings(nodes, payload, durability,
            0, 0), lease ? ClusterFixture.config().toBuilder().leaseReads(true)
            .maxClockDriftNs(ClusterFixture.ELECTION_TIMEOUT_NS / 10).build() : ClusterFixture.config())) {
            final RaftNode leader = fixture.leader();
            final List<RaftNode> targets = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                final RaftNode n = fixture.cluster().node(i);
                if (on.equals("all") || n == leader) {
                    targets.add(n);
                }
            }
            final RateWriter writer = writeRate > 0 ? new RateWriter(fixture, writeRate, 8192).start() : null;
            final AtomicLong[] reads = new AtomicLong[targets.size()];
            final AtomicLong failed = new AtomicLong();
            final List<Thread> readers = new ArrayList<>();
            final boolean[] running = {true};
            for (int t = 0; t < targets.size(); t++) {
                final RaftNode node = targets.get(t);
                final AtomicLong count = reads[t] = new AtomicLong();
                final Semaphore window = new Semaphore(inflight / targets.size());
                final Thread reader = new Thread(() -> {
                    while (running[0]) {
                        try {
                            if (!window.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                                continue;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                        node.readIndex(policy).whenComplete((index, error) -> {
                            window.release();
                            if (error == null) {
                                count.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                        });
                    }
                }, "bench-reader-" + node.nodeId());
                reader.setDaemon(true);
                reader.start();
                readers.add(reader);
            }
            TimeUnit.SECONDS.sleep(warmup); // the warm-up is load, not a synchronisation
            final long[] readsAtStart = new long[reads.length];
            for (int t = 0; t < reads.length; t++) {
                readsAtStart[t] = reads[t].get();
            }
            final long writesAtStart = writer == null ? 0 : writer.committed();
            final long startNs = System.nanoTime();
            TimeUnit.SECONDS.sleep(seconds);
            final double elapsed = (System.nanoTime() - startNs) / 1e9;
            long total = 0;
            for (int t = 0; t < reads.length; t++) {
                final long r = reads[t].get() - readsAtStart[t];
                total += r;
                System.out.printf("NODE id=%d role=%s reads_per_s=%.0f%n", targets.get(t).nodeId(),
                    targets.get(t).status().role(), r / elapsed);
            }
            final double writes = writer == null ? 0 : (writer.committed() - writesAtStart) / elapsed;
            running[0] = false;
            for (Thread r : readers) {
                r.join(5_000);
            }
            if (writer != null) {
                writer.close();
            }
            System.out.printf("RESULT reads_per_s=%.0f writes_per_s=%.0f failed_reads=%d policy=%s on=%s nodes=%d "
                    + "payload=%d durability=%s inflight=%d write_rate=%d warmup_s=%d seconds=%d jdk=%s%n",
                total / elapsed, writes, failed.get(), policy, on, nodes, payload, durability, inflight, writeRate,
                warmup, seconds, System.getProperty("java.version"));
        }
        System.exit(0);
    }
}
