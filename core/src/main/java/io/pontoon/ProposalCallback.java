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
}
