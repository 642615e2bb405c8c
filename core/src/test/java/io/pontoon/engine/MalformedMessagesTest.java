package io.pontoon.engine;

import io.pontoon.protocol.AppendEntriesCodec;
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
}
