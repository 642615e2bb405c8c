package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static io.pontoon.storage.TestPayloads.append;
import static io.pontoon.storage.TestPayloads.awaitDurable;
import static io.pontoon.storage.TestPayloads.forIndex;
import static io.pontoon.storage.TestPayloads.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChronicleLogStore#resetTo}: the log restarts after a snapshot (beyond, inside or below the old log), the
 * RESET record survives a reopen and is replayed as the log's start, the durable index follows the truncation rule
 * until the reset is durable, compaction after a reset, and a damaged RESET record under the recovery rules.
 */
class JournalResetTest {
    @TempDir
    Path dir;

    private ChronicleLogStoreOptions options(Durability durability, int cacheBytes) {
        return ChronicleLogStoreOptions.builder(dir).durability(durability).cacheCapacityBytes(cacheBytes).build();
    }

    private ChronicleLogStoreOptions options(Durability durability) {
        return options(durability, 1 << 20);
    }

    /** Entries after a reset get other bytes than the old entry at the same index had. */
    private static byte[] newPayload(long index) {
        return forIndex(index + 7_919);
    }

    private static void appendOld(LogStore store, long from, long to) {
        for (long i = from; i <= to; i++) {
            append(store, i, 1, forIndex(i));
        }
    }

    private static void appendNew(LogStore store, long from, long to, long term) {
        for (long i = from; i <= to; i++) {
            append(store, i, term, newPayload(i));
        }
    }

    /** The log restarted at {@code resetIndex} (of {@code resetTerm}) and holds new entries up to {@code last}. */
    private static void assertResetLog(LogStore store, long resetIndex, long resetTerm, long last, long entryTerm) {
        assertEquals(resetIndex + 1, store.firstIndex(), "firstIndex");
        assertEquals(last, store.lastIndex(), "lastIndex");
        assertEquals(last == resetIndex ? resetTerm : entryTerm, store.lastTerm(), "lastTerm");
        assertEquals(resetTerm, store.termAt(resetIndex), "term at the reset point");
        assertEquals(LogStore.NULL_VALUE, store.termAt(resetIndex - 1), "below the reset point");
        assertEquals(LogStore.NULL_VALUE, store.termAt(last + 1));
        assertNull(read(store, resetIndex), "the reset point holds no entry");
        assertEquals(-1, store.payloadLength(resetIndex));
        for (long i = resetIndex + 1; i <= last; i++) {
            assertEquals(entryTerm, store.termAt(i), "term of " + i);
            assertEquals(newPayload(i).length, store.payloadLength(i), "length of " + i);
            assertArrayEquals(newPayload(i), read(store, i), "entry " + i);
        }
    }

