package io.pontoon.engine;

import io.pontoon.Role;
import io.pontoon.protocol.VoteResponseCodec;

/** Tallies votes and pre-votes; a majority moves a pre-candidate to candidate and a candidate to leader. */
final class VoteResponseHandler {
    private final RaftState s;

    VoteResponseHandler(RaftState s) {
        this.s = s;
    }

    void onVoteResponse(int from, VoteResponseCodec m) {
        final boolean preVote = m.preVote();
        if (preVote) {
            if (s.role != Role.PRE_CANDIDATE) {
                return;
            }
            if (m.granted() && m.term() != s.term + 1) {
                return; // stale answer to an earlier pre-vote round
            }
        } else if (s.role != Role.CANDIDATE || m.term() != s.term) {
            return;
        }
        final Progress pr = s.progress(from);
        if (pr == null) {
            return; // not a member of the configuration this node campaigns in
        }
        pr.vote = (byte) (m.granted() ? 1 : 2);
        if (s.votesWon()) {
            if (preVote) {
                s.becomeCandidate();
            } else {
                s.becomeLeader();
            }
        } else if (s.votesLost()) {
            s.becomeFollower(s.term, RaftState.NO_NODE);
        }
    }
}
