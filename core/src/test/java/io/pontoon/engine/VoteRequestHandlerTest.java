package io.pontoon.engine;

import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.VoteResponseCodec;
import org.junit.jupiter.api.Test;

import static io.pontoon.engine.EngineFixture.ELECTION_TIMEOUT_NS;
import static io.pontoon.engine.EngineFixture.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Votes (§5.2, §5.4.1) and pre-votes (thesis §9.6), node 1 of 3 voting. */
class VoteRequestHandlerTest {

    @Test
    void voteGrantedToAnUpToDateCandidateIsDurableBeforeTheReply() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1).start();
        f.voteRequest(2, 2, 2, 1, false);
        final EngineFixture.Sent reply = f.lastSentTo(2, MessageType.VOTE_RESPONSE);
        assertTrue(reply.voteResponse().granted());
        assertEquals(2, reply.voteResponse().term());
        assertEquals(2, reply.durableTerm(), "term on stable storage before the reply");
        assertEquals(2, reply.durableVote(), "vote on stable storage before the reply");
    }

    @Test
    void voteNotGrantedToCandidateWithStaleLog() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1, 3).start();
        f.voteRequest(2, 4, 5, 2, false);
        assertFalse(f.lastSentTo(2, MessageType.VOTE_RESPONSE).voteResponse().granted(),
            "its last term 2 is older than ours (3), however long its log");
        assertEquals(4, f.engine.term(), "the newer term is still adopted");
        assertEquals(0, f.engine.votedFor());
    }

    @Test
    void voteNotGrantedToCandidateWithAShorterLogOfTheSameLastTerm() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1, 3, 3).start();
        f.voteRequest(2, 4, 3, 3, false);
        assertFalse(f.lastSentTo(2, MessageType.VOTE_RESPONSE).voteResponse().granted());
    }

    @Test
    void onlyOneCandidateGetsTheVoteInATerm() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.voteRequest(2, 1, 0, 0, false);
        assertTrue(f.lastSentTo(2, MessageType.VOTE_RESPONSE).voteResponse().granted());
        f.voteRequest(3, 1, 0, 0, false);
        assertFalse(f.lastSentTo(3, MessageType.VOTE_RESPONSE).voteResponse().granted(), "already voted for 2");
        f.voteRequest(2, 1, 0, 0, false);
        assertTrue(f.lastSentTo(2, MessageType.VOTE_RESPONSE).voteResponse().granted(), "a retransmission is re-granted");
        assertEquals(2, f.meta.votedFor());
    }

    @Test
    void preVoteIsGrantedWithoutChangingTermOrVote() {
        final EngineFixture f = EngineFixture.threeNodes().withTerm(3, 0).start();
        f.voteRequest(2, 4, 0, 0, true);
        final VoteResponseCodec r = f.lastSentTo(2, MessageType.VOTE_RESPONSE).voteResponse();
        assertTrue(r.granted() && r.preVote());
        assertEquals(4, r.term(), "a granted pre-vote names the term the candidate would campaign in");
        assertEquals(3, f.engine.term());
        assertEquals(3, f.meta.term());
        assertEquals(0, f.meta.votedFor());
    }

    @Test
    void preVoteIsIgnoredWhileTheLeaderIsHeardFrom() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.appendEntries(2, 1, 0, 0, 0);
        f.tickBy(ELECTION_TIMEOUT_NS / 2);
        f.sent.clear();
        f.voteRequest(3, 2, 0, 0, true);
        assertTrue(f.sentOfType(MessageType.VOTE_RESPONSE).isEmpty(), "a leader was heard within the election timeout");
        assertEquals(1, f.engine.term());
        f.tickBy(ELECTION_TIMEOUT_NS / 2 + MS);
        f.voteRequest(3, 2, 0, 0, true);
        assertTrue(f.lastSentTo(3, MessageType.VOTE_RESPONSE).voteResponse().granted(),
            "once the leader has been silent for an election timeout, the pre-vote is granted");
    }

    @Test
    void disruptiveVoteRequestIsIgnoredWhileTheLeaderIsHeardFrom() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.appendEntries(2, 1, 0, 0, 0);
        f.sent.clear();
        f.voteRequest(3, 5, 10, 4, false);
        assertTrue(f.sentOfType(MessageType.VOTE_RESPONSE).isEmpty());
        assertEquals(1, f.engine.term(), "a rejoining node's higher term does not depose a live leader");
        assertEquals(2, f.engine.leaderId());
    }

    @Test
    void voteRequestOfAStaleTermIsNotGranted() {
        final EngineFixture f = EngineFixture.threeNodes().withTerm(5, 0).start();
        f.voteRequest(2, 3, 0, 0, false);
        f.sentOfType(MessageType.VOTE_RESPONSE)
            .forEach(s -> assertFalse(s.voteResponse().granted(), "no vote for a past term"));
        assertEquals(0, f.meta.votedFor());
    }
}
