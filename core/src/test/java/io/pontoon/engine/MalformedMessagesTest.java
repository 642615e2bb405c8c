package io.pontoon.engine;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
    void messageFromANonMemberIsRefused() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        final int length = new AppendEntriesCodec().encode(body, 0, 5, 0, 0, 0).length();
        assertNotNull(f.engine.onMessage(9, MessageType.APPEND_ENTRIES, body, 0, length));
        assertEquals(0, f.engine.term());
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
}