    /** Old log [1, 80] (durable up to 50); reset beyond it (100), inside it (60), below its durable index (10). */
    @ParameterizedTest(name = "{0}, reset to {1}, cache {2} B")
    @CsvSource({
        "SYNC, 100, 1048576", "SYNC, 60, 1048576", "SYNC, 10, 1048576", "SYNC, 10, 0",
        "PAGE_CACHE, 100, 1048576", "PAGE_CACHE, 60, 0", "PAGE_CACHE, 10, 1048576", "PAGE_CACHE, 100, 0"})
    void resetRestartsTheLogAfterTheIndexAndSurvivesReopen(Durability durability, long resetIndex, int cacheBytes) {
        final ChronicleLogStoreOptions options = options(durability, cacheBytes);
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            appendOld(store, 1, 50);
            awaitDurable(store, 50, 20);
            appendOld(store, 51, 80);
            store.resetTo(resetIndex, 3);
            assertTrue(store.durableIndex() <= resetIndex, "durable index right after the reset: " + store.durableIndex());
            assertResetLog(store, resetIndex, 3, resetIndex, 0);
            assertNull(read(store, 1));
            assertEquals(LogStore.NULL_VALUE, store.termAt(50));
            appendNew(store, resetIndex + 1, resetIndex + 300, 4);
            awaitDurable(store, resetIndex + 300, 20);
            assertEquals(resetIndex + 300, store.durableIndex());
            assertResetLog(store, resetIndex, 3, resetIndex + 300, 4);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            assertNull(store.droppedTailDescription());
            assertEquals(resetIndex + 300, store.durableIndex());
            assertResetLog(store, resetIndex, 3, resetIndex + 300, 4);
            append(store, resetIndex + 301, 5, new byte[] {7});
            assertEquals(5, store.lastTerm());
        }
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void resetOfAnEmptyStoreAndAResetWithNoEntriesAfterItSurviveReopen(Durability durability) {
        try (ChronicleLogStore store = ChronicleLogStore.open(options(durability))) {
            store.resetTo(1_000, 2);
            awaitDurable(store, 1_000, 20);
            assertEquals(1_000, store.durableIndex());
            assertResetLog(store, 1_000, 2, 1_000, 0);
            // The empty log cannot be compacted or truncated below its start.
            store.deleteBefore(1_000);
            store.truncateFrom(1_001);
            assertResetLog(store, 1_000, 2, 1_000, 0);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options(durability))) {
            assertResetLog(store, 1_000, 2, 1_000, 0);
            assertEquals(1_000, store.durableIndex());
        }
    }

    @Test
    void durableIndexStaysAtMostTheResetIndexUntilTheResetIsDurablePageCache() throws Exception {
        try (ChronicleLogStore store = ChronicleLogStore.open(options(Durability.PAGE_CACHE))) {
            appendOld(store, 1, 50);
            awaitDurable(store, 50, 20);
            // Hold the journal thread in its wake-up after it published entry 51: nothing after it gets written.
            final JournalFormatRecoveryTest.Gate gate = new JournalFormatRecoveryTest.Gate();
            store.durableIndexWakeup(gate);
            appendOld(store, 51, 51);
            gate.awaitArrival();
            assertEquals(51, store.durableIndex());

            store.resetTo(100, 2);
            appendNew(store, 101, 110, 2);
            assertEquals(51, store.durableIndex(), "the RESET record is not written yet");
            store.resetTo(20, 3);
            assertEquals(20, store.durableIndex(), "a reset below the published durable index caps it at once");
            appendNew(store, 21, 40, 3);
            assertEquals(20, store.durableIndex());

            gate.openForGood();
            awaitDurable(store, 40, 20);
            assertEquals(40, store.durableIndex());
            assertResetLog(store, 20, 3, 40, 3);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options(Durability.PAGE_CACHE))) {
            assertResetLog(store, 20, 3, 40, 3);
        }
    }

    @Test
    void durableIndexStaysBelowTheResetIndexUntilTheResetIsSynced() throws Exception {
        final ChronicleLogStore store = ChronicleLogStore.open(options(Durability.SYNC));
        final Semaphore syncing = new Semaphore(0);
        final Semaphore release = new Semaphore(0);
        final AtomicBoolean hold = new AtomicBoolean(true);
        try {
            appendOld(store, 1, 50);
            awaitDurable(store, 50, 20);
            store.syncer().force = channel -> {
                if (hold.get()) {
                    syncing.release();
                    release.acquireUninterruptibly();
                }
                channel.force(false);
            };
            store.resetTo(100, 2);
            appendNew(store, 101, 110, 2);
            if (!syncing.tryAcquire(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the sync thread never synced the reset");
            }
            // The sync covering the RESET record is stuck in fdatasync: nothing new may count as durable.
            for (int i = 0; i < 100; i++) {
                assertEquals(50, store.durableIndex(), "durable index while the reset is not synced");
            }
            hold.set(false);
            release.release(1_000);
            awaitDurable(store, 110, 20);
            assertEquals(110, store.durableIndex());
            assertResetLog(store, 100, 2, 110, 2);
        } finally {
            hold.set(false);
            release.release(1_000);
            store.close();
        }
        try (ChronicleLogStore store2 = ChronicleLogStore.open(options(Durability.SYNC))) {
            assertResetLog(store2, 100, 2, 110, 2);
            assertEquals(110, store2.durableIndex());
        }
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void aSecondResetReplacesTheFirstAcrossReopen(Durability durability) {
        try (ChronicleLogStore store = ChronicleLogStore.open(options(durability))) {
            appendOld(store, 1, 30);
            store.resetTo(100, 2);
            appendNew(store, 101, 120, 2);
            // Inside the log started by the first reset.
            store.resetTo(110, 3);
            assertResetLog(store, 110, 3, 110, 0);
            appendNew(store, 111, 115, 3);
            awaitDurable(store, 115, 20);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options(durability))) {
            assertResetLog(store, 110, 3, 115, 3);
            // Beyond the log, after a reopen.
            store.resetTo(500, 4);
            appendNew(store, 501, 510, 4);
            awaitDurable(store, 510, 20);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options(durability))) {
            assertResetLog(store, 500, 4, 510, 4);
        }
    }

    @Test
    void appendingAnywhereButRightAfterTheResetPointThrows() {
        try (ChronicleLogStore store = ChronicleLogStore.open(options(Durability.PAGE_CACHE))) {
            appendOld(store, 1, 30);
            store.resetTo(100, 2);
            assertThrows(IllegalStateException.class, () -> append(store, 31, 2, new byte[1]));
            assertThrows(IllegalStateException.class, () -> append(store, 100, 2, new byte[1]));
            assertThrows(IllegalStateException.class, () -> append(store, 102, 2, new byte[1]));
            assertThrows(IllegalStateException.class, () -> store.truncateFrom(100), "below the first held index");
            assertThrows(IllegalArgumentException.class, () -> store.resetTo(0, 2));
            assertThrows(IllegalArgumentException.class, () -> store.resetTo(5, 0));
            assertResetLog(store, 100, 2, 100, 0);
            appendNew(store, 101, 101, 2);
            assertResetLog(store, 100, 2, 101, 2);
        }
    }

    @Test
    void compactionAfterAResetDeletesTheResetFileOnlyWithTheEntriesBeforeTheNewFirstIndex() throws IOException {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L));
        final ChronicleLogStoreOptions options = ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).rollCycle(TestRollCycles.TEST_SECONDLY).timeProvider(clock).build();
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            appendOld(store, 1, 300);                      // file 1: the old log
            awaitDurable(store, 300, 20);
            clock.advanceMillis(1_000);
            store.resetTo(10, 2);                          // file 2: RESET(10), [11, 100]
            appendNew(store, 11, 100, 2);
            awaitDurable(store, 100, 20);
            clock.advanceMillis(1_000);
            appendNew(store, 101, 200, 2);                 // file 3
            awaitDurable(store, 200, 20);
            assertEquals(3, journalFiles());

            // Nothing held lies in a file before the RESET's: nothing to delete, the RESET stays.
            store.deleteBefore(60);
            assertEquals(11, store.firstIndex());
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            assertResetLog(store, 10, 2, 200, 2);
            store.deleteBefore(150);
            // Whole files below the one holding 150: the old log's and the RESET's with [11, 100].
            assertEquals(101, store.firstIndex());
            assertEquals(2, store.termAt(100), "term below the first held entry is known until reopen");
            clock.advanceMillis(1_000);
            appendNew(store, 201, 210, 2);
            awaitDurable(store, 210, 20);
        }
        assertEquals(2, journalFiles());
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            // The first remaining record is a BATCH at 101: the log starts there, as for any compacted journal.
            assertEquals(101, store.firstIndex());
            assertEquals(210, store.lastIndex());
            assertEquals(LogStore.NULL_VALUE, store.termAt(100));
            for (long i = 101; i <= 210; i++) {
                assertArrayEquals(newPayload(i), read(store, i), "entry " + i);
            }
        }
    }

    /**
     * Compaction unmaps log index segment 0 and leaves its file for the journal thread to delete; a reset then
     * moves the log back into segment 0 before the journal thread got to it. The new segment must not trip over
     * the old file (a regression guard: mapping a segment refused an existing file).
     */
    @Test
    void resetIntoAnIndexSegmentWhoseCompactedFileIsNotDeletedYet() throws Exception {
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L));
        final ChronicleLogStoreOptions options = ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).rollCycle(TestRollCycles.TEST_SECONDLY).timeProvider(clock)
            .cacheCapacityBytes(0).build();
        final int segment = LogIndex.SEGMENT_ENTRIES;
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            final byte[] payload = new byte[4];
            for (long i = 1; i <= segment + 100; i++) {
                append(store, i, 1, payload);
            }
            awaitDurable(store, segment + 100, 30);
            clock.advanceMillis(1_000);
            for (long i = segment + 101; i <= segment + 200; i++) {
                append(store, i, 1, payload);
            }
            awaitDurable(store, segment + 200, 30);
            final JournalFormatRecoveryTest.Gate gate = new JournalFormatRecoveryTest.Gate();
            store.durableIndexWakeup(gate);
            append(store, segment + 201, 1, payload);
            gate.awaitArrival();

            store.deleteBefore(segment + 150);
            assertEquals(segment + 101, store.firstIndex(), "segment 0 is unmapped, its file deletion queued");
            store.resetTo(10, 2);
            appendNew(store, 11, 40, 2);
            // (Reads wait for the journal thread: the cache is off and it is held.)
            assertEquals(11, store.firstIndex());
            assertEquals(40, store.lastIndex());
            assertEquals(2, store.termAt(10));
            assertEquals(2, store.termAt(40));
            gate.openForGood();
            awaitDurable(store, 40, 20);
            assertResetLog(store, 10, 2, 40, 2);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            assertResetLog(store, 10, 2, 40, 2);
        }
    }

    @Test
    void dumpPrintsTheResetPointBeforeTheEntries() {
        try (ChronicleLogStore store = ChronicleLogStore.open(options(Durability.SYNC))) {
            appendOld(store, 1, 20);
            store.resetTo(100, 3);
            appendNew(store, 101, 105, 3);
            store.onCommitIndex(104);
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(4, JournalDump.dump(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(6, lines.length);
        assertEquals("RESET lsn=100 term=3", lines[0]);
        for (int i = 101; i <= 104; i++) {
            assertEquals("ENTRY lsn=" + i + " term=3 crc=" + JournalDump.payloadCrcHex(newPayload(i)), lines[i - 100]);
        }
        assertEquals("RESULT last_lsn=105 commit_index=104", lines[5]);
    }

    private long journalFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(DataDirectory.JOURNAL_DIR))) {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    /** A RESET record as it sits in its file. */
    private record ResetRecord(File file, long position, long queueIndex) {
    }

    private List<ResetRecord> resetRecords() {
        final List<ResetRecord> out = new ArrayList<>();
        JournalRecords.walk(options(Durability.PAGE_CACHE), (file, queueIndex, position, record, length) -> {
            if (record.getByte(0) == JournalFormat.TYPE_RESET) {
                assertEquals(JournalFormat.RESET_RECORD_LENGTH, length);
                out.add(new ResetRecord(file, position, queueIndex));
            }
        });
        return out;
    }

    /** A torn write: the RESET's term and CRC never reached the disk. */
    private static void tear(ResetRecord reset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(reset.file(), "rw")) {
            raf.seek(reset.position() + JournalFormat.RESET_TERM_OFFSET);
            raf.write(new byte[JournalFormat.RESET_RECORD_LENGTH - JournalFormat.RESET_TERM_OFFSET]);
        }
    }

    @Test
    void aTornResetAtTheTailIsDroppedAndTheOldLogKept() throws Exception {
        try (ChronicleLogStore store = ChronicleLogStore.open(options(Durability.PAGE_CACHE))) {
            appendOld(store, 1, 50);
            store.resetTo(100, 2);
            awaitDurable(store, 100, 20);
        }
        final List<ResetRecord> resets = resetRecords();
        assertEquals(1, resets.size());
        tear(resets.get(0));
        try (ChronicleLogStore store = ChronicleLogStore.open(options(Durability.PAGE_CACHE))) {
            final String dropped = store.droppedTailDescription();
            assertNotNull(dropped);
            assertTrue(dropped.contains(resets.get(0).file().getName())
                && dropped.contains("byte offset " + resets.get(0).position()) && dropped.contains("CRC32C mismatch"),
                dropped);
            // A crash before the reset was durable: the old log, whole.
            assertEquals(1, store.firstIndex());
            assertEquals(50, store.lastIndex());
            for (long i = 1; i <= 50; i++) {
                assertArrayEquals(forIndex(i), read(store, i), "entry " + i);
            }
            store.resetTo(100, 2);
            appendNew(store, 101, 102, 2);
            awaitDurable(store, 102, 20);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options(Durability.PAGE_CACHE))) {
            assertNull(store.droppedTailDescription(), "the DISCARD record keeps the torn RESET dropped");
            assertResetLog(store, 100, 2, 102, 2);
        }
    }

    @Test
    void aDamagedResetFollowedByEntriesRefusesToStart() throws Exception {
        try (ChronicleLogStore store = ChronicleLogStore.open(options(Durability.PAGE_CACHE))) {
            appendOld(store, 1, 50);
            store.resetTo(100, 2);
            appendNew(store, 101, 110, 2);
            awaitDurable(store, 110, 20);
        }
        final ResetRecord reset = resetRecords().get(0);
        tear(reset);
        final JournalCorruptedException e = assertThrows(JournalCorruptedException.class,
            () -> ChronicleLogStore.open(options(Durability.PAGE_CACHE)));
        assertTrue(e.getMessage().contains("byte offset " + reset.position()) && e.getMessage().contains("refusing to start"),
            e.getMessage());
    }
}
