package io.pontoon.engine;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.MessageType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leader side of replication: backing up on conflicts, probe then pipeline, commit rules. Node 1 leads. */
class AppendResponseHandlerTest {

    private static long prevIndexOfLastAppendTo(EngineFixture f, int to) {
        return f.lastSentTo(to, MessageType.APPEND_ENTRIES).appendEntries().prevLogIndex();
    }

    /** The leader of Figure 7 (terms 1 1 1 4 4 5 5 6 6 6) against follower (f) (1 1 1 2 2 2 3 3 3 3 3). */
    @Test
    void leaderBacksUpATermAtATimeOnConflict() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1, 1, 4, 4, 5, 5, 6, 6, 6).start();
        final long term = f.electSelf();
        f.appendReject(2, term, 10, 3, 7, 11);
        assertEquals(6, prevIndexOfLastAppendTo(f, 2),
            "we hold no term 3: skip the follower's whole term 3 and retry before its first index (7)");
        f.appendReject(2, term, 6, 2, 4, 11);
        assertEquals(3, prevIndexOfLastAppendTo(f, 2), "then the whole term 2, in one step");
        f.appendSuccess(2, term, 11);
        assertTrue(f.engine.commitIndex() >= 11, "once it matches, the leader's no-op commits");
    }

    /** Follower (e) of Figure 7 (1 1 1 4 4 4 4): the leader also holds term 4, up to index 5. */
    @Test
    void leaderSkipsToItsOwnLastEntryOfTheConflictTerm() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1, 1, 4, 4, 5, 5, 6, 6, 6).start();
        final long term = f.electSelf();
        f.appendReject(2, term, 10, 4, 4, 7);
        assertEquals(5, prevIndexOfLastAppendTo(f, 2), "our last term-4 entry is 5: resend from 6");
    }

    /** §5.4.2 / Figure 8: a majority holding an entry of an earlier term does not commit it. */
    @Test
    void leaderCommitsOnlyCurrentTermEntriesByCounting() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 2).start();
        final long term = f.electSelf();
        assertEquals(3, term);
        f.appendSuccess(2, term, 2);
        assertEquals(0, f.engine.commitIndex(), "index 2 (term 2) is on 2 of 3 nodes but is not of term 3");
        f.appendSuccess(2, term, 3);
        assertEquals(3, f.engine.commitIndex(), "the no-op of term 3 commits, and everything before it");
        assertEquals(List.of(1L, 2L), f.committedLsns, "entries 1 and 2 applied; the no-op is not delivered");
    }

    /** The leader's own vote counts at its durable index, so its disk write overlaps replication. */
    @Test
    void leaderCountsItselfAtItsDurableIndex() {
        final EngineFixture f = new EngineFixture(3, false, EngineFixture.config().build()).start();
        final long term = f.electSelf();
        f.appendSuccess(2, term, 1);
        assertEquals(0, f.engine.commitIndex(), "one follower has the no-op but the leader's copy is not durable");
        f.log.persistAll();
        f.endDutyCycle();
        assertEquals(1, f.engine.commitIndex(), "now leader + follower: a majority");
    }

    @Test
    void leaderProbesOneMessageAtATimeThenPipelines() {
        final EngineFixture f = new EngineFixture(3, true, EngineFixture.config().maxBatchEntries(1).build()).start();
        final long term = f.electSelf();
        f.propose(8);
        f.propose(8);
        f.propose(8);
        assertTrue(f.sentTo(2, MessageType.APPEND_ENTRIES).isEmpty(), "the probe with the no-op is unanswered");
        f.appendSuccess(2, term, 1);
        final List<EngineFixture.Sent> pipelined = f.sentTo(2, MessageType.APPEND_ENTRIES);
        assertEquals(3, pipelined.size(), "after a match, one message per entry without waiting");
        final AppendEntriesCodec last = pipelined.get(2).appendEntries();
        assertEquals(3, last.prevLogIndex(), "with an optimistic next index");
    }

    @Test
    void leaderKeepsNoMoreThanTheInflightWindowOutstanding() {
        final EngineFixture f = new EngineFixture(3, true,
            EngineFixture.config().maxBatchEntries(1).maxInflightMessages(2).build()).start();
        final long term = f.electSelf();
        for (int i = 0; i < 5; i++) {
            f.propose(8);
        }
        f.appendSuccess(2, term, 1);
        assertEquals(2, f.sentTo(2, MessageType.APPEND_ENTRIES).size(), "two in flight, the window is full");
        f.sent.clear();
        f.appendSuccess(2, term, 2);
        assertEquals(1, f.sentTo(2, MessageType.APPEND_ENTRIES).size(), "one acknowledged, one more sent");
    }

    @Test
    void staleRejectionForAnAlreadyMatchedPrefixIsIgnored() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf();
        f.propose(8);
        f.appendSuccess(2, term, 2);
        f.sent.clear();
        f.appendReject(2, term, 1, -1, 1, 0);
        assertTrue(f.sentTo(2, MessageType.APPEND_ENTRIES).isEmpty(), "index 1 is known to match: nothing to redo");
    }
}
