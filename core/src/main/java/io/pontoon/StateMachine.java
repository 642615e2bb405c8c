package io.pontoon;

import java.io.IOException;

/**
 * The application's replicated state, fed with committed entries and saved in snapshots.
 *
 * <p>Threading: every method is called on the node's apply thread ({@code pontoon-apply-<id>}), one at a time, never on
 * the Raft thread, except {@link #restore} at start-up, which runs on the thread that starts the node, before the
 * first {@link #apply}. So the state machine needs no locking of its own against these calls; reads from other
 * threads (serving queries) must synchronise with the apply thread as the application sees fit. A slow method
 * delays only later applies and snapshots: the Raft thread keeps replicating and committing meanwhile (committed
 * entries wait in a bounded hand-over ring; when it is full, delivery pauses until the apply thread catches up).
 *
 * <p>Delivery: after a start from the snapshot at index S (or from nothing, S = 0), {@link #apply} receives every
 * committed non-empty entry above S exactly once, in index order. A snapshot from the leader (the node fell behind
 * the leader's compacted log) arrives through {@link #restore} between two applies; delivery then resumes after it.
 *
 * <p>An exception from any method fail-stops the node (it stops acknowledging and reports FAILED with the cause):
 * a state machine that cannot apply a committed entry must not go on with a different state than its peers.
 */
public interface StateMachine {
    /**
     * Applies a batch of committed entries, in index order. The entries' buffers are valid only during the call.
     */
    void apply(CommittedEntries entries) throws Exception;

    /**
     * Writes the whole state, as of the last applied entry, to {@code writer} ({@link SnapshotWriter#index()}),
     * streaming it: nothing needs to be built in memory first. Called between two applies, so the state is
     * consistent; the Raft thread is not blocked meanwhile. The snapshot becomes durable after this returns.
     */
    void takeSnapshot(SnapshotWriter writer) throws IOException;

    /** Replaces the whole state with the one {@code reader} streams (written by some node's {@link #takeSnapshot}). */
    void restore(SnapshotReader reader) throws IOException;
}
