package io.pontoon.bench.snapshot;

import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import io.pontoon.storage.FileSnapshotStore;
import io.pontoon.storage.ShortRollCycles;
import io.pontoon.storage.TempNodeStores;
import io.pontoon.transport.NettyLoopbackFabric;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 10's catch-up goal, measured: three nodes in one JVM (Netty loopback, Chronicle journals in PAGE_CACHE,
 * ten-second journal files, file snapshot stores), each with a state machine that keeps every payload
 * ({@link BlobStateMachine}, so its snapshot is as large as the log). One follower is stopped; {@code --entries}
 * entries are committed without it and the others snapshot and compact past it; then, under the same offered load,
 * it restarts and can only catch up through InstallSnapshot.
 *
 * <pre>
 * java -Xmx256m $FLAGS -cp benchmarks/target/benchmarks.jar io.pontoon.bench.snapshot.SnapshotCatchUpRun \
 *      --entries 10000000 --payload 128 --inflight 256 --baseline-seconds 15 [--throttle-mb-per-s 50]
 * </pre>
 * Prints the snapshot size, the time from restart until the follower's state machine reaches the snapshot, the
 * transfer rate, the leader's commits/s before and during the catch-up, and the JVM's peak heap (all three nodes)
 * during the catch-up. Last line: {@code RESULT snapshot_bytes=... catch_up_ms=... mb_per_s=...
 * commits_per_s_before=... commits_per_s_during=... ratio=... peak_heap_mb=...}.
 */
public final class SnapshotCatchUpRun {
    private SnapshotCatchUpRun() {
    }

