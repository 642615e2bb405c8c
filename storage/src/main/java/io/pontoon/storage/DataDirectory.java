package io.pontoon.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opening checks shared by the stores: the data directory exists, is a directory and is writable; the JVM has
 * the flag Chronicle needs; and no other process (or other store in this JVM) has the directory open.
 */
final class DataDirectory {
    static final String JOURNAL_DIR = "journal";
    /** Memory-mapped log index segments ({@link LogIndex}); rebuilt from the journal at every open. */
    static final String INDEX_DIR = "index";
    static final String LOCK_FILE = "journal.lock";
    static final String SUN_NIO_CH_FLAG = "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";

    private DataDirectory() {
    }

    /** Fails with a message naming {@code dir} if it is missing, a file, or not writable. */
    static void check(Path dir, String what) {
        if (!Files.exists(dir)) {
            throw new StorageException(what + " " + dir.toAbsolutePath() + " does not exist; create it first");
        }
        if (!Files.isDirectory(dir)) {
            throw new StorageException(what + " " + dir.toAbsolutePath() + " is a file, not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new StorageException(what + " " + dir.toAbsolutePath() + " is not writable by this process");
        }
    }

    /**
     * Chronicle Queue maps files through {@code sun.nio.ch}; without that export it silently opens the queue
     * read-only and every append fails much later. Fail at open instead, naming the flag.
     */
    static void requireChronicleExports() {
        final Module javaBase = Object.class.getModule();
        final Module chronicle = net.openhft.chronicle.queue.ChronicleQueue.class.getModule();
        if (!javaBase.isExported("sun.nio.ch", chronicle)) {
            throw new StorageException("The JVM was started without " + SUN_NIO_CH_FLAG
                + ", which Chronicle Queue needs to write its journal (without it the journal opens read-only). "
                + "Add the flags in the parent pom property chronicle.jvm.flags (the ./pontoon launcher adds them).");
        }
    }

    /** Takes the directory's lock file, or fails naming the directory if someone else holds it. */
    static FileChannel lock(Path dir) {
        final Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new StorageException("data directory " + dir.toAbsolutePath()
                    + " is in use by another process (lock file " + lockFile.toAbsolutePath()
                    + " is held); two nodes must not share a directory");
            }
            return channel;
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new StorageException("data directory " + dir.toAbsolutePath()
                + " is already open by another store in this JVM (lock file " + lockFile.toAbsolutePath() + ")", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StorageException("cannot create or lock " + lockFile.toAbsolutePath() + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing after a failure; the original error is the one to report
            }
        }
    }
}
