package io.pontoon.transport.client;

import io.pontoon.LocalCluster;
import io.pontoon.ProposalException;
import io.pontoon.RaftConfig;
import io.pontoon.ReadPolicy;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.transport.FakeClientService;
import io.pontoon.transport.NettyFabricAccess;
import io.pontoon.transport.NettyTransport;
import io.pontoon.transport.NettyTransportConfig;
import io.pontoon.transport.codec.ClientAdminRequestCodec;
import io.pontoon.transport.codec.ClientAdminResponseCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.FrameValidator;
import io.pontoon.transport.codec.HandshakeCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT_ADMIN_REQUEST end to end: {@link PontoonClient#transferLeadership} and {@link PontoonClient#readIndex}
 * against a real 3-node cluster over Netty, and the transport's handling of malformed and piled-up admin requests
 * against a fake node.
 */
class ClientAdminTest {
    private static final byte[] SECRET = "client-admin-test-secret-0123".getBytes(StandardCharsets.US_ASCII);
    private static final int FAKE_CLUSTER = 9;

    private NettyFabricAccess fabric;
    private LocalCluster cluster;
    private NettyTransport fakeNode;
    private FakeClientService fake;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (fabric != null) {
            fabric.close();
        }
        if (fakeNode != null) {
            fakeNode.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    /** A 3-node cluster serving clients; returns the position (0-based) of its leader. */
    private int startCluster() {
        fabric = new NettyFabricAccess(41);
        cluster = LocalCluster.start(3, RaftConfig.builder().electionTimeoutNs(150_000_000L)
            .heartbeatIntervalNs(20_000_000L).proposalTimeoutNs(30_000_000_000L).build(), fabric.fabric());
        final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
        fabric.serveClients(cluster);
        return leader;
    }

    private PontoonClient clusterClient() {
        final PontoonClientConfig.Builder b = PontoonClientConfig.builder().clusterId(fabric.clusterId());
        for (int i = 0; i < 3; i++) {
            b.address(fabric.address(i + 1));
        }
        return new PontoonClient(b.build());
    }

    /** One node serving {@link #fake}, at most {@code maxUnanswered} status and admin requests per connection. */
    private InetSocketAddress startFakeNode(int maxUnanswered) {
        fake = new FakeClientService(1, true, 1);
        fakeNode = new NettyTransport(NettyTransportConfig.builder().nodeId(1).clusterId(FAKE_CLUSTER).secret(SECRET)
            .listenAddress(new InetSocketAddress("127.0.0.1", 0)).maxStatusRequestsPerClient(maxUnanswered).build());
        fakeNode.start(1, (from, type, body, offset, length) -> true);
        fakeNode.serveClients(fake);
        return fakeNode.localAddress();
    }

    private static ProposalException refusal(CompletableFuture<?> outcome) {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> outcome.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ProposalException.class, e.getCause());
    }

    @Test
    void transferMakesTheTargetTheClustersLeader() throws Exception {
        final int leader = startCluster();
        final int target = (leader + 1) % 3;
        try (PontoonClient client = clusterClient()) {
            client.transferLeadership(fabric.address(leader + 1), target + 1).get(30, TimeUnit.SECONDS);
            assertEquals(target, cluster.awaitLeader(Duration.ofSeconds(30)));
            assertEquals(Role.LEADER, client.status(fabric.address(target + 1)).get(30, TimeUnit.SECONDS).role());
            // the old leader took the new one's term: a client append now lands at the new leader
            client.append("after-transfer".getBytes(StandardCharsets.US_ASCII)).get(30, TimeUnit.SECONDS);
            assertEquals(fabric.address(target + 1), client.leaderHint());
        }
    }

    @Test
    void transferToANonMemberOrToTheLeaderItselfIsInvalid() throws Exception {
        final int leader = startCluster();
        try (PontoonClient client = clusterClient()) {
            assertEquals(ResultCode.INVALID, refusal(client.transferLeadership(fabric.address(leader + 1), 9)).code());
            assertEquals(ResultCode.INVALID,
                refusal(client.transferLeadership(fabric.address(leader + 1), leader + 1)).code());
            // refused before sending: id 0 is no node, and the wire has no room for it
            assertEquals(ResultCode.INVALID, refusal(client.transferLeadership(fabric.address(leader + 1), 0)).code());
            assertEquals(leader, cluster.awaitLeader(Duration.ofSeconds(30)));
        }
    }

    @Test
    void transferSentToAFollowerIsRefusedNotLeaderNamingTheLeader() throws Exception {
        final int leader = startCluster();
        final int follower = (leader + 1) % 3;
        final int target = (leader + 2) % 3;
        try (PontoonClient client = clusterClient()) {
            final ProposalException e = refusal(client.transferLeadership(fabric.address(follower + 1), target + 1));
            assertEquals(ResultCode.NOT_LEADER, e.code());
            assertEquals(leader + 1, e.leaderId());
        }
    }

    @Test
    void readIndexOnAFollowerCoversAnAcknowledgedAppend() throws Exception {
        final int leader = startCluster();
        final int follower = (leader + 1) % 3;
        try (PontoonClient client = clusterClient()) {
            final long lsn = client.append("written".getBytes(StandardCharsets.US_ASCII)).get(30, TimeUnit.SECONDS);
            final long followerIndex = client.readIndex(fabric.address(follower + 1), ReadPolicy.LINEARIZABLE)
                .get(30, TimeUnit.SECONDS);
            assertTrue(followerIndex >= lsn, "follower read index " + followerIndex + " < acknowledged lsn " + lsn);
            final long leaderIndex = client.readIndex(fabric.address(leader + 1), ReadPolicy.LINEARIZABLE)
                .get(30, TimeUnit.SECONDS);
            assertTrue(leaderIndex >= lsn, "leader read index " + leaderIndex + " < acknowledged lsn " + lsn);
            // the policy travels: a lease read is a leader's only
            final ProposalException e = refusal(client.readIndex(fabric.address(follower + 1), ReadPolicy.LEASE));
            assertEquals(ResultCode.NOT_LEADER, e.code());
        }
    }

    @Test
    void anAdminRequestWithAnUnknownOpClosesTheConnectionBeforeTheNodeSeesIt() throws Exception {
        final InetSocketAddress node = startFakeNode(16);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[ClientAdminRequestCodec.LENGTH]);
        ClientAdminRequestCodec.encode(body, 0, 1, 9, 2);
        final String reason = FrameValidator.validateClientRequestBody(FrameType.CLIENT_ADMIN_REQUEST, body, 0,
            ClientAdminRequestCodec.LENGTH);
        assertNotNull(reason);
        assertTrue(reason.contains("unknown op 9"), reason);

        try (RawClient raw = new RawClient(node)) {
            raw.write(frame(FrameType.CLIENT_ADMIN_REQUEST, FAKE_CLUSTER, body.byteArray()));
            assertTrue(raw.closedByNode(), "an unknown op must close the connection");
        }
        assertTrue(fake.transfers.isEmpty(), "the node never saw the malformed request");
        // A valid one on a new connection is served.
        ClientAdminRequestCodec.encode(body, 0, 2, ClientAdminRequestCodec.OP_TRANSFER_LEADERSHIP, 2);
        assertNull(FrameValidator.validateClientRequestBody(FrameType.CLIENT_ADMIN_REQUEST, body, 0,
            ClientAdminRequestCodec.LENGTH));
        try (RawClient raw = new RawClient(node)) {
            raw.write(frame(FrameType.CLIENT_ADMIN_REQUEST, FAKE_CLUSTER, body.byteArray()));
            final FakeClientService.Transfer t = fake.transfers.poll(30, TimeUnit.SECONDS);
            assertNotNull(t, "the node was asked");
            assertEquals(2, t.target());
            t.outcome().completeExceptionally(new ProposalException(ResultCode.TIMEOUT, -1, 1));
            final UnsafeBuffer answer = new UnsafeBuffer(raw.readFrame());
            assertEquals(FrameType.CLIENT_ADMIN_RESPONSE, Frame.type(answer, 0));
            assertEquals(2, ClientAdminResponseCodec.correlationId(answer, Frame.HEADER_LENGTH));
            assertEquals(ResultCode.TIMEOUT, ClientAdminResponseCodec.code(answer, Frame.HEADER_LENGTH));
            assertEquals(1, ClientAdminResponseCodec.leaderId(answer, Frame.HEADER_LENGTH));
        }
    }

    @Test
    void answeredAdminRequestsFreeTheirPlaceButOneMoreUnansweredThanTheLimitClosesTheConnection() throws Exception {
        final InetSocketAddress node = startFakeNode(4);
        final PontoonClientConfig config = PontoonClientConfig.builder().clusterId(FAKE_CLUSTER).secret(SECRET)
            .address(node).build();
        try (PontoonClient client = new PontoonClient(config)) {
            for (int round = 0; round < 3; round++) {
                final List<CompletableFuture<Void>> outcomes = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    outcomes.add(client.transferLeadership(node, 2));
                }
                for (int i = 0; i < 4; i++) {
                    final FakeClientService.Transfer t = fake.transfers.poll(30, TimeUnit.SECONDS);
                    assertNotNull(t, "transfer " + i + " of round " + round + " reached the node");
                    t.outcome().complete(null); // from the test thread: the transport answers on its event loop
                }
                for (CompletableFuture<Void> outcome : outcomes) {
                    outcome.get(30, TimeUnit.SECONDS);
                }
            }
            final List<CompletableFuture<Void>> piled = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                piled.add(client.transferLeadership(node, 2));
            }
            for (CompletableFuture<Void> outcome : piled) {
                assertEquals(ResultCode.CLOSED, refusal(outcome).code(), "sent, then the node closed the connection");
            }
            assertEquals(4, fake.transfers.size(), "the fifth unanswered request never reached the node");
        }
    }

    private static byte[] frame(int type, int clusterId, byte[] body) {
        final ByteBuffer b = ByteBuffer.allocate(Frame.HEADER_LENGTH + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(Frame.MIN_LENGTH_FIELD + body.length).put((byte) type).put((byte) Frame.PROTOCOL_VERSION)
            .putShort((short) 0).putInt(clusterId).putInt(0).put(body);
        return b.array();
    }

    /** A blocking client connection that has passed the handshake and writes whatever frames it is given. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket = new Socket();
        private final DataInputStream in;

        RawClient(InetSocketAddress node) throws IOException {
            socket.connect(node, 10_000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            final UnsafeBuffer challenge = new UnsafeBuffer(readFrame());
            assertEquals(FrameType.HANDSHAKE_CHALLENGE, Frame.type(challenge, 0));
            final int nodeId = Frame.senderId(challenge, 0);
            final byte[] challengeNonce = HandshakeCodec.bytes(challenge, Frame.HEADER_LENGTH, HandshakeCodec.NONCE_LENGTH);
            final byte[] helloNonce = new byte[HandshakeCodec.NONCE_LENGTH];
            final UnsafeBuffer hello = new UnsafeBuffer(new byte[HandshakeCodec.HELLO_LENGTH]);
            HandshakeCodec.encodeHello(hello, 0, HandshakeCodec.ROLE_CLIENT, HandshakeCodec.ANY_NODE, helloNonce,
                HandshakeCodec.helloMac(SECRET, FAKE_CLUSTER, 0, nodeId, HandshakeCodec.ROLE_CLIENT, challengeNonce, helloNonce));
            write(frame(FrameType.HANDSHAKE_HELLO, FAKE_CLUSTER, hello.byteArray()));
            assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(new UnsafeBuffer(readFrame()), 0));
        }

        byte[] readFrame() throws IOException {
            final byte[] prefix = new byte[Frame.LENGTH_FIELD_LENGTH];
            in.readFully(prefix);
            final int length = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getInt();
            final byte[] frame = new byte[Frame.LENGTH_FIELD_LENGTH + length];
            System.arraycopy(prefix, 0, frame, 0, prefix.length);
            in.readFully(frame, prefix.length, length);
            return frame;
        }

        void write(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        /** True once the node closed the connection without sending anything more. */
        boolean closedByNode() throws IOException {
            final InputStream stream = in;
            try {
                return stream.read() < 0;
            } catch (EOFException | SocketException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
