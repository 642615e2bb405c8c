package io.pontoon.engine;

import io.pontoon.Role;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.spi.LogStore;
import org.junit.jupiter.api.Test;

import static io.pontoon.engine.EngineFixture.ELECTION_TIMEOUT_NS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Follower side of AppendEntries (§5.3), node 1 of 3, messages from node 2. */
class AppendEntriesHandlerTest {

    @Test
    void followerRejectsAppendWithStaleTerm() {
        final EngineFixture f = EngineFixture.threeNodes().withTerm(5, 0).start();
        f.appendEntries(2, 3, 0, 0, 0, 3);
        final AppendResponseCodec r = f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse();
        assertFalse(r.success(), "rejected");
        assertEquals(5, r.term(), "carries the newer term so the stale leader steps down");
        assertEquals(0, f.log.lastIndex(), "nothing appended");
        assertEquals(5, f.engine.term());
        assertEquals(0, f.engine.leaderId(), "a stale leader is not adopted");
    }

    @Test
    void followerAppendsEntriesAndAcknowledgesThem() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.appendEntries(2, 1, 0, 0, 0, 1, 1);
        final AppendResponseCodec r = f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse();
        assertTrue(r.success());
        assertEquals(2, r.matchIndex());
        assertArrayEquals(new long[] {1, 1}, f.logTerms());
        assertEquals(2, f.engine.leaderId());
        assertEquals(Role.FOLLOWER, f.engine.role());
    }

    @Test
    void followerAcknowledgesOnlyDurableEntries() {
        final EngineFixture f = new EngineFixture(3, false, EngineFixture.config().build()).start();
        f.appendEntries(2, 1, 0, 0, 0, 1, 1, 1);
        assertTrue(f.sentTo(2, MessageType.APPEND_RESPONSE).isEmpty(),
            "nothing is durable yet: the answer waits for the disk (one answer per batch)");
        f.log.persistUpTo(2);
        f.endDutyCycle();
        assertEquals(2, f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse().matchIndex(),
            "the disk caught up to 2: acknowledged up to 2");
        f.log.persistAll();
        f.endDutyCycle();
        assertEquals(3, f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse().matchIndex());
    }

    @Test
    void followerReturnsConflictHintForMissingTerm() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1, 2, 2, 2).start();
        f.appendEntries(2, 3, 4, 3, 0, 3);
        final AppendResponseCodec r = f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse();
        assertFalse(r.success());
        assertEquals(4, r.rejectedIndex());
        assertEquals(2, r.conflictTerm(), "our term at index 4");
        assertEquals(3, r.conflictIndex(), "the first index of term 2 here, so the leader can skip the whole term");
        assertEquals(5, f.log.lastIndex(), "a rejected append changes nothing");
    }

    @Test
    void followerReturnsItsLastIndexPlusOneWhenPrevIsBeyondItsLog() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1).start();
        f.appendEntries(2, 1, 5, 1, 0, 1);
        final AppendResponseCodec r = f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse();
        assertFalse(r.success());
        assertEquals(LogStore.NULL_VALUE, r.conflictTerm(), "no entry at index 5");
        assertEquals(3, r.conflictIndex(), "continue from our last index + 1");
    }

    @Test
    void followerTruncatesAConflictingSuffix() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1, 2, 2).start();
        f.appendEntries(2, 3, 2, 1, 0, 3);
        assertArrayEquals(new long[] {1, 1, 3}, f.logTerms(), "entries 3..4 of term 2 replaced by the leader's");
    }

    @Test
    void followerKeepsItsLaterEntriesWhenAStaleAppendArrives() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.appendEntries(2, 1, 0, 0, 0, 1, 1, 1, 1);
        f.appendEntries(2, 1, 1, 1, 0, 1); // an older, reordered message covering index 2 only
        assertArrayEquals(new long[] {1, 1, 1, 1}, f.logTerms(), "matching entries are never truncated (§5.3)");
        assertEquals(4, f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse().matchIndex());
    }

    @Test
    void followerCommitsNoFurtherThanTheEntriesTheLeaderVerified() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1, 1, 1, 1).start();
        f.appendEntries(2, 2, 0, 0, 5, 1);
        assertEquals(1, f.engine.commitIndex(),
            "the leader's commit is 5 but only index 1 is known to match the leader's log");
        f.appendEntries(2, 2, 1, 1, 5, 1, 1, 1, 1);
        assertEquals(5, f.engine.commitIndex());
        assertEquals(java.util.List.of(1L, 2L, 3L, 4L, 5L), f.committedLsns, "applied in order");
    }

    @Test
    void candidateBecomesFollowerOnAppendFromTheLeaderOfItsTerm() {
        final EngineFixture f = new EngineFixture(3, true, EngineFixture.config().preVote(false).build()).start();
        f.tickTo(ELECTION_TIMEOUT_NS);
        assertEquals(Role.CANDIDATE, f.engine.role());
        f.appendEntries(2, 1, 0, 0, 0);
        assertEquals(Role.FOLLOWER, f.engine.role());
        assertEquals(2, f.engine.leaderId());
        assertEquals(1, f.engine.term());
    }

    @Test
    void newerTermIsDurableBeforeTheAppendIsAcknowledged() {
        final EngineFixture f = EngineFixture.threeNodes().withTerm(2, 3).start();
        f.appendEntries(2, 7, 0, 0, 0, 7);
        final EngineFixture.Sent ack = f.lastSentTo(2, MessageType.APPEND_RESPONSE);
        assertEquals(7, ack.durableTerm(), "term 7 was on stable storage when the ack left");
        assertEquals(0, ack.durableVote(), "and the vote of the old term is gone");
        assertEquals(7, f.engine.term());
    }

    @Test
    void followerAnswersOnReceiptOnceEntriesWaitedReceiptAckDelayForTheDisk() {
        final EngineFixture f = new EngineFixture(3, false,
            EngineFixture.config().receiptAckDelayNs(5 * EngineFixture.MS).build()).start();
        f.appendEntries(2, 1, 0, 0, 0, 1, 1);
        f.tickBy(5 * EngineFixture.MS - 1);
        assertTrue(f.sentTo(2, MessageType.APPEND_RESPONSE).isEmpty(), "not before the delay");
        f.tickBy(1);
        final AppendResponseCodec r = f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse();
        assertTrue(r.success());
        assertEquals(0, r.matchIndex(), "a receipt answer acknowledges nothing that is not durable");
        assertEquals(2, r.lastLogIndex(), "it tells the leader what arrived, freeing its window");
        f.tickBy(10 * EngineFixture.MS);
        assertEquals(1, f.sentTo(2, MessageType.APPEND_RESPONSE).size(), "answered once, not every cycle");
        f.log.persistAll();
        f.endDutyCycle();
        assertEquals(2, f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse().matchIndex(),
            "then once more when durable");
    }

    @Test
    void followerAnswersOnReceiptWhenUnansweredAppendsFillHalfTheWindow() {
        final EngineFixture f = new EngineFixture(3, false,
            EngineFixture.config().maxInflightMessages(4).receiptAckDelayNs(10_000 * EngineFixture.MS).build()).start();
        f.appendEntries(2, 1, 0, 0, 0, 1);
        assertTrue(f.sentTo(2, MessageType.APPEND_RESPONSE).isEmpty(), "one of a window of four: wait for the disk");
        f.appendEntries(2, 1, 1, 1, 0, 1);
        final AppendResponseCodec r = f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse();
        assertEquals(0, r.matchIndex());
        assertEquals(2, r.lastLogIndex(), "two of four unanswered: the leader's window must not fill");
    }

    @Test
    void followerAnswersAnAppendThatBringsNothingNewAtOnce() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.appendEntries(2, 1, 0, 0, 0, 1);
        f.appendEntries(2, 1, 1, 1, 0);
        assertEquals(2, f.sentTo(2, MessageType.APPEND_RESPONSE).size(),
            "an empty AppendEntries (a probe) is answered in its own duty cycle: the leader waits for it");
        assertEquals(1, f.lastSentTo(2, MessageType.APPEND_RESPONSE).appendResponse().matchIndex());
    }
}
