package io.pontoon.spi;

import org.agrona.DirectBuffer;

/**
 * The replicated log as the Raft thread sees it: an indexed sequence of {@code (index, term, payload)}
 * entries, starting at {@link #firstIndex()} and ending at {@link #lastIndex()}.
 *
 * <p>Threading: every method is called on the node's Raft thread only, and none may block on I/O.
 * An implementation that persists does so on its own thread and publishes progress through
 * {@link #durableIndex()}.
 *
 * <p>Durability contract: {@link #durableIndex()} never names an index whose <em>current</em> entry
 * would be lost by a crash. After {@link #truncateFrom(long)} the durable index drops to at most
 * {@code fromIndex - 1} until the truncation and the entries appended after it are themselves durable.
 */
public interface LogStore extends AutoCloseable {
    /** Sentinel for "no such term / no such index". */
    long NULL_VALUE = -1L;

    /** Entry kind: an application entry (or, empty, a leader's no-op). Delivered to the state machine. */
    int KIND_DATA = 0;
    /**
     * Entry kind: a cluster configuration ({@link Membership#encode()} bytes), written by the engine for a membership
     * change. It takes effect as soon as it is in the log, is never delivered to the state machine, and must come
     * back from {@link #kindAt} after a restart: a store that persists entries persists the kind with them.
     */
    int KIND_CONFIGURATION = 1;

    /** Index of the first entry held (1 for a log never compacted). If empty, {@code lastIndex() + 1}. */
    long firstIndex();

    /** Index of the last entry, 0 if the log has never held an entry. */
    long lastIndex();

    /** Term of the last entry, 0 if empty. */
    long lastTerm();

    /**
     * Term of the entry at {@code index}; 0 for index 0; {@link #NULL_VALUE} if the index is beyond
     * {@link #lastIndex()} or below the first retained index (compacted away).
     */
    long termAt(long index);

    /** Payload length of the entry at {@code index}, or -1 if not held. */
    int payloadLength(long index);

    /**
     * Appends one entry. {@code index} must equal {@code lastIndex() + 1}; anything else is a bug and
     * throws {@link IllegalStateException}. The bytes are copied before the method returns.
     */
    void append(long index, long term, DirectBuffer src, int offset, int length);

    /**
     * Back-pressure hint: false if an append of {@code payloadLength} bytes now would have to wait (for
     * example, an asynchronous journal's hand-over ring is full). A leader then refuses proposals with
     * REJECTED_BUSY instead of blocking the Raft thread. Default: always true.
     */
    default boolean hasCapacity(int payloadLength) {
        return true;
    }

    /**
     * Largest payload {@link #append} takes. {@code RaftNode} refuses to start when {@code RaftConfig.maxEntryBytes}
     * is larger, so no node accepts an entry that a store cannot hold. Default: no limit of its own.
     */
    default int maxPayloadBytes() {
        return Integer.MAX_VALUE;
    }

    /**
     * Appends one entry of {@code kind} ({@link #KIND_DATA} or {@link #KIND_CONFIGURATION}); otherwise as
     * {@link #append(long, long, DirectBuffer, int, int)}. The default takes data entries only and throws
     * {@link UnsupportedOperationException} for a configuration entry: a store that cannot keep the kind cannot
     * take part in membership changes.
     */
    default void append(long index, long term, int kind, DirectBuffer src, int offset, int length) {
        if (kind != KIND_DATA) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot hold configuration entries"
                + " (membership changes need a LogStore that keeps each entry's kind)");
        }
        append(index, term, src, offset, length);
    }

    /**
     * Kind of the entry at {@code index}: {@link #KIND_DATA} or {@link #KIND_CONFIGURATION}; {@link #KIND_DATA} if
     * the entry is not held. Called for every entry sent or applied, so it must be cheap. Default: always data.
     */
    default int kindAt(long index) {
        return KIND_DATA;
    }

    /** Removes every entry with an index {@code >= fromIndex}. */
    void truncateFrom(long fromIndex);

    /**
     * Hands the entry at {@code index} to the reader. The buffer passed to the reader is valid only
     * during the call. Returns false (and does not call the reader) if the entry is not held.
     */
    boolean read(long index, EntryReader reader);

    /** Highest index that survives a crash (see the class contract). Read every duty cycle. */
    long durableIndex();

    /**
     * Compaction hook: the store may discard entries below {@code index} (whole segments at a time;
     * it may keep more than asked). Entries at or above {@code index} are never discarded.
     */
    void deleteBefore(long index);

    /**
     * Discards every entry and restarts the log after a snapshot: afterwards {@link #lastIndex()} is
     * {@code index}, {@link #lastTerm()} and {@code termAt(index)} are {@code term}, {@link #firstIndex()} is
     * {@code index + 1}, and the next append is at {@code index + 1}. Used when a follower installs a snapshot
     * its log does not reach (or conflicts with). Durability: as for a truncation, {@link #durableIndex()} is at
     * most {@code index} from now on, and it reaches {@code index} once the reset itself is durable; a crash
     * before that leaves either the old log or the reset one.
     */
    default void resetTo(long index, long term) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restart its log at index "
            + index + " (needed to install a snapshot)");
    }

    /**
     * Called on the Raft thread when the commit index advances. A persistent store may record it as a
     * hint for offline tools ({@code ./pontoon dump}); Raft safety never depends on it. Must not block.
     */
    default void onCommitIndex(long commitIndex) {
    }

    /**
     * Called once by the runtime before use: a store whose durable index advances on another thread
     * calls {@code wakeup.run()} after publishing a new durable index, so an idle Raft thread reacts
     * at once instead of on its next poll. Default: no-op (synchronous stores need no wake-up).
     */
    default void durableIndexWakeup(Runnable wakeup) {
    }

    /**
     * Non-null once the store can no longer make entries durable (a failed fsync, a full disk, an I/O error on
     * its own thread): the cause. Read by the Raft thread every duty cycle, so it must be cheap (a volatile
     * read); the node then fail-stops. A store that fails must also stop advancing {@link #durableIndex()}.
     * Default: never fails on its own thread (its methods throw instead).
     */
    default Throwable failure() {
        return null;
    }

    /**
     * Given a throwable that stopped the Raft thread, returns what an operator should read: the store may
     * recognise its own failure in it (a write to a memory-mapped file that the disk could not back surfaces
     * as an {@code InternalError}, often at a later, unrelated line of the Raft thread) and return an exception
     * that names its directory and the likely cause. Default: {@code failure} unchanged.
     */
    default Throwable explain(Throwable failure) {
        return failure;
    }

    /** Releases files and threads. Entries already durable stay durable. */
    @Override
    void close();

    /** Receives one log entry; the buffer is valid only during the call. */
    @FunctionalInterface
    interface EntryReader {
        void onEntry(long index, long term, DirectBuffer buffer, int offset, int length);
    }
}
