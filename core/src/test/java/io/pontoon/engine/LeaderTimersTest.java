package io.pontoon.engine;

import io.pontoon.Role;
import io.pontoon.protocol.MessageType;
import org.junit.jupiter.api.Test;

import static io.pontoon.engine.EngineFixture.ELECTION_TIMEOUT_NS;
import static io.pontoon.engine.EngineFixture.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What time does to a leader: heartbeats and check-quorum (thesis §6.2). */
class LeaderTimersTest {

    @Test
    void leaderSendsHeartbeatsEveryHeartbeatInterval() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf(false);
        assertEquals(2, f.sentOfType(MessageType.HEARTBEAT).size(),
            "a new leader announces itself at once, in the duty cycle that elected it");
        final long firstAt = f.nowNs;
        f.sent.clear();
        f.tickTo(firstAt + 20 * MS - 1);
        assertEquals(0, f.sentOfType(MessageType.HEARTBEAT).size(), "not before the interval");
        f.tickTo(firstAt + 20 * MS);
        assertEquals(2, f.sentOfType(MessageType.HEARTBEAT).size(), "one per follower");
        assertEquals(term, f.lastSent(MessageType.HEARTBEAT).heartbeat().term());
    }

    @Test
    void leaderStepsDownWhenQuorumIsLost() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.electSelf();
        final long electedAt = f.nowNs;
        f.tickTo(electedAt + ELECTION_TIMEOUT_NS);
        assertEquals(Role.LEADER, f.engine.role(), "the first check-quorum round counts the election itself");
        f.tickTo(electedAt + 2 * ELECTION_TIMEOUT_NS);
        assertEquals(Role.FOLLOWER, f.engine.role(), "no follower answered for a whole election timeout");
    }

    @Test
    void leaderStaysWhileAMajorityAnswers() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf();
        for (int round = 0; round < 50; round++) {
            f.tickBy(20 * MS);
            f.heartbeatResponse(2, term, 1);
        }
        assertEquals(Role.LEADER, f.engine.role(), "one follower plus the leader is a majority of 3");
    }

    @Test
    void withoutCheckQuorumASilentClusterDoesNotDeposeTheLeader() {
        final EngineFixture f = new EngineFixture(3, true, EngineFixture.config().checkQuorum(false).build()).start();
        f.electSelf();
        f.tickBy(10 * ELECTION_TIMEOUT_NS);
        assertEquals(Role.LEADER, f.engine.role());
    }
}
