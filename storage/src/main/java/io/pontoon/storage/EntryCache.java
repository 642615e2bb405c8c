package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Recent payloads, copied on append, so that the leader replicates fresh entries (the common case) straight
 * from memory, including entries the journal thread has not written yet. A byte ring addressed by an
 * ever-growing position; an entry never wraps (the tail of the ring is skipped instead), and an entry is
 * valid while nothing written after it has reached its bytes again.
 *
 * <p>Owned by the Raft thread; not thread-safe. Allocates only at construction.
 */
final class EntryCache {
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int mask;
    private long writePosition;
    /** Lowest position whose bytes are still intact; only ever grows, even when a truncation rewinds. */
    private long validFromPosition;

    EntryCache(int capacityBytes) {
        this.capacity = capacityBytes;
        this.mask = capacityBytes - 1;
        this.buffer = capacityBytes == 0
            ? new UnsafeBuffer(0, 0)
            : new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacityBytes, 64));
    }

    /** Copies the payload in; returns its position, or NULL_VALUE if the cache is off or the entry too big. */
    long put(DirectBuffer src, int offset, int length) {
        // Entries above a quarter of the cache would evict too much to be worth keeping.
        if (capacity == 0 || length > capacity / 4) {
            return LogStore.NULL_VALUE;
        }
        final int start = (int) (writePosition & mask);
        if (start + length > capacity) {
            writePosition += capacity - start;
        }
        final long position = writePosition;
        buffer.putBytes((int) (position & mask), src, offset, length);
        writePosition = position + length;
        validFromPosition = Math.max(validFromPosition, writePosition - capacity);
        return position;
    }

    boolean isValid(long position) {
        return position != LogStore.NULL_VALUE && position >= validFromPosition && position <= writePosition;
    }

    /** After a truncation: reuse the space of the removed entry at {@code position} if it is still intact. */
    void rewindTo(long position) {
        if (isValid(position)) {
            writePosition = position;
        }
    }

    /** After a reset of the log: every position handed out so far is invalid; the space is reused. */
    void clear() {
        validFromPosition = writePosition;
    }

    DirectBuffer buffer() {
        return buffer;
    }

    int offsetOf(long position) {
        return (int) (position & mask);
    }
}
