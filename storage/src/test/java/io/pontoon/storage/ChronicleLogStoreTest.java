package io.pontoon.storage;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.pontoon.storage.TestPayloads.append;
import static io.pontoon.storage.TestPayloads.awaitDurable;
import static io.pontoon.storage.TestPayloads.forIndex;
import static io.pontoon.storage.TestPayloads.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour specific to the Chronicle journal: restart, compaction by file, commit hints, limits. */
class ChronicleLogStoreTest {
    @TempDir
    Path dir;

    private ChronicleLogStore open(Durability durability) {
        return ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir).durability(durability).build());
    }

    @Test
    void reopenedStoreHoldsEntriesTermsAndTruncations() {
        try (ChronicleLogStore store = open(Durability.SYNC)) {
            for (long i = 1; i <= 200; i++) {
                append(store, i, 1, forIndex(i));
            }
            store.truncateFrom(150);
            for (long i = 150; i <= 160; i++) {
                append(store, i, 2, forIndex(i + 7));
            }
            awaitDurable(store, 160, 20);
        }
        try (ChronicleLogStore store = open(Durability.SYNC)) {
            assertEquals(1, store.firstIndex());
            assertEquals(160, store.lastIndex());
            assertEquals(160, store.durableIndex());
            assertEquals(2, store.lastTerm());
            assertEquals(1, store.termAt(149));
            assertEquals(2, store.termAt(150));
            for (long i = 1; i < 150; i++) {
                assertArrayEquals(forIndex(i), read(store, i), "entry " + i);
            }
            for (long i = 150; i <= 160; i++) {
                assertArrayEquals(forIndex(i + 7), read(store, i), "entry " + i);
            }
            assertNull(store.droppedTailDescription());
            append(store, 161, 3, new byte[] {1});
            assertEquals(3, store.lastTerm());
        }
    }

    @Test
    void closeWritesEveryAcceptedEntryEvenInPageCacheMode() {
        try (ChronicleLogStore store = open(Durability.PAGE_CACHE)) {
            for (long i = 1; i <= 5000; i++) {
                append(store, i, 1, forIndex(i));
            }
        }
        try (ChronicleLogStore store = open(Durability.PAGE_CACHE)) {
            assertEquals(5000, store.lastIndex());
            assertArrayEquals(forIndex(4999), read(store, 4999));
        }
    }

    @Test
    void deleteBeforeRemovesWholeRollCycleFilesBelowTheIndex() throws IOException {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L));
        final ChronicleLogStoreOptions options = ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).rollCycle(TestRollCycles.TEST_SECONDLY).timeProvider(clock).build();
        long firstAfterCompaction;
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            // Five files of 100 entries: [1,100] [101,200] ... [401,500].
            for (int cycle = 0; cycle < 5; cycle++) {
                for (long i = cycle * 100L + 1; i <= cycle * 100L + 100; i++) {
                    append(store, i, 1, forIndex(i));
                }
                awaitDurable(store, cycle * 100L + 100, 20);
                clock.advanceMillis(1000);
            }
            assertEquals(5, journalFiles());
            store.deleteBefore(250);
            firstAfterCompaction = store.firstIndex();
            assertEquals(201, firstAfterCompaction, "whole files below the one holding 250 go");
            assertEquals(LogStoreNull.NULL, store.termAt(100));
            assertEquals(1, store.termAt(200), "term just below the first held entry is still known");
            for (long i = 201; i <= 500; i++) {
                assertArrayEquals(forIndex(i), read(store, i), "entry " + i);
            }
            append(store, 501, 2, new byte[] {5});
            awaitDurable(store, 501, 20);
            assertEquals(3 + 1, journalFiles(), "two files deleted; entry 501 went to a new file");
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            assertEquals(firstAfterCompaction, store.firstIndex());
            assertEquals(501, store.lastIndex());
            assertArrayEquals(forIndex(201), read(store, 201));
        }
    }

    @Test
    void commitHintIsRecordedAndDumpListsEntriesUpToIt() {
        try (ChronicleLogStore store = open(Durability.SYNC)) {
            for (long i = 1; i <= 10; i++) {
                append(store, i, 1 + i / 5, forIndex(i));
            }
            store.onCommitIndex(7);
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final long printed = JournalDump.dump(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(7, printed);
        assertEquals(8, lines.length);
        for (int i = 1; i <= 7; i++) {
            assertEquals("ENTRY lsn=" + i + " term=" + (1 + i / 5) + " crc=" + JournalDump.payloadCrcHex(forIndex(i)),
                lines[i - 1]);
        }
        assertEquals("RESULT last_lsn=10 commit_index=7", lines[7]);
        try (ChronicleLogStore store = open(Durability.SYNC)) {
            assertEquals(7, store.recoveredCommitIndex());
        }
    }

    @Test
    void payloadLargerThanAnEighthOfTheRingIsRejectedNamingTheLimit() {
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .ringCapacityBytes(64 * 1024).build())) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> append(store, 1, 1, new byte[9000]));
            assertTrue(e.getMessage().contains("ringCapacityBytes=65536") && e.getMessage().contains("[0, 8176]"), e.getMessage());
            append(store, 1, 1, new byte[8000]);
            assertEquals(1, store.lastIndex());
        }
    }

    @Test
    void journalThreadWakesTheRaftThreadWhenTheDurableIndexMoves() {
        try (ChronicleLogStore store = open(Durability.SYNC)) {
            final java.util.concurrent.atomic.AtomicInteger wakeups = new java.util.concurrent.atomic.AtomicInteger();
            store.durableIndexWakeup(wakeups::incrementAndGet);
            for (long i = 1; i <= 20; i++) {
                append(store, i, 1, forIndex(i));
            }
            awaitDurable(store, 20, 20);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (wakeups.get() == 0 && System.nanoTime() < deadlineNs) {
                Thread.onSpinWait();
            }
            assertTrue(wakeups.get() >= 1, "wake-ups: " + wakeups.get());
        }
    }

    @Test
    void storeRejectsUseAfterClose() {
        final ChronicleLogStore store = open(Durability.PAGE_CACHE);
        store.close();
        assertThrows(IllegalStateException.class, () -> append(store, 1, 1, new byte[1]));
    }

    private long journalFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("journal"))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    /** Keeps the sentinel readable in assertions. */
    private static final class LogStoreNull {
        static final long NULL = io.pontoon.spi.LogStore.NULL_VALUE;
    }
}
