package io.pontoon.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad directories, the lock, and option validation fail at open with messages naming what was wrong. */
class OpeningChecksTest {
    @TempDir
    Path dir;

    private static ChronicleLogStoreOptions options(Path directory) {
        return ChronicleLogStoreOptions.builder(directory).durability(Durability.PAGE_CACHE).build();
    }

    @Test
    void missingDirectoryIsRefusedByName() {
        final Path missing = dir.resolve("no-such-node");
        final StorageException e = assertThrows(StorageException.class, () -> ChronicleLogStore.open(options(missing)));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
        final StorageException meta = assertThrows(StorageException.class, () -> FileMetaStore.open(missing));
        assertTrue(meta.getMessage().contains("does not exist"), meta.getMessage());
    }

    @Test
    void fileInPlaceOfTheDirectoryIsRefused() throws IOException {
        final Path file = Files.createFile(dir.resolve("node-1"));
        final StorageException e = assertThrows(StorageException.class, () -> ChronicleLogStore.open(options(file)));
        assertTrue(e.getMessage().contains("is a file, not a directory"), e.getMessage());
    }

    @Test
    void notWritableDirectoryIsRefused() throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        if (Files.isWritable(readOnly)) {
            // Running as root, permission bits do not stop writes; /proc/self is a directory nobody may write.
            readOnly = Path.of("/proc/self");
        }
        final Path target = readOnly;
        final StorageException e = assertThrows(StorageException.class, () -> ChronicleLogStore.open(options(target)));
        assertTrue(e.getMessage().contains("is not writable"), e.getMessage());
        Files.setPosixFilePermissions(dir.resolve("read-only"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void secondStoreOnTheSameDirectoryIsRefused() {
        try (ChronicleLogStore first = ChronicleLogStore.open(options(dir))) {
            final StorageException e = assertThrows(StorageException.class, () -> ChronicleLogStore.open(options(dir)));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
            assertEquals(0, first.lastIndex());
        }
        // Released on close: the directory opens again.
        ChronicleLogStore.open(options(dir)).close();
    }

    @Test
    void invalidOptionsNameTheField() {
        final IllegalArgumentException ring = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStoreOptions.builder(dir).ringCapacityBytes(100_000).build());
        assertTrue(ring.getMessage().contains("ringCapacityBytes") && ring.getMessage().contains("100000"), ring.getMessage());
        final IllegalArgumentException cache = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStoreOptions.builder(dir).cacheCapacityBytes(3000).build());
        assertTrue(cache.getMessage().contains("cacheCapacityBytes"), cache.getMessage());
        final IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStoreOptions.builder(dir).maxBatchRecords(0).build());
        assertTrue(batch.getMessage().contains("maxBatchRecords"), batch.getMessage());
        final IllegalArgumentException pretouch = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStoreOptions.builder(dir).pretouchWindowBytes(100_000).build());
        assertTrue(pretouch.getMessage().contains("pretouchWindowBytes") && pretouch.getMessage().contains("100000"),
            pretouch.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStoreOptions.builder(dir).pretouchWindowBytes(-4096).build());
        final IllegalArgumentException durability = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStoreOptions.builder(dir).durability(null).build());
        assertTrue(durability.getMessage().contains("durability"), durability.getMessage());
        final IllegalArgumentException directory = assertThrows(IllegalArgumentException.class,
            () -> ChronicleLogStoreOptions.builder(null).build());
        assertTrue(directory.getMessage().contains("directory"), directory.getMessage());
    }
}
