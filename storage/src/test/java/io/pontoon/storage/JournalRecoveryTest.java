package io.pontoon.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.pontoon.storage.TestPayloads.append;
import static io.pontoon.storage.TestPayloads.forIndex;
import static io.pontoon.storage.TestPayloads.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage to the journal files: a damaged tail is dropped with a warning naming file and position, and the
 * journal stays usable across later restarts; damage before the tail refuses to start.
 */
class JournalRecoveryTest {
    private static final int ENTRIES = 20;

    @TempDir
    Path dir;

    /** Where one journal record sits in its file. */
    record Location(File file, long position, int length) {
    }

    private ChronicleLogStoreOptions options() {
        return ChronicleLogStoreOptions.builder(dir).durability(Durability.PAGE_CACHE).build();
    }

    private List<Location> writeEntries() {
        try (ChronicleLogStore store = ChronicleLogStore.open(options())) {
            for (long i = 1; i <= ENTRIES; i++) {
                append(store, i, 1, forIndex(i + 100));
                // Durable before the next append: the journal thread sees one entry per duty cycle, so each
                // entry is a BATCH record of its own here (JournalFormatRecoveryTest covers larger batches).
                TestPayloads.awaitDurable(store, i, 10);
            }
        }
        final List<Location> records = new ArrayList<>();
        JournalRecords.walk(options(), (file, queueIndex, position, record, length) ->
            records.add(new Location(file, position, length)));
        assertEquals(ENTRIES, records.size());
        return records;
    }

    private static void flip(Location record, int offsetInRecord) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(record.file(), "rw")) {
            file.seek(record.position() + offsetInRecord);
            final int b = file.read();
            file.seek(record.position() + offsetInRecord);
            file.write(b ^ 0xff);
        }
    }

    private void assertRecoveredTo(long lastIndex, Location firstBad, String reason) {
        try (ChronicleLogStore store = ChronicleLogStore.open(options())) {
            assertEquals(lastIndex, store.lastIndex());
            for (long i = 1; i <= lastIndex; i++) {
                assertArrayEquals(forIndex(i + 100), read(store, i), "entry " + i);
            }
            final String dropped = store.droppedTailDescription();
            assertNotNull(dropped, "a dropped tail must be reported");
            assertTrue(dropped.contains(firstBad.file().getName()) && dropped.contains("byte offset " + firstBad.position())
                && dropped.contains(reason), dropped);
            // The journal stays usable: new entries after the dropped tail survive the next restart.
            for (long i = lastIndex + 1; i <= lastIndex + 5; i++) {
                append(store, i, 2, forIndex(i));
            }
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(options())) {
            assertNull(store.droppedTailDescription(), "the tail was dropped once and stays dropped");
            assertEquals(lastIndex + 5, store.lastIndex());
            assertArrayEquals(forIndex(lastIndex + 5), read(store, lastIndex + 5));
            assertArrayEquals(forIndex(lastIndex + 100), read(store, lastIndex));
        }
    }

    @Test
    void flippedPayloadByteInTheLastEntryIsDroppedWithAWarning() throws IOException {
        final List<Location> records = writeEntries();
        final Location last = records.get(ENTRIES - 1);
        flip(last, JournalFormat.BATCH_PAYLOAD_OFFSET);
        assertRecoveredTo(ENTRIES - 1, last, "CRC32C mismatch");
    }

    @Test
    void flippedCrcBytesInTheLastEntryAreDroppedWithAWarning() throws IOException {
        final List<Location> records = writeEntries();
        final Location last = records.get(ENTRIES - 1);
        flip(last, last.length() - 1);
        flip(last, last.length() - 3);
        assertRecoveredTo(ENTRIES - 1, last, "CRC32C mismatch");
    }

    @Test
    void tornTailOfSeveralRecordsIsDroppedFromTheFirstDamagedOne() throws IOException {
        final List<Location> records = writeEntries();
        // A torn group commit: the last three records lost their trailing bytes (zeroed pages).
        for (int r = ENTRIES - 3; r < ENTRIES; r++) {
            final Location record = records.get(r);
            try (RandomAccessFile file = new RandomAccessFile(record.file(), "rw")) {
                file.seek(record.position() + record.length() - 6);
                file.write(new byte[6]);
            }
        }
        assertRecoveredTo(ENTRIES - 3, records.get(ENTRIES - 3), "CRC32C mismatch");
    }

    @Test
    void recordWhoseLengthFieldIsDamagedAtTheTailIsDropped() throws IOException {
        final List<Location> records = writeEntries();
        final Location last = records.get(ENTRIES - 1);
        // The length field of the (only) entry in the record's table.
        flip(last, last.length() - JournalFormat.BATCH_TRAILER_LENGTH - JournalFormat.BATCH_TABLE_ENTRY_LENGTH
            + JournalFormat.BATCH_TABLE_LENGTH_OFFSET + 1);
        assertRecoveredTo(ENTRIES - 1, last, "header implies");
    }

    @Test
    void damageBeforeTheTailRefusesToStartNamingFileAndPosition() throws IOException {
        final List<Location> records = writeEntries();
        final Location fifth = records.get(4);
        flip(fifth, JournalFormat.BATCH_PAYLOAD_OFFSET + 1);
        final JournalCorruptedException e = assertThrows(JournalCorruptedException.class,
            () -> ChronicleLogStore.open(options()));
        assertTrue(e.getMessage().contains(fifth.file().getName())
            && e.getMessage().contains("byte offset " + fifth.position())
            && e.getMessage().contains("refusing to start"), e.getMessage());
        // The refusal released the directory lock, and it keeps refusing: nothing was "repaired" silently.
        assertThrows(JournalCorruptedException.class, () -> ChronicleLogStore.open(options()));
    }
}
