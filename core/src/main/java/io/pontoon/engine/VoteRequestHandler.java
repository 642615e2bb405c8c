package io.pontoon.engine;

import io.pontoon.protocol.VoteRequestCodec;
import io.pontoon.spi.MetaStore;

/** Votes and pre-votes (§5.2, §5.4.1 election restriction, thesis §9.6 pre-vote). */
final class VoteRequestHandler {
    private final RaftState s;

    VoteRequestHandler(RaftState s) {
        this.s = s;
    }

    /**
     * Any node answers, whether or not its configuration counts it as a voter: it may have been made one by an entry
     * it has not received yet (thesis §4.1), and a vote only counts where the candidate's configuration says so.
     * The engine's term gate has run: for a real vote {@code m.term() == term}; a pre-vote may carry a
     * higher term than ours and does not change our state.
     */
    void onVoteRequest(int from, VoteRequestCodec m) {
        final boolean preVote = m.preVote();
        // §5.4.1: grant only to a candidate whose log is at least as up to date as ours.
        final long lastTerm = s.log.lastTerm();
        final boolean upToDate = m.lastLogTerm() > lastTerm
            || (m.lastLogTerm() == lastTerm && m.lastLogIndex() >= s.log.lastIndex());
        final boolean canVote;
        if (preVote) {
            canVote = m.term() > s.term && !s.inLease();
        } else {
            canVote = s.votedFor == from || (s.votedFor == MetaStore.NO_VOTE && s.leaderId == RaftState.NO_NODE);
        }
        if (canVote && upToDate) {
            if (!preVote) {
                s.persistTermAndVote(s.term, from);
                s.resetElectionTimer();
            }
            s.sender.sendVoteResponse(from, preVote ? m.term() : s.term, true, preVote);
        } else {
            s.sender.sendVoteResponse(from, s.term, false, preVote);
        }
    }
}
