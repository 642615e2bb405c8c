package io.pontoon.cli;

import io.pontoon.ClusterFabric;
import io.pontoon.CommitListener;
import io.pontoon.spi.LogStore;
import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class CompactingFabricTest {
    private static final long MARGIN = 4096;
    private static final long STEP = 1024;
    private static final UnsafeBuffer PAYLOAD = new UnsafeBuffer(new byte[16]);

    @Test
    void logKeepsOnlyEntriesAtOrAboveTheLowestAppliedIndexMinusTheMargin() {
        try (CompactingFabric fabric = new CompactingFabric(ClusterFabric.inMemory(), 3, MARGIN, STEP)) {
            final LogStore log = fabric.logStore(1);
            appendUpTo(log, 100_000);
            applied(fabric, 0, 100_000);
            applied(fabric, 1, 90_000);
            applied(fabric, 2, 50_000);
            log.onCommitIndex(100_000);
            final long watermark = 50_000 - MARGIN;
            assertTrue(log.firstIndex() > 1, "nothing was compacted: first index " + log.firstIndex());
            assertTrue(log.firstIndex() <= watermark,
                "entries the slowest node (applied 50,000) may still need are gone: first index " + log.firstIndex());
            assertEquals(1, log.termAt(watermark));
            assertEquals(100_000, log.lastIndex());
        }
    }

    @Test
    void aNodeThatAppliedNothingHoldsCompactionBackEverywhere() {
        try (CompactingFabric fabric = new CompactingFabric(ClusterFabric.inMemory(), 3, MARGIN, STEP)) {
            final LogStore log = fabric.logStore(1);
            appendUpTo(log, 50_000);
            applied(fabric, 0, 50_000);
            applied(fabric, 1, 50_000);
            log.onCommitIndex(50_000);
            assertEquals(1, log.firstIndex(), "node 3 has applied nothing: it may need the whole log");
        }
    }

    @Test
    void compactionNeverPassesTheCommitIndex() {
        try (CompactingFabric fabric = new CompactingFabric(ClusterFabric.inMemory(), 1, 0, 1)) {
            final LogStore log = fabric.logStore(1);
            appendUpTo(log, 20_000);
            applied(fabric, 0, 20_000);
            log.onCommitIndex(5_000);
            assertTrue(log.firstIndex() <= 5_000, "first index " + log.firstIndex());
            assertTrue(log.firstIndex() > 1, "nothing was compacted");
        }
    }

    /**
     * The demo's disk path: a Chronicle journal under the wrapper loses whole roll-cycle files once every node has
     * applied past them: the demo's own roll cycle (a file every ten seconds), driven by a settable clock.
     */
    @Test
    void chronicleJournalFilesBelowWhatEveryNodeAppliedAreDeleted(@TempDir Path dir) throws IOException {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L));
        final ChronicleLogStoreOptions options = ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).rollCycle(DemoCommand.DEMO_ROLL_CYCLE).timeProvider(clock).build();
        try (CompactingFabric fabric = new CompactingFabric(ClusterFabric.inMemory(), 2, 100, 1);
             LogStore log = fabric.new CompactingLogStore(ChronicleLogStore.open(options))) {
            for (int cycle = 0; cycle < 5; cycle++) {
                appendUpTo(log, cycle * 100L + 100);
                awaitDurable(log, cycle * 100L + 100);
                if (cycle < 4) {
                    // Not after the last one: the commit hint that onCommitIndex may write would open a sixth file.
                    clock.advanceMillis(DemoCommand.DEMO_ROLL_CYCLE.lengthInMillis());
                }
            }
            assertEquals(5, journalFiles(dir));
            applied(fabric, 0, 500);
            applied(fabric, 1, 350);
            log.onCommitIndex(500);
            // Watermark 350 - 100 = 250: the files holding [1,100] and [101,200] go, the one holding 250 stays.
            assertEquals(201, log.firstIndex());
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (journalFiles(dir) > 3 && System.nanoTime() < deadlineNs) {
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(3, journalFiles(dir), "the journal thread deletes the two files below the watermark");
        }
    }

    private static long journalFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    private static void awaitDurable(LogStore log, long index) {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (log.durableIndex() < index) {
            if (System.nanoTime() > deadlineNs) {
                fail("durable index stayed at " + log.durableIndex() + ", expected " + index);
            }
            LockSupport.parkNanos(50_000);
        }
    }

    private static void appendUpTo(LogStore log, long last) {
        for (long i = log.lastIndex() + 1; i <= last; i++) {
            log.append(i, 1, PAYLOAD, 0, PAYLOAD.capacity());
        }
    }

    private static void applied(CompactingFabric fabric, int position, long lsn) {
        final CommitListener tracker = fabric.appliedTracker(position);
        tracker.onCommit(lsn, 1, PAYLOAD, 0, PAYLOAD.capacity());
    }
}
