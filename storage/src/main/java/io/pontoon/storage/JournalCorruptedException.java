package io.pontoon.storage;

/**
 * The journal holds damage that is not a torn tail: an intact record follows a damaged one, or the records
 * contradict each other. Starting anyway could silently drop committed entries, so the store refuses to open.
 * The message names the file, the byte position and the queue index of the first bad record.
 */
public final class JournalCorruptedException extends StorageException {
    private static final long serialVersionUID = 1L;

    public JournalCorruptedException(String message) {
        super(message);
    }
}
