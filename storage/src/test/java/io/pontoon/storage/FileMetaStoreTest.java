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
        // save(6, 2) was sequence 3 (1 = creation, 2 = term 5): it lives in slot 1. Damage it.
        flipByte(FileMetaStore.SLOT_BYTES + 14);
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
}
