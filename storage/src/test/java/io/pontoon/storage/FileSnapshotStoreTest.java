package io.pontoon.storage;

import io.pontoon.spi.Membership;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore.SnapshotSink;
import io.pontoon.spi.SnapshotStore.SnapshotSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileSnapshotStoreTest {
    private static final Membership MEMBERS = Membership.of(new int[] {1, 2, 3}, new int[0]);
    /** Where the content starts in a file of MEMBERS. */
    private static final int HEADER_BYTES = SnapshotFormat.headerBytes(MEMBERS.encode().length);

    @TempDir
    Path dir;

    @Test
    void aMultiMegabyteSnapshotWrittenInSmallChunksReadsBackPositionally() {
        final long size = 5L * 1024 * 1024 + 12_345;
        final SnapshotMeta committed;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            try (SnapshotSink sink = store.create(1_000, 7, MEMBERS)) {
                // Chunks of varied sizes, heap and direct, one larger than the sink's buffer.
                final int[] chunkSizes = {1, 1000, 4093, 300 * 1024, 77};
                long written = 0;
                for (int i = 0; written < size; i++) {
                    final int n = (int) Math.min(chunkSizes[i % chunkSizes.length], size - written);
                    final ByteBuffer chunk = i % 2 == 0 ? ByteBuffer.allocate(n) : ByteBuffer.allocateDirect(n);
                    fill(chunk, written);
                    sink.write(chunk.flip());
                    assertFalse(chunk.hasRemaining());
                    written += n;
                    assertEquals(written, sink.position());
                }
                committed = sink.commit();
            }
            assertEquals(new SnapshotMeta(1_000, 7, MEMBERS, size, crcOf(size)), committed);
            assertEquals(committed, store.latest());
            assertEquals(List.of(committed), store.list());
            try (SnapshotSource source = store.open(committed)) {
                assertEquals(committed, source.meta());
                assertContent(source, size, 8191);
                final ByteBuffer middle = ByteBuffer.allocate(100);
                assertEquals(100, source.read(size / 2, middle));
                assertArrayEquals(expected(size / 2, 100), middle.array());
                final ByteBuffer tail = ByteBuffer.allocate(100);
                assertEquals(10, source.read(size - 10, tail));
                assertEquals(-1, source.read(size, tail.clear()));
            }
        }
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertEquals(committed, store.latest());
        }
    }

    @Test
    void anEmptySnapshotRoundTrips() {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotMeta meta = commit(store, 3, 1, 0);
            assertEquals(new SnapshotMeta(3, 1, MEMBERS, 0, 0), meta);
            try (SnapshotSource source = store.open(store.latest())) {
                assertEquals(-1, source.read(0, ByteBuffer.allocate(10)));
            }
        }
    }

    @Test
    void nothingIsVisibleBeforeCommitAndAClosedSinkLeavesNoFile() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotSink sink = store.create(10, 2, MEMBERS);
            sink.write(ByteBuffer.wrap(new byte[1000]));
            assertNull(store.latest());
            assertEquals(List.of(), store.list());
            sink.close();
            sink.close();
            assertEquals(List.of(), files());
            assertNull(store.latest());
        }
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertNull(store.latest());
        }
    }

    @Test
    void temporaryFilesLeftByACrashAreDeletedAtOpen() throws IOException {
        final SnapshotMeta committed;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            committed = commit(store, 5, 1, 1000);
        }
        // What a crash before the rename leaves: partly written temporary files.
        final Path snapshots = dir.resolve(FileSnapshotStore.DIRECTORY);
        Files.write(snapshots.resolve(SnapshotFormat.fileName(9, 2) + ".1.tmp"), new byte[4096]);
        Files.write(snapshots.resolve(SnapshotFormat.fileName(9, 2) + ".2.tmp"), new byte[0]);
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertEquals(List.of(SnapshotFormat.fileName(5, 1)), files());
            assertEquals(committed, store.latest());
        }
    }

    @Test
    void onlyTheNewestKeepSnapshotsAreKept() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final List<SnapshotMeta> metas = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                metas.add(commit(store, i * 10, 1, i * 100));
            }
            assertEquals(List.of(metas.get(4), metas.get(3)), store.list());
            assertEquals(List.of(SnapshotFormat.fileName(40, 1), SnapshotFormat.fileName(50, 1)), files());
        }
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 1)) {
            final SnapshotMeta newest = commit(store, 60, 2, 10);
            assertEquals(List.of(newest), store.list());
            assertEquals(List.of(SnapshotFormat.fileName(60, 2)), files());
        }
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> FileSnapshotStore.open(dir, 0));
        assertTrue(e.getMessage().contains("keep"), e.getMessage());
    }

    @Test
    void aDamagedNewestSnapshotIsNotCountedWhenPruning() throws IOException {
        final SnapshotMeta older;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            older = commit(store, 10, 1, 1000);
            commit(store, 20, 1, 1000);
        }
        flipByte(SnapshotFormat.fileName(20, 1), HEADER_BYTES + 500);
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 1)) {
            // keep = 1 and the newest file is damaged: index 10 is still the one intact snapshot.
            assertEquals(older, store.latest());
            final SnapshotMeta lower = commit(store, 15, 1, 10);
            assertEquals(lower, store.latest());
            assertEquals(List.of(SnapshotFormat.fileName(15, 1), SnapshotFormat.fileName(20, 1)), files());
        }
    }

    @Test
    void aFlippedContentByteFallsBackToThePreviousSnapshot() throws IOException {
        assertFallsBack(file -> flipByte(file, HEADER_BYTES + 777), "content CRC32C mismatch");
    }

    @Test
    void aTruncatedSnapshotFallsBackToThePreviousSnapshot() throws IOException {
        assertFallsBack(file -> truncate(file, 2000), "truncated");
    }

    @Test
    void aDamagedHeaderFallsBackToThePreviousSnapshot() throws IOException {
        assertFallsBack(file -> flipByte(file, 17), "header CRC32C mismatch");
    }

    @Test
    void aFileWithAForeignMagicFallsBackToThePreviousSnapshot() throws IOException {
        assertFallsBack(file -> flipByte(file, 0), "magic");
    }

    @Test
    void theOnlySnapshotDamagedMeansNoSnapshot() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            commit(store, 10, 1, 1000);
        }
        truncate(SnapshotFormat.fileName(10, 1), 30);
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertNull(store.latest());
            assertEquals(List.of(), store.list());
        }
    }

    @Test
    void eachFileIsCheckedOncePerSize() throws IOException {
        final SnapshotMeta newest;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            commit(store, 10, 1, 1000);
            newest = commit(store, 20, 1, 1000);
        }
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertEquals(newest, store.latest());
            // Same size: the earlier result stands (the content is not read again) ...
            flipByte(SnapshotFormat.fileName(20, 1), HEADER_BYTES + 3);
            assertEquals(newest, store.latest());
            // ... a changed size is checked again.
            truncate(SnapshotFormat.fileName(20, 1), 900);
            assertEquals(10, store.latest().index());
        }
    }

    @Test
    void aSourceStaysReadableAfterANewerCommitPrunesItsFile() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 1)) {
            final SnapshotMeta first = commit(store, 10, 1, 300_000);
            try (SnapshotSource source = store.open(first)) {
                commit(store, 20, 1, 5000);
                assertEquals(List.of(SnapshotFormat.fileName(20, 1)), files());
                assertContent(source, 300_000, 4096);
            }
            final StorageException e = assertThrows(StorageException.class, () -> store.open(first));
            assertTrue(e.getMessage().contains("pruning") && e.getMessage().contains(SnapshotFormat.fileName(10, 1)),
                e.getMessage());
        }
    }

    @Test
    void openingOnAMissingDirectoryNamesIt() {
        final Path missing = dir.resolve("no-such-node");
        final StorageException e = assertThrows(StorageException.class, () -> FileSnapshotStore.open(missing));
        assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString())
            && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void writingAfterCommitOrCloseIsRefused() {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotSink committed = store.create(10, 1, MEMBERS);
            committed.write(ByteBuffer.allocate(10));
            committed.commit();
            committed.close(); // a no-op after commit
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> committed.write(ByteBuffer.allocate(1)));
            assertTrue(e.getMessage().contains("committed"), e.getMessage());
            assertThrows(IllegalStateException.class, committed::commit);

            final SnapshotSink discarded = store.create(20, 1, MEMBERS);
            discarded.close();
            e = assertThrows(IllegalStateException.class, () -> discarded.write(ByteBuffer.allocate(1)));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, discarded::commit);
            assertEquals(10, store.latest().index());
        }
    }

    @Test
    void badArgumentsAreRefused() {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertThrows(IllegalArgumentException.class, () -> store.create(0, 1, MEMBERS));
            assertThrows(IllegalArgumentException.class, () -> store.create(1, 0, MEMBERS));
            final SnapshotMeta meta = commit(store, 10, 1, 100);
            try (SnapshotSource source = store.open(meta)) {
                assertThrows(IllegalArgumentException.class, () -> source.read(-1, ByteBuffer.allocate(1)));
            }
            final SnapshotMeta otherChecksum = new SnapshotMeta(10, 1, MEMBERS, 100, meta.checksum() ^ 1);
            assertThrows(StorageException.class, () -> store.open(otherChecksum));
        }
    }

    @Test
    void closingTheStoreDiscardsOpenSinksAndClosesSources() throws IOException {
        final SnapshotSink sink;
        final SnapshotSource source;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            source = store.open(commit(store, 10, 1, 100));
            sink = store.create(20, 1, MEMBERS);
            sink.write(ByteBuffer.allocate(10));
        }
        assertThrows(IllegalStateException.class, sink::commit);
        assertThrows(IllegalStateException.class, () -> source.read(0, ByteBuffer.allocate(1)));
        assertEquals(List.of(SnapshotFormat.fileName(10, 1)), files());
    }

    @Test
    void commitsAndReadsFromSeveralThreadsLeaveTheNewestSnapshots() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 1; i <= 5; i++) {
                        final SnapshotMeta meta = commit(store, i * 10 + thread, 1, 1000 + thread);
                        assertTrue(store.latest().index() >= meta.index());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertEquals(List.of(53L, 52L), store.list().stream().map(SnapshotMeta::index).toList());
        } finally {
            pool.shutdownNow();
        }
    }

    // --- helpers

    private interface Damage {
        void apply(String fileName) throws IOException;
    }

    /** Damages the newest of two snapshots; latest() must return the older, and the warning name the file. */
    private void assertFallsBack(Damage damage, String problem) throws IOException {
        final SnapshotMeta older;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            older = commit(store, 10, 1, 3000);
            commit(store, 20, 2, 3000);
        }
        final String damaged = SnapshotFormat.fileName(20, 2);
        damage.apply(damaged);
        final String log = stderrOf(() -> {
            try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
                assertEquals(older, store.latest());
                assertEquals(older, store.latest());
                assertEquals(List.of(older), store.list());
            }
        });
        assertTrue(log.contains("WARN") && log.contains(damaged) && log.contains(problem), log);
        assertEquals(log.indexOf(damaged), log.lastIndexOf(damaged), "warned once per file: " + log);
    }

    private static SnapshotMeta commit(FileSnapshotStore store, long index, long term, long size) {
        try (SnapshotSink sink = store.create(index, term, MEMBERS)) {
            final ByteBuffer chunk = ByteBuffer.allocate(1024);
            for (long written = 0; written < size; written += chunk.position()) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), size - written));
                fill(chunk, written);
                sink.write(chunk.flip());
            }
            return sink.commit();
        }
    }

    /** Content byte at position p is a function of p, so no test holds a whole snapshot to compare with. */
    private static byte contentByte(long p) {
        return (byte) (p * 31 + (p >>> 11));
    }

    private static void fill(ByteBuffer chunk, long from) {
        for (long p = from; chunk.hasRemaining(); p++) {
            chunk.put(contentByte(p));
        }
    }

    private static byte[] expected(long from, int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = contentByte(from + i);
        }
        return bytes;
    }

    private static long crcOf(long size) {
        final CRC32C crc = new CRC32C();
        final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        for (long p = 0; p < size; p += chunk.position()) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - p));
            fill(chunk, p);
            crc.update(chunk.flip());
        }
        return crc.getValue();
    }

    private static void assertContent(SnapshotSource source, long size, int chunkBytes) {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(chunkBytes);
        final byte[] bytes = new byte[chunkBytes];
        long position = 0;
        while (true) {
            chunk.clear();
            final int n = source.read(position, chunk);
            if (n < 0) {
                break;
            }
            assertEquals(n, chunk.position());
            chunk.flip().get(bytes, 0, n);
            assertArrayEquals(expected(position, n), java.util.Arrays.copyOf(bytes, n), "at " + position);
            position += n;
        }
        assertEquals(size, position);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(FileSnapshotStore.DIRECTORY))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void flipByte(String fileName, long position) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(snapshotFile(fileName), "rw")) {
            file.seek(position);
            final int b = file.read();
            file.seek(position);
            file.write(b ^ 0x5a);
        }
    }

    private void truncate(String fileName, long length) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(snapshotFile(fileName), "rw")) {
            file.setLength(length);
        }
    }

    private java.io.File snapshotFile(String fileName) {
        return dir.resolve(FileSnapshotStore.DIRECTORY).resolve(fileName).toFile();
    }

    /** What {@code body} logs: slf4j-simple writes to the current System.err. */
    private static String stderrOf(Runnable body) {
        final PrintStream original = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
