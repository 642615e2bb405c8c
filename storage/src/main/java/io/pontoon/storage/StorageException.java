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

    /**
     * {@code cause} as a StorageException whose message says what failed where, in words an operator acts on: a
     * full disk ("No space left on device", or the InternalError the JVM raises when a write to a memory-mapped
     * file cannot be backed by a disk block) is called that, naming {@code directory}.
     */
    public static StorageException of(String what, java.nio.file.Path directory, Throwable cause) {
        if (cause instanceof StorageException s && s.getMessage() != null && s.getMessage().contains(directory.toString())) {
            return s;
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            final String m = String.valueOf(t.getMessage());
            if (m.contains("No space left on device")) {
                return new StorageException("disk full in " + directory + ": " + what + " failed (" + t + ")", cause);
            }
            if (t instanceof InternalError && m.contains("unsafe memory access")) {
                return new StorageException("disk full or I/O error in " + directory + ": " + what
                    + " failed writing a memory-mapped file (" + t + ")", cause);
            }
        }
        return new StorageException(what + " in " + directory + " failed: " + cause, cause);
    }
}
