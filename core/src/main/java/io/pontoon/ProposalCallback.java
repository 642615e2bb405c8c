package io.pontoon;

/**
 * Outcome of an allocation-free proposal ({@link RaftNode#propose(org.agrona.DirectBuffer, int, int, long, ProposalCallback)}).
 * Called exactly once per accepted proposal, on the node's Raft thread; must not block.
 */
@FunctionalInterface
public interface ProposalCallback {
    /**
     * @param correlationId the id the caller passed to propose
     * @param code          {@link ResultCode#OK} when committed, else why not
     * @param lsn           the entry's log index when OK (or the index it had when LEADERSHIP_LOST/TIMEOUT), else -1
     * @param leaderId      for NOT_LEADER, the known leader id or 0
     */
    void onResult(long correlationId, ResultCode code, long lsn, int leaderId);

    /**
     * End of a batch: called on the Raft thread once at the end of each duty cycle in which this callback
     * received at least one {@link #onResult}, after all of that cycle's results. Keep {@code onResult}
     * to cheap per-entry bookkeeping and do the per-batch work here (flush a connection, wake another
     * thread, publish a counter), so it is paid once per batch and not once per entry on the leader's
     * Raft thread. Default: nothing.
     */
    default void onBatchEnd() {
    }
}
