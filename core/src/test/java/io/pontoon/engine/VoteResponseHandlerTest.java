package io.pontoon.engine;

import io.pontoon.Role;
import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.VoteRequestCodec;
import org.junit.jupiter.api.Test;

import static io.pontoon.engine.EngineFixture.ELECTION_TIMEOUT_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Elections from the candidate's side: timeouts, pre-vote rounds, tallies. Node 1 of 3. */
class VoteResponseHandlerTest {

    @Test
    void electionTimeoutStartsAPreVoteWithoutChangingTheTerm() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.tickTo(ELECTION_TIMEOUT_NS - 1);
        assertEquals(Role.FOLLOWER, f.engine.role(), "not before the election timeout");
        f.tickTo(ELECTION_TIMEOUT_NS);
        assertEquals(Role.PRE_CANDIDATE, f.engine.role());
        assertEquals(0, f.engine.term());
        assertEquals(2, f.sentOfType(MessageType.VOTE_REQUEST).size(), "asks both peers");
        final VoteRequestCodec request = f.lastSent(MessageType.VOTE_REQUEST).voteRequest();
        assertTrue(request.preVote());
        assertEquals(1, request.term(), "for the term it would campaign in");
    }

    @Test
    void majorityOfPreVotesStartsARealElectionInTheNextTerm() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.tickTo(ELECTION_TIMEOUT_NS);
        f.sent.clear();
        f.voteResponse(2, 1, true, true);
        assertEquals(Role.CANDIDATE, f.engine.role());
        assertEquals(1, f.meta.term());
        assertEquals(1, f.meta.votedFor(), "votes for itself, durably");
        final EngineFixture.Sent request = f.lastSent(MessageType.VOTE_REQUEST);
        assertTrue(!request.voteRequest().preVote() && request.voteRequest().term() == 1);
        assertEquals(1, request.durableVote(), "its own vote was durable before it asked for others");
    }

    @Test
    void majorityOfVotesMakesALeaderThatAppendsANoOp() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.tickTo(ELECTION_TIMEOUT_NS);
        f.voteResponse(2, 1, true, true);
        f.sent.clear();
        f.voteResponse(3, 1, true, false);
        assertEquals(Role.LEADER, f.engine.role());
        assertEquals(1, f.engine.leaderId());
        assertEquals(1, f.log.lastIndex());
        assertEquals(1, f.log.termAt(1));
        assertEquals(0, f.log.payloadLength(1), "a no-op of its own term (§8), so earlier entries can commit");
        final AppendEntriesCodec append = f.lastSentTo(2, MessageType.APPEND_ENTRIES).appendEntries();
        assertEquals(1, append.entryCount(), "and sends it at once");
    }

    @Test
    void majorityOfRefusalsEndsTheCandidacy() {
        final EngineFixture f = new EngineFixture(3, true, EngineFixture.config().preVote(false).build()).start();
        f.tickTo(ELECTION_TIMEOUT_NS);
        assertEquals(Role.CANDIDATE, f.engine.role());
        f.voteResponse(2, 1, false, false);
        f.voteResponse(3, 1, false, false);
        assertEquals(Role.FOLLOWER, f.engine.role());
        assertEquals(1, f.engine.term());
    }

    @Test
    void voteForAnEarlierTermIsNotCounted() {
        final EngineFixture f = new EngineFixture(3, true, EngineFixture.config().preVote(false).build()).start();
        f.tickTo(ELECTION_TIMEOUT_NS);
        f.tickTo(3 * ELECTION_TIMEOUT_NS);
        assertEquals(2, f.engine.term(), "a second election after the first timed out");
        f.voteResponse(2, 1, true, false);
        assertEquals(Role.CANDIDATE, f.engine.role(), "a grant from term 1 does not count in term 2");
        f.voteResponse(2, 2, true, false);
        assertEquals(Role.LEADER, f.engine.role());
    }

    @Test
    void preCandidateFollowsAHigherTermItHearsOf() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.tickTo(ELECTION_TIMEOUT_NS);
        f.voteResponse(2, 5, false, true);
        assertEquals(Role.FOLLOWER, f.engine.role());
        assertEquals(5, f.engine.term());
    }
}
