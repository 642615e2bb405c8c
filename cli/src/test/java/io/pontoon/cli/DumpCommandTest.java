package io.pontoon.cli;

import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import io.pontoon.storage.JournalDump;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `./pontoon dump` of a journal written with the demo's ten-second roll cycle (`./pontoon node --roll-cycle
 * TEN_SECONDLY`) failed with Chronicle's "Can't find an appropriate RollCycles": Chronicle can find only its
 * standard cycles from a queue's metadata. The dump now recognises the demo cycle by the journal's file names.
 */
class DumpCommandTest {
    @Test
    void aJournalWithTheTenSecondRollCycleIsDumped(@TempDir Path dir) {
        try (ChronicleLogStore log = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).rollCycle(io.pontoon.storage.ShortRollCycles.TEN_SECONDLY).build())) {
            final UnsafeBuffer payload = new UnsafeBuffer("abc".getBytes(StandardCharsets.US_ASCII));
            for (long i = 1; i <= 3; i++) {
                log.append(i, 1, payload, 0, payload.capacity());
            }
            log.onCommitIndex(3);
        }
        assertEquals(io.pontoon.storage.ShortRollCycles.TEN_SECONDLY, DumpCommand.customRollCycle(dir));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final long entries = JournalDump.dump(dir, DumpCommand.customRollCycle(dir), new PrintStream(bytes, true));
        assertEquals(3, entries, bytes.toString());
        assertTrue(bytes.toString().contains("RESULT last_lsn=3"), bytes.toString());
    }

    @Test
    void aJournalWithAStandardRollCycleNeedsNoHint(@TempDir Path dir) {
        try (ChronicleLogStore log = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).build())) {
            log.append(1, 1, new UnsafeBuffer(new byte[] {1}), 0, 1);
        }
        assertNull(DumpCommand.customRollCycle(dir));
    }
}
