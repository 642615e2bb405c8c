package io.pontoon.engine;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is refused with a reason and changes nothing. */
class MalformedMessagesTest {

    @Test
    void truncatedAppendEntriesIsRefusedWithAReason() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        new AppendEntriesCodec().encode(body, 0, 5, 0, 0, 0);
        final String reason = f.engine.onMessage(2, MessageType.APPEND_ENTRIES, body, 0, 20);
        assertNotNull(reason);
        assertTrue(reason.contains("shorter"), reason);
        assertEquals(0, f.engine.term(), "the term in a malformed message is not acted on");
        assertTrue(f.sent.isEmpty());
    }

    @Test
    void unknownMessageTypeIsRefused() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        assertNotNull(f.engine.onMessage(2, 99, new UnsafeBuffer(new byte[16]), 0, 16));
    }

    @Test
    void anAnswerFromANonMemberIsIgnored() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        final int length = io.pontoon.protocol.HeartbeatCodec.encode(body, 0, 5, 0, 0);
        assertNull(f.engine.onMessage(9, MessageType.HEARTBEAT_RESPONSE, body, 0, length));
        assertEquals(0, f.engine.term(), "not acted on, not even its term");
        assertEquals(1, f.engine.nonMemberAnswers());
    }

    /**
     * Thesis §4.1: a node takes AppendEntries from a leader its configuration does not list yet (the leader was added
     * by an entry this node has not received); answers are what only members may send.
     */
    @Test
    void appendEntriesFromALeaderNotYetInTheConfigurationIsTaken() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        final int length = new AppendEntriesCodec().encode(body, 0, 5, 0, 0, 0).length();
        assertNull(f.engine.onMessage(9, MessageType.APPEND_ENTRIES, body, 0, length));
        assertEquals(5, f.engine.term());
        assertEquals(9, f.engine.leaderId());
    }

    /**
     * Issue 9: one HEARTBEAT with term Long.MAX_VALUE used to be taken and persisted, and the next election's term + 1
     * overflowed: the cluster never elected a leader again. A term more than 2^32 above ours is malformed.
     */
    @Test
    void aTermNoCorrectPeerCouldSendIsRefusedAndChangesNothing() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        for (long absurd : new long[] {Long.MAX_VALUE, (1L << 32) + 1}) {
            final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
            final int length = HeartbeatCodec.encode(body, 0, absurd, 0);
            final String reason = f.engine.onMessage(2, MessageType.HEARTBEAT, body, 0, length);
            assertNotNull(reason, "term " + absurd);
            assertTrue(reason.contains("term " + absurd), reason);
            assertEquals(0, f.engine.term(), "the absurd term is not taken");
        }
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        final int length = HeartbeatCodec.encode(body, 0, 1L << 32, 0);
        assertEquals(null, f.engine.onMessage(2, MessageType.HEARTBEAT, body, 0, length), "2^32 above ours is still taken");
        assertEquals(1L << 32, f.engine.term());
    }

    /**
     * Issue 9 (no index arithmetic overflows): an AppendResponse naming a negative index is malformed. One naming an
     * index beyond the leader's log answers an older leader's request (simulation seed 2019854: a follower answers a
     * delayed AppendEntries of an earlier term with its current term) and is ignored. Either way no index moves past
     * the log.
     */
    @Test
    void anAckBeyondTheLeadersLogIsIgnoredANegativeOneIsMalformedAndNeitherMovesAnIndex() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf();
        final long last = f.log.lastIndex();
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        for (long beyond : new long[] {Long.MAX_VALUE, last + 1}) {
            int length = AppendResponseCodec.encode(body, 0, term, true, beyond, -1, -1, -1, beyond);
            assertEquals(null, f.engine.onMessage(2, MessageType.APPEND_RESPONSE, body, 0, length), "ack of " + beyond);
            length = AppendResponseCodec.encode(body, 0, term, false, 0, beyond, -1, beyond, beyond);
            assertEquals(null, f.engine.onMessage(3, MessageType.APPEND_RESPONSE, body, 0, length), "rejection of " + beyond);
        }
        assertEquals(4, f.engine.staleResponses());
        int length = AppendResponseCodec.encode(body, 0, term, true, -5, -1, -1, -1, -5);
        assertNotNull(f.engine.onMessage(2, MessageType.APPEND_RESPONSE, body, 0, length), "ack of -5");
        length = AppendResponseCodec.encode(body, 0, term, false, 0, -5, -1, -5, -5);
        assertTrue(f.engine.onMessage(3, MessageType.APPEND_RESPONSE, body, 0, length).contains("negative"));
        f.engine.doWork(f.nowNs, RaftEngine.Inbox.EMPTY);
        assertTrue(f.engine.commitIndex() <= last, "commit index " + f.engine.commitIndex() + " within the log (" + last + ")");
    }
}
