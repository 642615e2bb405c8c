package io.pontoon.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static io.pontoon.storage.TestPayloads.append;
import static io.pontoon.storage.TestPayloads.forIndex;
import static io.pontoon.storage.TestPayloads.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real processes, real kill -9: what a SYNC store called durable survives, byte for byte. Also the two
 * process-level refusals: a second process on a locked directory, and a JVM without the sun.nio.ch export.
 */
class CrashRecoveryTest {
    static final int KILLS = Integer.getInteger("storage.crash.kills", 32);
    static final long CHILD_TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void everyEntryAtOrBelowThePrintedDurableIndexSurvivesKill9() throws Exception {
        final long seed = Long.getLong("storage.crash.seed", System.nanoTime());
        final Random random = new Random(seed);
        final String replay = " (replay: -Dstorage.crash.seed=" + seed + ")";
        long lastPrintedDurable = 0;
        long totalEntriesChecked = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            final int maxBatch = random.nextBoolean() ? 4096 : 1 + random.nextInt(64);
            final int durableLinesBeforeKill = 1 + random.nextInt(30);
            try (ChildJvm child = ChildJvm.start(CrashWriterMain.class, dir, null, dir.toString(), Integer.toString(maxBatch))) {
                final String opened = child.awaitLine(l -> l.startsWith("OPENED"), CHILD_TIMEOUT_SECONDS);
                assertNotNull(opened, "child " + kill + " did not open the store" + replay + "; stderr:\n" + child.stderrText());
                int seen = 0;
                String line;
                while (seen < durableLinesBeforeKill
                    && (line = child.awaitLine(l -> l.startsWith("DURABLE "), CHILD_TIMEOUT_SECONDS)) != null) {
                    lastPrintedDurable = Math.max(lastPrintedDurable, Long.parseLong(line.substring(8)));
                    seen++;
                }
                assertEquals(durableLinesBeforeKill, seen, "child " + kill + " stopped early" + replay
                    + "; stderr:\n" + child.stderrText());
                child.process.destroyForcibly();
                child.waitForExit(CHILD_TIMEOUT_SECONDS);
                // Lines already in the pipe were printed before the kill: those indexes were durable too.
                while ((line = child.nextLine(CHILD_TIMEOUT_SECONDS)) != null) {
                    if (line.startsWith("DURABLE ")) {
                        lastPrintedDurable = Math.max(lastPrintedDurable, Long.parseLong(line.substring(8)));
                    }
                }
            }
            totalEntriesChecked += verify(lastPrintedDurable, "after kill " + kill + replay);
        }
        System.out.println("crash test: " + KILLS + " kills, last printed durable index " + lastPrintedDurable
            + ", " + totalEntriesChecked + " entry checks, seed " + seed);
        assertTrue(lastPrintedDurable > KILLS, "the children made progress: " + lastPrintedDurable);
        assertTrue(totalEntriesChecked >= lastPrintedDurable);
    }

    private long verify(long durable, String context) {
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).build())) {
            assertTrue(store.lastIndex() >= durable,
                "lastIndex " + store.lastIndex() + " is below the printed durable index " + durable + " " + context);
            for (long i = 1; i <= durable; i++) {
                assertArrayEquals(forIndex(i), read(store, i), "entry " + i + " " + context);
                assertEquals(TestPayloads.termForIndex(i), store.termAt(i), "term of entry " + i + " " + context);
            }
            return durable;
        }
    }

    @Test
    void writerKilledInsideAnExcerptLeavesATailThatIsOverwritten() throws Exception {
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir).build())) {
            for (long i = 1; i <= 10; i++) {
                append(store, i, 1, forIndex(i));
            }
        }
        try (ChildJvm child = ChildJvm.start(TornWriterMain.class, dir, null, dir.toString(), "11")) {
            assertEquals("HALTING", child.awaitLine(l -> l.startsWith("HALTING"), CHILD_TIMEOUT_SECONDS),
                child.stderrText());
            child.waitForExit(CHILD_TIMEOUT_SECONDS);
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir).build())) {
            assertEquals(10, store.lastIndex());
            append(store, 11, 2, forIndex(11));
            append(store, 12, 2, forIndex(12));
        }
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir).build())) {
            assertEquals(12, store.lastIndex(), "entries written after the unfinished excerpt are visible");
            assertArrayEquals(forIndex(12), read(store, 12));
            assertArrayEquals(forIndex(10), read(store, 10));
        }
    }

    @Test
    void secondProcessOnALockedDirectoryIsRefused() throws Exception {
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).build());
             ChildJvm child = ChildJvm.start(OpenStoreMain.class, dir, null, dir.toString())) {
            final String line = child.nextLine(CHILD_TIMEOUT_SECONDS);
            assertNotNull(line, child.stderrText());
            assertTrue(line.startsWith("FAILED ") && line.contains("in use by another process")
                && line.contains("journal.lock"), line);
            assertEquals(0, store.lastIndex());
        }
    }

    @Test
    void jvmWithoutTheSunNioChExportFailsAtOpenNamingTheFlag() throws Exception {
        try (ChildJvm child = ChildJvm.start(OpenStoreMain.class, dir, "sun.nio.ch", dir.toString())) {
            final String line = child.nextLine(CHILD_TIMEOUT_SECONDS);
            assertNotNull(line, child.stderrText());
            assertTrue(line.startsWith("FAILED ") && line.contains("--add-exports java.base/sun.nio.ch=ALL-UNNAMED"),
                line + "\n" + child.stderrText());
        }
    }
}
