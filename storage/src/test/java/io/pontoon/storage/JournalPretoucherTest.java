package io.pontoon.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

import static io.pontoon.storage.TestPayloads.append;
import static io.pontoon.storage.TestPayloads.awaitDurable;
import static io.pontoon.storage.TestPayloads.forIndex;
import static io.pontoon.storage.TestPayloads.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The journal pre-toucher: never changes a byte, stays inside the file, lets go of old files, stops on close. */
class JournalPretoucherTest {
    private static final int WINDOW = 1 << 20;
    private static final int FILE_SIZE = 4 << 20;

    @TempDir
    Path dir;

    @Test
    void touchingAFilePartlyWrittenWithDataLeavesEveryByteAsItWas() throws IOException {
        final Path file = dir.resolve("cycle-1.cq4");
        final byte[] content = new byte[FILE_SIZE];
        final Random random = new Random(42);
        // Written part: non-zero data up to 300 KiB (the writer is at 100,000, a killed writer left more behind it).
        for (int i = 0; i < 300 * 1024; i++) {
            content[i] = (byte) (1 + random.nextInt(255));
        }
        // Scattered data ahead of the writer, at page starts the toucher will CAS and inside a page's first long.
        content[1 << 20] = 7;
        content[(512 << 10) + 3] = 9;
        content[(3 << 20) + 7] = (byte) 0xFF;
        content[(3 << 20) + 4096 + 4095] = 5;
        Files.write(file, content);
        final JournalPretoucher toucher = new JournalPretoucher(cycle -> file, WINDOW, "test-pretouch");
        toucher.start();
        try {
            toucher.onWritten(1, 100_000);
            // Pages from 102,400 (the first page after the writer) up to 100,000 + 1 MiB: 256 pages.
            await(() -> toucher.pagesTouched == 256, "256 pages touched after the first batch");
            toucher.onWritten(1, 3 << 20);
            // [3 MiB, 4 MiB): 256 more, and none past the end of the 4 MiB file.
            await(() -> toucher.pagesTouched == 512, "512 pages touched after the second batch");
        } finally {
            toucher.stop();
        }
        assertFalse(toucher.isAlive(), "stopped");
        assertNull(toucher.failure);
        assertEquals(FILE_SIZE, Files.size(file), "the file was not grown");
        assertArrayEquals(content, Files.readAllBytes(file), "no byte changed");
    }

    @Test
    void aMissingFileIsSkippedAndADeletedOneIsLetGoWhenTheCycleMovesOn() throws IOException {
        final Path first = dir.resolve("cycle-1.cq4");
        try (RandomAccessFile raf = new RandomAccessFile(first.toFile(), "rw")) {
            raf.setLength(FILE_SIZE);
        }
        final JournalPretoucher toucher = new JournalPretoucher(
            cycle -> dir.resolve("cycle-" + cycle + ".cq4"), WINDOW, "test-pretouch");
        toucher.start();
        try {
            toucher.onWritten(1, 0);
            await(() -> toucher.pagesTouched == 256, "first file touched");
            // Compaction deletes the file while it is mapped; the next cycle's file does not exist at all.
            Files.delete(first);
            assumeTrue(Files.exists(Path.of("/proc/self/maps")), "Linux only: /proc/self/maps");
            assertTrue(Files.readString(Path.of("/proc/self/maps")).contains(first.toString()),
                "the first file is mapped while its cycle is current");
            toucher.onWritten(2, 0);
            await(() -> !mapsContain(first), "the deleted file unmapped once the cycle moved on");
            toucher.onWritten(2, 2 * WINDOW);
            assertTrue(toucher.isAlive(), "a missing file does not stop the pre-toucher");
            assertNull(toucher.failure);
            assertEquals(256, toucher.pagesTouched);
        } finally {
            toucher.stop();
        }
        assertFalse(toucher.isAlive());
    }

    @Test
    void storeWithThePretoucherKeepsItsEntriesAndStopsItOnClose() {
        final ChronicleLogStoreOptions options = ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).pretouchWindowBytes(64 * 1024).build();
        final JournalPretoucher toucher;
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            toucher = store.pretoucher();
            assertNotNull(toucher);
            for (long i = 1; i <= 20_000; i++) {
                append(store, i, 1, forIndex(i));
            }
            awaitDurable(store, 20_000, 30);
            await(() -> store.pagesPretouched() > 0, "the pre-toucher touched pages ahead of the journal");
        }
        assertFalse(toucher.isAlive(), "close stops the pre-toucher");
        assertNull(toucher.failure);
        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().startsWith("pontoon-journal-pretouch[" + dir)), "no pre-touch thread left");
        try (ChronicleLogStore store = ChronicleLogStore.open(options)) {
            assertEquals(20_000, store.lastIndex());
            for (long i = 1; i <= 20_000; i += 97) {
                assertArrayEquals(forIndex(i), read(store, i), "entry " + i);
            }
        }
    }

    @Test
    void onByDefaultInPageCacheOffInSync() {
        assertEquals(ChronicleLogStoreOptions.DEFAULT_PRETOUCH_WINDOW_BYTES, ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).build().pretouchWindowBytes());
        assertEquals(0, ChronicleLogStoreOptions.builder(dir).durability(Durability.SYNC).build().pretouchWindowBytes());
        assertEquals(1 << 20, ChronicleLogStoreOptions.builder(dir).durability(Durability.SYNC)
            .pretouchWindowBytes(1 << 20).build().pretouchWindowBytes());
    }

    @Test
    void offByZeroWindow() {
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.PAGE_CACHE).pretouchWindowBytes(0).build())) {
            assertNull(store.pretoucher());
            append(store, 1, 1, forIndex(1));
            awaitDurable(store, 1, 30);
            assertEquals(0, store.pagesPretouched());
        }
    }

    private static boolean mapsContain(Path file) {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains(file.toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Polls a condition the pre-toucher thread makes true, with a generous deadline (no timing assertion). */
    private static void await(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
