package io.pontoon.runtime;

import io.pontoon.protocol.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbound ring's typed codec (STYLE.md 17): records round-trip, and control ids never meet wire ids. */
class InboundRingTest {
    private final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024 + RingBufferDescriptor.TRAILER_LENGTH)));
    private final InboundRing inbound = new InboundRing(ring);
    private final List<String> seen = new ArrayList<>();
    private final InboundRing.Handler recorder = new InboundRing.Handler() {
        @Override
        public void onPeerMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length) {
            seen.add("peer from=" + fromNodeId + " type=" + type + " body=" + text(body, offset, length));
        }

        @Override
        public void onProposal(int callbackSlot, long correlationId, DirectBuffer data, int offset, int length) {
            seen.add("proposal slot=" + callbackSlot + " id=" + correlationId + " data=" + text(data, offset, length));
        }

        @Override
        public void onStatusRequest(long requestId) {
            seen.add("status id=" + requestId);
        }
    };

    private static String text(DirectBuffer b, int offset, int length) {
        final byte[] bytes = new byte[length];
        b.getBytes(offset, bytes);
        return new String(bytes);
    }

    @Test
    void everyRecordTypeRoundTripsInOrder() {
        assertTrue(inbound.offerPeerMessage(3, MessageType.APPEND_ENTRIES, new UnsafeBuffer("ae".getBytes()), 0, 2));
        assertTrue(inbound.offerProposal(7, InboundRing.CORRELATION_MASK, new UnsafeBuffer("xyz".getBytes()), 1, 2));
        assertTrue(inbound.offerStatusRequest(42));
        assertEquals(3, inbound.read(recorder, 10));
        assertEquals(List.of("peer from=3 type=1 body=ae", "proposal slot=7 id=" + InboundRing.CORRELATION_MASK
            + " data=yz", "status id=42"), seen);
        assertEquals(0, inbound.size());
    }

    @Test
    void controlIdsLieAboveEveryWireType() {
        // The wire's type field is one unsigned byte (docs/PROTOCOL.md).
        assertTrue(InboundRing.PROPOSAL > 255 && InboundRing.STATUS_REQUEST > 255);
        assertTrue(InboundRing.PROPOSAL > MessageType.MAX_RAFT_TYPE);
        assertFalse(MessageType.isRaftMessage(InboundRing.PROPOSAL));
    }

    @Test
    void aPeerMessageWithAControlIdIsRefused() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> inbound.offerPeerMessage(2, InboundRing.PROPOSAL, new UnsafeBuffer(new byte[1]), 0, 1));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
    }

    @Test
    void aRecordOfUnknownTypeIsABug() {
        ring.write(1_000, new UnsafeBuffer(new byte[8]), 0, 8);
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> inbound.read(recorder, 10));
        assertTrue(e.getMessage().contains("unknown type 1000"), e.getMessage());
    }

    @Test
    void aFullRingRefusesInsteadOfBlocking() {
        final UnsafeBuffer big = new UnsafeBuffer(new byte[4 * 1024]);
        int accepted = 0;
        while (inbound.offerProposal(0, accepted, big, 0, big.capacity())) {
            accepted++;
        }
        assertTrue(accepted > 0 && accepted <= 16, "accepted " + accepted + " 4 KiB proposals into 64 KiB");
        assertFalse(inbound.offerPeerMessage(2, MessageType.HEARTBEAT, big, 0, big.capacity()),
            "full: the producer learns it at once");
    }
}
