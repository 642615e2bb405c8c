package io.pontoon.engine;

import io.pontoon.CommitListener;
import io.pontoon.ResultCode;

/**
 * Outputs of the engine other than messages and log writes. Called on the Raft thread.
 * {@link #onCommit} sees each committed non-empty entry once, in index order.
 */
public interface EngineListener extends CommitListener {
    /**
     * The outcome of a proposal that {@link RaftEngine#propose} accepted under {@code tag}: OK once
     * committed, LEADERSHIP_LOST if its entry was overwritten, TIMEOUT if unknown after
     * proposalTimeoutNs. Called exactly once per accepted proposal.
     */
    void onProposalResult(long tag, ResultCode code, long index);
}
