package io.pontoon.storage;

import net.openhft.chronicle.queue.RollCycles;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * A short store-level throughput measurement (not a test): the calling thread acts as the Raft thread, appends
 * batches of {@code batch} entries of {@code payload} bytes and waits until durableIndex() covers each batch,
 * as the journal JMH benchmark does. Prints entries/s and the store's counters (entries per record and per sync).
 *
 * <pre>
 * java [chronicle+agrona flags] -cp storage test classpath io.pontoon.storage.StoreBenchMain MODE PAYLOAD SECONDS [BATCH [PRETOUCH_WINDOW_BYTES]]
 * </pre>
 */
public final class StoreBenchMain {
    private StoreBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        final Durability mode = Durability.valueOf(args[0]);
        final int payload = Integer.parseInt(args[1]);
        final double seconds = Double.parseDouble(args[2]);
        final int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        final Path dir = Files.createTempDirectory("store-bench");
        final ChronicleLogStoreOptions.Builder builder = ChronicleLogStoreOptions.builder(dir)
            .durability(mode).rollCycle(RollCycles.FAST_HOURLY);
        if (args.length > 4) {
            builder.pretouchWindowBytes(Integer.parseInt(args[4]));
        }
        final ChronicleLogStoreOptions options = builder.build();
        final int pretouch = options.pretouchWindowBytes();
        final UnsafeBuffer src = new UnsafeBuffer(new byte[payload]);
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            long index = 0;
            // Warm-up: a third of the time.
            final long warmEndNs = System.nanoTime() + (long) (seconds * 1e9 / 3);
            while (System.nanoTime() < warmEndNs) {
                index = appendBatch(store, src, index, batch, payload);
            }
            final long[] cpu0 = threadCpu();
            final long e0 = store.entriesWritten();
            final long r0 = store.recordsWritten();
            final long s0 = store.syncsCompleted();
            final long p0 = store.pagesPretouched();
            final long startIndex = index;
            final long startNs = System.nanoTime();
            final long endNs = startNs + (long) (seconds * 1e9);
            while (System.nanoTime() < endNs) {
                index = appendBatch(store, src, index, batch, payload);
                if ((index / batch) % 50 == 0) {
                    store.deleteBefore(index - 10L * batch);
                }
            }
            final double secs = (System.nanoTime() - startNs) / 1e9;
            final long[] cpu1 = threadCpu();
            final long entries = store.entriesWritten() - e0;
            final long records = store.recordsWritten() - r0;
            final long syncs = store.syncsCompleted() - s0;
            final long pages = store.pagesPretouched() - p0;
            System.out.printf("RESULT mode=%s payload=%d batch=%d pretouch=%d entries_per_s=%.0f entries_per_record=%.1f "
                    + "entries_per_sync=%.1f pages_pretouched=%d%n", mode, payload, batch, pretouch,
                (index - startIndex) / secs, records == 0 ? 0.0 : (double) entries / records,
                syncs == 0 ? 0.0 : (double) entries / syncs, pages);
            // Thread CPU per entry, user and kernel (kernel = page faults on fresh journal pages, futex, fsync).
            final String[] names = {"raft(main)", "journal", "journal-sync", "journal-pretouch"};
            final StringBuilder line = new StringBuilder("CPU_NS_PER_ENTRY");
            for (int t = 0; t < names.length; t++) {
                line.append(' ').append(names[t]).append("_user=")
                    .append(String.format("%.0f", (cpu1[2 * t] - cpu0[2 * t]) / (double) entries))
                    .append(' ').append(names[t]).append("_sys=")
                    .append(String.format("%.0f", ((cpu1[2 * t + 1] - cpu0[2 * t + 1]) - (cpu1[2 * t] - cpu0[2 * t]))
                        / (double) entries));
            }
            System.out.println(line);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** {user, total} CPU ns of main, the journal, sync and pre-touch threads (0 if absent). */
    private static long[] threadCpu() {
        final java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        final long[] out = new long[8];
        for (final java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            final String name = info.getThreadName();
            final int slot = name.equals("main") ? 0 : name.startsWith("pontoon-journal-sync") ? 2
                : name.startsWith("pontoon-journal-pretouch") ? 3 : name.startsWith("pontoon-journal") ? 1 : -1;
            if (slot >= 0) {
                out[2 * slot] += mx.getThreadUserTime(info.getThreadId());
                out[2 * slot + 1] += mx.getThreadCpuTime(info.getThreadId());
            }
        }
        return out;
    }

    private static long appendBatch(ChronicleLogStore store, UnsafeBuffer src, long index, int batch, int payload) {
        for (int k = 0; k < batch; k++) {
            index++;
            src.putLong(0, index);
            store.append(index, 1, src, 0, payload);
        }
        while (store.durableIndex() < index) {
            LockSupport.parkNanos(1_000);
        }
        return index;
    }
}
