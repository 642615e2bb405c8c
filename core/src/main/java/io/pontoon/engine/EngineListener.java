package io.pontoon.engine;

import io.pontoon.CommitListener;
import io.pontoon.ResultCode;
import io.pontoon.spi.SnapshotMeta;

/**
 * Outputs of the engine other than messages and log writes. Called on the Raft thread.
 * {@link #onCommit} sees each committed non-empty entry once, in index order, after the last snapshot the
 * engine started from or installed.
 */
public interface EngineListener extends CommitListener {
    /**
     * The outcome of a proposal that {@link RaftEngine#propose} accepted under {@code tag}: OK once
     * committed, LEADERSHIP_LOST if its entry was overwritten, TIMEOUT if unknown after
     * proposalTimeoutNs (or when a snapshot from the leader replaced the log it was in). Called exactly
     * once per accepted proposal.
     */
    void onProposalResult(long tag, ResultCode code, long index);

    /**
     * The node installed a snapshot sent by the leader (durable in its SnapshotStore): the state machine
     * must be restored from {@code meta} before the next {@link #onCommit}, which will be for an index
     * above {@code meta.index()}. Default: nothing (a listener without a state machine).
     */
    default void onSnapshotInstalled(SnapshotMeta meta) {
    }

    /**
     * Back-pressure from whatever consumes {@link #onCommit}: false holds delivery (the entry of
     * {@code length} payload bytes is offered again next cycle). Default: always true.
     */
    default boolean canApply(int length) {
        return true;
    }

    /**
     * The outcome of a read {@link RaftEngine#requestRead} took under {@code tag}: OK with the read index (serve
     * the read once the state machine has applied it), or NOT_LEADER, TIMEOUT, LEADERSHIP_TRANSFER or CLOSED with
     * index -1. Called exactly once per read taken.
     */
    default void onReadIndex(long tag, ResultCode code, long index) {
    }

    /**
     * A leadership transfer this node started ({@link RaftEngine#transferLeadership}) ended: {@code done} if
     * {@code target} now leads, false if the attempt timed out or another node won.
     */
    default void onTransferEnded(int target, boolean done) {
    }

    /** After a duty cycle applied entries: every entry up to {@code lastApplied} has been delivered. */
    default void onApplied(long lastApplied) {
    }

    /**
     * The configuration in effect changed (thesis §4.1: when its entry is appended, or a truncation or snapshot
     * brought another back). Raft thread; the transport may need to reach a new member.
     */
    default void onMembershipChanged(io.pontoon.spi.Membership membership) {
    }

    /**
     * The configuration entry at {@code index} (of {@code term}) is committed and applied, in order with the entries
     * around it (it never reaches {@link #onCommit}); {@link #canApply} was asked for its size first.
     */
    default void onMembershipApplied(long index, long term, io.pontoon.spi.Membership membership) {
    }
}
