package io.pontoon.storage;

/**
 * A fatal storage problem: a bad directory, a lock held by another process, a missing JVM flag, an I/O
 * failure on the journal thread. The message names the file or setting at fault.
 */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
