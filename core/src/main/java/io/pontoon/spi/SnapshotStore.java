package io.pontoon.spi;

import java.nio.ByteBuffer;

/**
 * Durable snapshots of a node's state machine, each covering the log up to an index ({@link SnapshotMeta}).
 * A snapshot's content is a stream of bytes the state machine wrote; the store never holds it whole in memory.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #create} opens a new snapshot for writing; nothing of it is visible (to {@link #latest()}, or
 *       after a crash) until {@link SnapshotSink#commit()} returns, and then all of it is, durably.</li>
 *   <li>{@link #latest()} is the committed snapshot with the highest index whose content is intact. A damaged
 *       newer snapshot is skipped (and reported, by a persistent store, with a warning naming its file).</li>
 *   <li>A store keeps at least the latest snapshot; it may delete older ones after a commit.</li>
 *   <li>A snapshot being read stays readable until its {@link SnapshotSource} is closed, even if a newer
 *       commit deletes it from the store's listing.</li>
 * </ul>
 *
 * <p>Threading: {@code create}, {@code latest} and {@code open} may be called from any thread; a sink or a
 * source is used by one thread at a time. Failures are thrown as unchecked exceptions naming the file
 * (a persistent store's StorageException).
 */
public interface SnapshotStore extends AutoCloseable {
    /** Starts a snapshot of the log up to {@code index} (of {@code term}) under the configuration {@code membership}. */
    SnapshotSink create(long index, long term, Membership membership);

    /** The newest intact committed snapshot, or null if there is none. */
    SnapshotMeta latest();

    /** Opens the committed snapshot {@code meta} (as returned by {@link #latest()} or a commit) for reading. */
    SnapshotSource open(SnapshotMeta meta);

    @Override
    void close();

    /** The content of a snapshot being written, appended in order. Closing without a commit discards it. */
    interface SnapshotSink extends AutoCloseable {
        /** Appends {@code src}'s remaining bytes (the buffer's position moves to its limit). */
        void write(ByteBuffer src);

        /** Bytes written so far. */
        long position();

        /**
         * Makes the snapshot durable and visible (on disk: flush, fsync, atomic rename, directory fsync) and
         * returns its metadata with size and checksum. The sink is closed afterwards.
         */
        SnapshotMeta commit();

        /** Discards an uncommitted snapshot (idempotent; a no-op after commit). */
        @Override
        void close();
    }

    /** Positional reads of a committed snapshot's content. */
    interface SnapshotSource extends AutoCloseable {
        SnapshotMeta meta();

        /**
         * Reads content bytes from {@code position} into {@code dst} (up to its remaining space) and returns
         * how many were read; -1 once {@code position} is at or past the end.
         */
        int read(long position, ByteBuffer dst);

        @Override
        void close();
    }
}