    public static void main(String[] args) throws Exception {
        long entries = 10_000_000L;
        int payload = 128;
        int inflight = 256;
        int baselineSeconds = 15;
        long throttleMbPerS = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> entries = Long.parseLong(args[++i]);
                case "--payload" -> payload = Integer.parseInt(args[++i]);
                case "--inflight" -> inflight = Integer.parseInt(args[++i]);
                case "--baseline-seconds" -> baselineSeconds = Integer.parseInt(args[++i]);
                case "--throttle-mb-per-s" -> throttleMbPerS = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                    + "; usage: --entries N --payload BYTES --inflight N --baseline-seconds S --throttle-mb-per-s M");
            }
        }
        final RaftConfig config = RaftConfig.defaults().toBuilder().electionTimeoutNs(1_000_000_000L)
            .snapshotEveryEntries(entries / 4).snapshotEveryBytes(0)
            .maxSnapshotBytesPerSecond(throttleMbPerS * 1_000_000L).build();
        final TempNodeStores stores = new TempNodeStores("pontoon-catchup-", Durability.PAGE_CACHE);
        final NettyLoopbackFabric fabric = new NettyLoopbackFabric(1, id -> ChronicleLogStore.open(
            ChronicleLogStoreOptions.builder(stores.dataDir(id)).durability(Durability.PAGE_CACHE)
                .rollCycle(ShortRollCycles.TEN_SECONDLY).build()), stores::metaStore, stores::close);
        fabric.snapshotStores(id -> FileSnapshotStore.open(stores.dataDir(id)));
        try (LocalCluster cluster = LocalCluster.start(3, config, fabric, 0,
            id -> new BlobStateMachine(stores.dataDir(id).resolve("blob.dat")))) {
            final int leaderPos = cluster.awaitLeader(Duration.ofSeconds(30));
            final int lagging = (leaderPos + 1) % 3;
            cluster.stop(lagging);
            final RaftNode leader = cluster.node(leaderPos);
            final Load load = new Load(leader, payload, inflight);

            long start = System.nanoTime();
            load.run(entries);
            System.out.printf("loaded %,d entries of %d B without node %d in %.1f s (%,.0f commits/s)%n", entries,
                payload, lagging + 1, (System.nanoTime() - start) / 1e9, entries / ((System.nanoTime() - start) / 1e9));
            // Two snapshots in a row: the log is compacted up to the first, far past the stopped node.
            leader.snapshot().get(10, TimeUnit.MINUTES);
            load.run(inflight * 4L);
            final SnapshotMeta snapshot = leader.snapshot().get(10, TimeUnit.MINUTES);
            System.out.printf("leader's snapshot: index %,d, %,d bytes%n", snapshot.index(), snapshot.sizeBytes());

            final long before = load.rateFor(baselineSeconds);
            System.out.printf("commits/s with node %d down, under load: %,d%n", lagging + 1, before);

            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            start = System.nanoTime();
            final long committedAtStart = load.committed();
            cluster.restart(lagging);
            final RaftNode follower = cluster.node(lagging);
            load.startBackground();
            final long target = leader.status().commitIndex();
            while (follower.stateMachineIndex() < Math.max(snapshot.index(), target)) {
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(30)) {
                    throw new IllegalStateException("node " + (lagging + 1) + " did not catch up in 30 minutes");
                }
                Thread.sleep(10); // reporting loop of a benchmark: polls the follower, synchronises nothing
            }
            final long catchUpNs = System.nanoTime() - start;
            final long during = Math.round((load.committed() - committedAtStart) / (catchUpNs / 1e9));
            load.stopBackground();
            long peakHeap = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peakHeap += pool.getPeakUsage().getUsed();
                }
            }
            // The snapshot the follower installed is the leader's latest when the transfer began (the policy keeps
            // taking them under load): its size is what crossed the wire.
            final SnapshotMeta installed = FileSnapshotStore.listReadOnly(stores.dataDir(lagging + 1)).get(0);
            final double mbPerS = installed.sizeBytes() / 1e6 / (catchUpNs / 1e9);
            System.out.printf("node %d installed %s and caught up past index %,d in %.2f s: %.0f MB/s; leader commits/s"
                + " during the catch-up %,d (%.0f%% of %,d); peak heap of the JVM (3 nodes) %d MiB (max %d MiB)%n",
                lagging + 1, installed, snapshot.index(), catchUpNs / 1e9, mbPerS, during, 100.0 * during / before,
                before, peakHeap >> 20, Runtime.getRuntime().maxMemory() >> 20);
            System.out.printf("RESULT snapshot_bytes=%d catch_up_ms=%d mb_per_s=%.0f commits_per_s_before=%d "
                    + "commits_per_s_during=%d ratio=%.2f peak_heap_mb=%d throttle_mb_per_s=%d jdk=%s%n", installed.sizeBytes(),
                catchUpNs / 1_000_000, mbPerS, before, during, (double) during / before, peakHeap >> 20,
                throttleMbPerS, System.getProperty("java.version"));
        }
    }

    /** Closed-loop load: {@code inflight} proposals outstanding on the leader. */
    private static final class Load {
        private final RaftNode leader;
        private final byte[] payload;
        private final Semaphore window;
        private final AtomicLong committed = new AtomicLong();
        private volatile boolean background;
        private Thread thread;

        Load(RaftNode leader, int payloadBytes, int inflight) {
            this.leader = leader;
            this.payload = new byte[payloadBytes];
            this.window = new Semaphore(inflight);
        }

        long committed() {
            return committed.get();
        }

        void run(long count) throws InterruptedException {
            final long target = committed.get() + count;
            for (long i = 0; i < count; i++) {
                proposeOne();
            }
            while (committed.get() < target) {
                Thread.onSpinWait();
            }
        }

        private void proposeOne() throws InterruptedException {
            window.acquire();
            leader.propose(payload).whenComplete((lsn, failure) -> {
                if (failure == null) {
                    committed.incrementAndGet();
                }
                window.release();
            });
        }

        long rateFor(int seconds) throws InterruptedException {
            final long from = committed.get();
            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            final long start = System.nanoTime();
            while (System.nanoTime() < end) {
                proposeOne();
            }
            return Math.round((committed.get() - from) / ((System.nanoTime() - start) / 1e9));
        }

        void startBackground() {
            background = true;
            thread = new Thread(() -> {
                try {
                    while (background) {
                        proposeOne();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "catch-up-load");
            thread.start();
        }

        void stopBackground() throws InterruptedException {
            background = false;
            thread.join();
        }
    }
}
