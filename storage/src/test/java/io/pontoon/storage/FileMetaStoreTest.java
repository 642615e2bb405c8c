package io.pontoon.storage;

import io.pontoon.spi.MetaStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileMetaStoreTest {
    @TempDir
    Path dir;

    @Test
    void freshStoreStartsAtTermZeroWithNoVote() {
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            assertEquals(0, store.term());
            assertEquals(MetaStore.NO_VOTE, store.votedFor());
        }
    }

    @Test
    void savedTermAndVoteSurviveReopen() {
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            for (int term = 1; term <= 9; term++) {
                store.save(term, term % 3);
            }
        }
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            assertEquals(9, store.term());
            assertEquals(0, store.votedFor());
            store.save(10, 2);
        }
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            assertEquals(10, store.term());
            assertEquals(2, store.votedFor());
        }
    }

    @Test
    void tornWriteOfTheNewestSlotFallsBackToThePreviousValue() throws IOException {
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            store.save(5, 1);
            store.save(6, 2);
        }
        // save(6, 2) was sequence 2 (0 = creation in slot 0, 1 = term 5 in slot 1): it lives in slot 0. Damage it.
        flipByte(14);
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            assertEquals(5, store.term());
            assertEquals(1, store.votedFor());
        }
    }

    @Test
    void bothSlotsDamagedRefusesToStart() throws IOException {
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            store.save(5, 1);
        }
        flipByte(10);
        flipByte(FileMetaStore.SLOT_BYTES + 10);
        final StorageException e = assertThrows(StorageException.class, () -> FileMetaStore.open(dir));
        assertTrue(e.getMessage().contains("no intact slot") && e.getMessage().contains("meta.dat"), e.getMessage());
    }

    @Test
    void secondOpenOfTheSameFileIsRefused() {
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            final StorageException e = assertThrows(StorageException.class, () -> FileMetaStore.open(dir));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
            assertEquals(0, store.term());
        }
    }

    private void flipByte(long position) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(FileMetaStore.FILE_NAME).toFile(), "rw")) {
            file.seek(position);
            final int b = file.read();
            file.seek(position);
            file.write(b ^ 0x5a);
        }
    }

    /** Issue 9: a crash during the very first save left a file with no intact slot, and the node never started again. */
    @Test
    void aCrashWhileCreatingTheFileLeavesADirectoryThatOpensAtTermZero() throws IOException {
        // Crash before the rename: a partial temporary file, no meta.dat.
        java.nio.file.Files.write(dir.resolve(FileMetaStore.FILE_NAME + ".tmp"), new byte[] {1, 2, 3});
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            assertEquals(0, store.term());
            assertEquals(MetaStore.NO_VOTE, store.votedFor());
            store.save(3, 2);
        }
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            assertEquals(3, store.term());
        }
    }

    @Test
    void aTornFirstSaveOfAnOlderVersionOpensAtTermZero() throws IOException {
        // Older versions created meta.dat in place and wrote the first save (sequence 1) to slot 1, leaving slot 0
        // a hole of zeros; a crash in that write left slot 1 torn.
        final byte[] torn = new byte[2 * FileMetaStore.SLOT_BYTES];
        for (int i = FileMetaStore.SLOT_BYTES; i < torn.length; i++) {
            torn[i] = (byte) (i * 7 + 1);
        }
        java.nio.file.Files.write(dir.resolve(FileMetaStore.FILE_NAME), torn);
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            assertEquals(0, store.term());
            assertEquals(MetaStore.NO_VOTE, store.votedFor());
        }
        java.nio.file.Files.write(dir.resolve(FileMetaStore.FILE_NAME), new byte[0]); // crashed right after creating it
        try (FileMetaStore store = FileMetaStore.open(dir)) {
            assertEquals(0, store.term());
        }
    }
}
