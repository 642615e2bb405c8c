package io.pontoon.engine;

import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Follower side of heartbeats: the leader's commit index, bounded by what is verified. */
class HeartbeatHandlerTest {

    @Test
    void heartbeatAdvancesCommitOnlyOverEntriesVerifiedWithThisLeader() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1, 1).start();
        f.heartbeat(2, 1, 3);
        assertEquals(0, f.engine.commitIndex(), "entries not yet checked against this leader's log are not committed");
        f.appendEntries(2, 1, 3, 1, 0);
        f.heartbeat(2, 1, 3);
        assertEquals(3, f.engine.commitIndex());
    }

    @Test
    void heartbeatIsAnsweredWithTheLastLogIndex() {
        final EngineFixture f = EngineFixture.threeNodes().withLog(1, 1).start();
        f.heartbeat(2, 1, 0);
        final HeartbeatCodec r = f.lastSentTo(2, MessageType.HEARTBEAT_RESPONSE).heartbeat();
        assertEquals(1, r.term());
        assertEquals(2, r.secondField());
        assertEquals(2, f.engine.leaderId());
    }

    @Test
    void heartbeatOfAStaleTermIsAnsweredWithTheCurrentTerm() {
        final EngineFixture f = EngineFixture.threeNodes().withTerm(4, 0).start();
        f.heartbeat(2, 3, 0);
        assertEquals(4, f.lastSentTo(2, MessageType.HEARTBEAT_RESPONSE).heartbeat().term());
        assertEquals(0, f.engine.leaderId());
    }

    /**
     * Found in the demo on a loaded machine (a failover faster than the minimum election timeout): a
     * heartbeat handled after a long pause must restart the election timer from the current time, not
     * from the last tick. The runtime calls onClock before delivering a batch of messages.
     */
    @Test
    void heartbeatAfterALongPauseRestartsTheElectionTimerFromTheCurrentTime() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.heartbeat(2, 1, 0);
        final long pausedUntil = f.nowNs + 10 * EngineFixture.ELECTION_TIMEOUT_NS;
        f.engine.onClock(pausedUntil);
        f.heartbeat(2, 1, 0);
        f.tickTo(pausedUntil + EngineFixture.ELECTION_TIMEOUT_NS / 2);
        assertEquals(io.pontoon.Role.FOLLOWER, f.engine.role());
        assertEquals(2, f.engine.leaderId());
    }
}
