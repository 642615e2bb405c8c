package io.pontoon.transport;

import io.pontoon.ProposalCallback;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.transport.codec.ClientStatusRequestCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.codec.HandshakeCodec.RejectReason;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 9: what one client (or many) can make a node hold is bounded. */
class ClientLimitsTest {
    private static final int CLUSTER = 7;
    private final CountDownLatch statusGate = new CountDownLatch(1);
    private NettyTransport node;

    private void start(Consumer<NettyTransportConfig.Builder> custom) {
        final List<NettyTransportConfig> configs = TestNodes.configs(TestNodes.freePorts(3), custom);
        node = new NettyTransport(configs.get(0));
        node.start(1, new TestNodes.Recorder());
        node.serveClients(new ClientService() {
            @Override
            public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback) {
                return true;
            }

            @Override
            public RaftStatus status() {
                try {
                    statusGate.await(); // a node slow to answer: the requests stay unanswered
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new RaftStatus(1, Role.LEADER, 1, 1, 0, 0, 0, 0);
            }
        });
    }

    @AfterEach
    void stop() {
        statusGate.countDown();
        if (node != null) {
            node.close();
        }
    }

    private RawPeer client() {
        final RawPeer c = new RawPeer(node.localAddress()).readChallenge();
        c.write(c.hello(Frame.PROTOCOL_VERSION, CLUSTER, 0, HandshakeCodec.ROLE_CLIENT, 0, null));
        return c;
    }

    private static int frameType(byte[] frame) {
        assertNotNull(frame, "expected a frame");
        return Frame.type(new UnsafeBuffer(frame), 0);
    }

    @Test
    void aFrameLargerThanAHandshakeIsRefusedBeforeTheHandshake() {
        start(b -> { });
        try (RawPeer peer = new RawPeer(node.localAddress()).readChallenge()) {
            // Claims a 1 MiB frame: before, the node buffered up to maxFrameBytes (8 MiB) from anyone.
            peer.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 20).putInt(0).array());
            assertTrue(peer.awaitClosedByPeer(), "closed at once");
        }
    }

    @Test
    void clientsBeyondMaxClientConnectionsAreRefusedUntilOneLeaves() {
        start(b -> b.maxClientConnections(2));
        try (RawPeer first = client(); RawPeer second = client()) {
            assertEquals(FrameType.HANDSHAKE_ACCEPT, frameType(first.readFrame()));
            assertEquals(FrameType.HANDSHAKE_ACCEPT, frameType(second.readFrame()));
            try (RawPeer third = client()) {
                final byte[] f = third.readFrame();
                assertEquals(FrameType.HANDSHAKE_REJECT, frameType(f));
                assertEquals(RejectReason.TOO_MANY_CLIENTS,
                    RejectReason.of(HandshakeCodec.rejectReason(new UnsafeBuffer(f), Frame.HEADER_LENGTH)));
            }
            first.close();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.clientConnections() > 1 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            try (RawPeer fourth = client()) {
                assertEquals(FrameType.HANDSHAKE_ACCEPT, frameType(fourth.readFrame()), "room again once one left");
            }
        }
    }

    @Test
    void tooManyUnansweredStatusRequestsCloseTheConnection() {
        start(b -> b.maxStatusRequestsPerClient(4));
        try (RawPeer c = client()) {
            assertEquals(FrameType.HANDSHAKE_ACCEPT, frameType(c.readFrame()));
            for (int i = 0; i < 5; i++) {
                final UnsafeBuffer body = new UnsafeBuffer(new byte[ClientStatusRequestCodec.LENGTH]);
                ClientStatusRequestCodec.encode(body, 0, i + 1);
                c.write(RawPeer.frame(FrameType.CLIENT_STATUS_REQUEST, CLUSTER, 0, body.byteArray()));
            }
            assertTrue(c.awaitClosedByPeer(), "the fifth unanswered status request closes the connection");
        }
    }

    @Test
    void anIdleClientConnectionIsClosed() {
        start(b -> b.clientIdleTimeoutNs(1_000_000_000L));
        try (RawPeer c = client()) {
            assertEquals(FrameType.HANDSHAKE_ACCEPT, frameType(c.readFrame()));
            c.socket.setSoTimeout(30_000);
            assertTrue(c.awaitClosedByPeer(), "closed after a second of silence");
        } catch (java.net.SocketException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anAppendWithACorrelationIdOutOfRangeIsAnsweredInvalidAndTheConnectionStaysUp() {
        start(b -> { });
        statusGate.countDown();
        try (RawPeer c = client()) {
            assertEquals(FrameType.HANDSHAKE_ACCEPT, frameType(c.readFrame()));
            final UnsafeBuffer append = new UnsafeBuffer(new byte[io.pontoon.transport.codec.ClientAppendRequestCodec.HEADER_LENGTH + 3]);
            io.pontoon.transport.codec.ClientAppendRequestCodec.encodeHeader(append, 0, -5L, 3);
            c.write(RawPeer.frame(FrameType.CLIENT_APPEND_REQUEST, CLUSTER, 0, append.byteArray()));
            final byte[] answer = c.readFrame();
            assertEquals(FrameType.CLIENT_APPEND_RESPONSE, frameType(answer));
            final UnsafeBuffer b = new UnsafeBuffer(answer);
            assertEquals(-5L, io.pontoon.transport.codec.ClientAppendResponseCodec.correlationId(b, Frame.HEADER_LENGTH));
            assertEquals(io.pontoon.ResultCode.INVALID,
                io.pontoon.transport.codec.ClientAppendResponseCodec.resultCode(b, Frame.HEADER_LENGTH));
            // Still up: a status request is answered on the same connection.
            final UnsafeBuffer status = new UnsafeBuffer(new byte[ClientStatusRequestCodec.LENGTH]);
            ClientStatusRequestCodec.encode(status, 0, 9);
            c.write(RawPeer.frame(FrameType.CLIENT_STATUS_REQUEST, CLUSTER, 0, status.byteArray()));
            assertEquals(FrameType.CLIENT_STATUS_RESPONSE, frameType(c.readFrame()));
        }
    }
}
