package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import io.pontoon.spi.Membership;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pontoon.storage.TestPayloads.append;
import static io.pontoon.storage.TestPayloads.awaitDurable;
import static io.pontoon.storage.TestPayloads.buffer;
import static io.pontoon.storage.TestPayloads.forIndex;
import static io.pontoon.storage.TestPayloads.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration entries ({@link LogStore#KIND_CONFIGURATION}) in the Chronicle journal: the kind crosses the
 * hand-over ring, lands in bit 31 of the BATCH table's length, comes back from replay, and follows truncations
 * and resets; {@code kindAt} allocates nothing; {@code ./pontoon dump} prints the configuration.
 */
class ConfigurationEntryTest {
    private static final Membership JOINT = Membership.joint(new int[] {1, 2, 4}, new int[] {1, 2, 3}, new int[] {5},
        Map.of(4, "10.0.0.4:7000", 5, "10.0.0.5:7000"));
    private static final Membership NEXT = JOINT.leaveJoint();

    @TempDir
    Path dir;

    /** PAGE_CACHE, no entry cache: every read of an older entry comes from the mapped journal. */
    private ChronicleLogStoreOptions options() {
        return ChronicleLogStoreOptions.builder(dir).durability(Durability.PAGE_CACHE).cacheCapacityBytes(0).build();
    }

    private ChronicleLogStore open() {
        return ChronicleLogStore.open(options());
    }

    private static void appendConfig(LogStore store, long index, long term, Membership membership) {
        final byte[] bytes = membership.encode();
        store.append(index, term, LogStore.KIND_CONFIGURATION, buffer(bytes), 0, bytes.length);
    }

    private static void assertKinds(LogStore store, long to, long... configIndexes) {
        for (long i = store.firstIndex(); i <= to; i++) {
            int expected = LogStore.KIND_DATA;
            for (long c : configIndexes) {
                expected = c == i ? LogStore.KIND_CONFIGURATION : expected;
            }
            assertEquals(expected, store.kindAt(i), "kind of " + i);
        }
    }

    @Test
    void configurationEntriesInsideABatchAreMarkedInItsTableAndComeBackAfterRestart() throws Exception {
        try (ChronicleLogStore store = open()) {
            // Entry 1 alone, then entries 2..6 in one duty cycle, so one BATCH record (see JournalFormatRecoveryTest).
            final JournalFormatRecoveryTest.Gate gate = new JournalFormatRecoveryTest.Gate();
            store.durableIndexWakeup(gate);
            append(store, 1, 1, forIndex(1));
            gate.awaitArrival();
            append(store, 2, 1, forIndex(2));
            appendConfig(store, 3, 1, JOINT);
            append(store, 4, 1, forIndex(4));
            appendConfig(store, 5, 1, NEXT);
            append(store, 6, 1, forIndex(6));
            assertKinds(store, 6, 3, 5);
            gate.pass();
            gate.awaitArrival();
            gate.openForGood();
            awaitDurable(store, 6, 20);
            // Written and reported: the kinds now sit beside journal positions, the bytes come from the journal.
            assertKinds(store, 6, 3, 5);
            assertEquals(JOINT, Membership.decode(read(store, 3)));
            assertEquals(NEXT, Membership.decode(read(store, 5)));
            assertArrayEquals(forIndex(4), read(store, 4));
        }
        final List<int[]> tables = new ArrayList<>();
        JournalRecords.walk(options(), (file, queueIndex, position, record, length) -> {
            if (record.getByte(0) == JournalFormat.TYPE_BATCH
                && record.getLong(JournalFormat.BATCH_FIRST_INDEX_OFFSET, JournalFormat.ORDER) == 2) {
                final int count = JournalFormat.batchCount(record, length);
                final int[] lengths = new int[count];
                for (int k = 0; k < count; k++) {
                    lengths[k] = record.getInt(JournalFormat.batchTableOffset(length, count)
                        + k * JournalFormat.BATCH_TABLE_ENTRY_LENGTH + JournalFormat.BATCH_TABLE_LENGTH_OFFSET,
                        JournalFormat.ORDER);
                }
                tables.add(lengths);
            }
        });
        assertEquals(1, tables.size(), "one BATCH starting at 2: " + JournalRecords.describe(dir));
        final int flag = JournalFormat.BATCH_CONFIGURATION_FLAG;
        assertArrayEquals(new int[] {forIndex(2).length, JOINT.encode().length | flag, forIndex(4).length,
            NEXT.encode().length | flag, forIndex(6).length}, tables.get(0));

        try (ChronicleLogStore store = open()) {
            assertEquals(6, store.lastIndex());
            assertKinds(store, 6, 3, 5);
            assertEquals(JOINT, Membership.decode(read(store, 3)));
            assertEquals(NEXT.encode().length, store.payloadLength(5));
            assertArrayEquals(forIndex(6), read(store, 6));
            append(store, 7, 2, forIndex(7));
            assertKinds(store, 7, 3, 5);
        }
    }

    @Test
    void aTruncationAcrossAConfigurationEntryDropsItsKindAlsoAfterRestart() {
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.SYNC).build())) {
            for (long i = 1; i <= 9; i++) {
                if (i == 5) {
                    appendConfig(store, i, 1, JOINT);
                } else {
                    append(store, i, 1, forIndex(i));
                }
            }
            appendConfig(store, 10, 1, NEXT);
            awaitDurable(store, 10, 20);
            store.truncateFrom(5);
            assertKinds(store, 10);
            append(store, 5, 2, forIndex(55));
            append(store, 6, 2, forIndex(56));
            appendConfig(store, 7, 2, NEXT);
            assertKinds(store, 10, 7);
            awaitDurable(store, 7, 20);
        }
        try (ChronicleLogStore store = open()) {
            assertEquals(7, store.lastIndex());
            assertKinds(store, 10, 7);
            assertArrayEquals(forIndex(55), read(store, 5));
            assertEquals(NEXT, Membership.decode(read(store, 7)));
        }
    }

    @Test
    void aResetDropsConfigurationEntriesAndTheNewLogKeepsItsOwnKinds() {
        try (ChronicleLogStore store = open()) {
            append(store, 1, 1, forIndex(1));
            appendConfig(store, 2, 1, JOINT);
            append(store, 3, 1, forIndex(3));
            // Back to index 1: slot 2 is reused (same index segment) by a data entry, slot 3 by a configuration.
            store.resetTo(1, 4);
            assertKinds(store, 3);
            append(store, 2, 4, forIndex(2));
            appendConfig(store, 3, 4, NEXT);
            assertKinds(store, 3, 3);
        }
        try (ChronicleLogStore store = open()) {
            assertEquals(2, store.firstIndex());
            assertKinds(store, 3, 3);
            assertEquals(NEXT, Membership.decode(read(store, 3)));
            // Beyond the log, into another index segment.
            final long far = 3 * LogIndex.SEGMENT_ENTRIES;
            store.resetTo(far, 5);
            appendConfig(store, far + 1, 5, JOINT);
            append(store, far + 2, 5, forIndex(far + 2));
            assertKinds(store, far + 2, far + 1);
            assertEquals(LogStore.KIND_DATA, store.kindAt(3));
        }
        try (ChronicleLogStore store = open()) {
            final long far = 3 * LogIndex.SEGMENT_ENTRIES;
            assertEquals(far + 2, store.lastIndex());
            assertKinds(store, far + 2, far + 1);
            assertEquals(JOINT, Membership.decode(read(store, far + 1)));
        }
    }

    @Test
    void dumpPrintsEachConfigurationEntrysConfiguration() {
        final byte[] malformed = {9, 9};
        try (ChronicleLogStore store = open()) {
            append(store, 1, 1, forIndex(1));
            appendConfig(store, 2, 1, JOINT);
            appendConfig(store, 3, 2, NEXT);
            // The store keeps bytes, it does not judge them (the engine checks a configuration before it appends).
            store.append(4, 2, LogStore.KIND_CONFIGURATION, buffer(malformed), 0, malformed.length);
            store.onCommitIndex(4);
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(4, JournalDump.dump(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("ENTRY lsn=1 term=1 crc=" + JournalDump.payloadCrcHex(forIndex(1)), lines[0]);
        assertEquals("ENTRY lsn=2 term=1 crc=" + JournalDump.payloadCrcHex(JOINT.encode())
            + " config joint voters [1, 2, 4] <- [1, 2, 3] learners [5]", lines[1]);
        assertEquals("ENTRY lsn=3 term=2 crc=" + JournalDump.payloadCrcHex(NEXT.encode())
            + " config voters [1, 2, 4] learners [5]", lines[2]);
        assertTrue(lines[3].startsWith("ENTRY lsn=4 term=2 crc=" + JournalDump.payloadCrcHex(malformed)
            + " config (malformed: configuration of unknown version 9"), lines[3]);
        assertEquals("RESULT last_lsn=4 commit_index=4", lines[4]);
    }

    @Test
    void kindAtAndAppendsOfEitherKindAllocateNothingPerEntry() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        final byte[] config = JOINT.encode();
        final org.agrona.DirectBuffer configBuffer = buffer(config);
        final org.agrona.DirectBuffer data = buffer(new byte[64]);
        final int entries = 50_000;
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).build())) {
            long next = 1;
            for (int round = 0; round < 2; round++) { // the first round warms up (JIT, first index segment)
                final long before = threads.getThreadAllocatedBytes(thread);
                for (int k = 0; k < entries; k++, next++) {
                    if (next % 100 == 0) {
                        store.append(next, 1, LogStore.KIND_CONFIGURATION, configBuffer, 0, config.length);
                    } else {
                        store.append(next, 1, data, 0, 64);
                    }
                }
                final long appendBytes = threads.getThreadAllocatedBytes(thread) - before;
                long configs = 0;
                final long beforeKinds = threads.getThreadAllocatedBytes(thread);
                for (int pass = 0; pass < 20; pass++) {
                    for (long i = 1; i < next; i++) {
                        configs += store.kindAt(i);
                    }
                }
                final long kindBytes = threads.getThreadAllocatedBytes(thread) - beforeKinds;
                assertEquals(20 * ((next - 1) / 100), configs);
                if (round == 1) {
                    // A new index segment (every 65,536 entries) allocates a few small objects; nothing per entry.
                    assertTrue(appendBytes < entries, appendBytes + " bytes allocated by " + entries + " appends");
                    assertTrue(kindBytes < 1024,
                        kindBytes + " bytes allocated by " + 20 * (next - 1) + " kindAt calls");
                }
            }
        }
    }
}
