package io.pontoon.transport;

import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.codec.HandshakeCodec.RejectReason;
import io.pontoon.transport.fault.Direction;
import io.pontoon.transport.fault.FaultPlan;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault control over the client protocol: the admin secret makes a client an admin (and never a peer), only an admin
 * connection to a node with fault control on may replace its fault rules, and every refusal names why.
 */
class FaultControlTest {
    static final byte[] PEER_SECRET = "the peers' own secret, never given out".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CLIENT_SECRET = "a secret handed to client applications".getBytes(StandardCharsets.US_ASCII);
    static final byte[] ADMIN_SECRET = "the operators' admin secret for faults".getBytes(StandardCharsets.US_ASCII);
    static final int CLUSTER = 7;

    private NettyTransport node1;
    private FakeClientService service;

    @AfterEach
    void stop() {
        if (node1 != null) {
            node1.close();
        }
        if (service != null) {
            service.close();
        }
    }

    /** Node 1 of 3 (its peers never started), serving a fake client service. */
    private InetSocketAddress startNode(Consumer<NettyTransportConfig.Builder> custom) {
        final int[] ports = TestNodes.freePorts(3);
        node1 = new NettyTransport(TestNodes.configs(ports, custom).get(0));
        node1.start(1, new TestNodes.Recorder());
        service = new FakeClientService(1, true, 1);
        node1.serveClients(service);
        return node1.localAddress();
    }

    private static PontoonClient client(InetSocketAddress node, byte[] secret) {
        return new PontoonClient(PontoonClientConfig.builder().address(node).clusterId(CLUSTER).secret(secret)
            .requestTimeoutNs(10_000_000_000L).build());
    }

    private static Throwable failure(CompletableFuture<?> outcome) {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> outcome.get(30, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static void assertRefused(CompletableFuture<?> outcome, String expected) {
        final Throwable cause = failure(outcome);
        assertInstanceOf(IllegalStateException.class, cause, String.valueOf(cause));
        assertTrue(cause.getMessage().contains(expected), cause.getMessage());
    }

    @Test
    void theAdminSecretIsAClientCredentialButNeverAPeerOne() {
        startNode(b -> b.peerSecret(PEER_SECRET).clientSecret(CLIENT_SECRET).adminSecret(ADMIN_SECRET).faultControl(true));
        try (RawPeer client = new RawPeer(node1.localAddress()).readChallenge()) {
            client.write(client.hello(Frame.PROTOCOL_VERSION, CLUSTER, 0, HandshakeCodec.ROLE_CLIENT, 0, ADMIN_SECRET));
            final UnsafeBuffer accept = new UnsafeBuffer(client.readFrame());
            assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(accept, 0));
            assertArrayEquals(HandshakeCodec.acceptMac(ADMIN_SECRET, CLUSTER, 0, 1, HandshakeCodec.ROLE_CLIENT,
                client.challengeNonce, client.helloNonce), HandshakeCodec.bytes(accept, Frame.HEADER_LENGTH,
                HandshakeCodec.MAC_LENGTH));
        }
        try (RawPeer peer = new RawPeer(node1.localAddress()).readChallenge()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1, ADMIN_SECRET));
            peer.assertRejected(RejectReason.BAD_AUTH);
        }
    }

    @Test
    void anAdminClientReplacesTheNodesRulesAndClearsThem() throws Exception {
        final InetSocketAddress node = startNode(b -> b.peerSecret(PEER_SECRET).clientSecret(CLIENT_SECRET)
            .adminSecret(ADMIN_SECRET).faultControl(true));
        try (PontoonClient admin = client(node, ADMIN_SECRET)) {
            admin.fault(node, 1, FaultPlan.NONE.withDrop(1.0).withPartition(List.of(1, 2))).get(30, TimeUnit.SECONDS);
            assertEquals(1.0, node1.faults().rule(Direction.OUTBOUND, 2).dropProbability());
            assertFalse(node1.faults().rule(Direction.OUTBOUND, 2).partitioned());
            assertTrue(node1.faults().rule(Direction.OUTBOUND, 3).partitioned());
            assertTrue(node1.faults().rule(Direction.INBOUND, 3).partitioned());
            // an admin is a client too: ordinary requests still work on its connection
            assertEquals(1, admin.status(node).get(30, TimeUnit.SECONDS).nodeId());
            admin.fault(node, 1, FaultPlan.NONE).get(30, TimeUnit.SECONDS);
            assertTrue(node1.faults().rule(Direction.OUTBOUND, 2).isNone());
            assertTrue(node1.faults().rule(Direction.INBOUND, 3).isNone());
        }
    }

    @Test
    void aClientSecretCannotSetFaultsAndNeitherCanAnUnauthenticatedClient() throws Exception {
        final InetSocketAddress node = startNode(b -> b.peerSecret(PEER_SECRET).clientSecret(CLIENT_SECRET)
            .adminSecret(ADMIN_SECRET).faultControl(true));
        try (PontoonClient ordinary = client(node, CLIENT_SECRET)) {
            assertRefused(ordinary.fault(node, 1, FaultPlan.NONE.withDrop(0.5)),
                "FAULT needs the admin credential: this connection did not prove node 1's admin secret");
        }
        assertTrue(node1.faults().rule(Direction.OUTBOUND, 2).isNone(), "a refused request changes nothing");
        try (PontoonClient wrong = client(node, "not any secret of this cluster".getBytes(StandardCharsets.US_ASCII))) {
            final Throwable cause = failure(wrong.fault(node, 1, FaultPlan.NONE.withDrop(0.5)));
            assertInstanceOf(ConnectException.class, cause, String.valueOf(cause));
            assertTrue(cause.getMessage().contains("BAD_AUTH"), cause.getMessage());
        }
        stop();
        // clients unauthenticated: any client connects, but only the admin secret sets faults
        final InetSocketAddress open = startNode(b -> b.peerSecret(PEER_SECRET).adminSecret(ADMIN_SECRET)
            .faultControl(true));
        try (PontoonClient anonymous = client(open, null)) {
            assertRefused(anonymous.fault(open, 1, FaultPlan.NONE.withDrop(0.5)), "needs the admin credential");
        }
        try (PontoonClient admin = client(open, ADMIN_SECRET)) {
            admin.fault(open, 1, FaultPlan.NONE.withDrop(0.5)).get(30, TimeUnit.SECONDS);
        }
        assertEquals(0.5, node1.faults().rule(Direction.OUTBOUND, 2).dropProbability());
    }

    @Test
    void aNodeWithoutFaultControlRefusesNamingWhy() throws Exception {
        final InetSocketAddress node = startNode(b -> b.peerSecret(PEER_SECRET).adminSecret(ADMIN_SECRET));
        try (PontoonClient admin = client(node, ADMIN_SECRET)) {
            assertRefused(admin.fault(node, 1, FaultPlan.NONE.withDrop(0.5)),
                "fault control is off on node 1 (start it with --fault-control");
        }
        assertTrue(node1.faults().rule(Direction.OUTBOUND, 2).isNone());
    }

    @Test
    void aRequestMeantForAnotherNodeIsRefused() throws Exception {
        final InetSocketAddress node = startNode(b -> b.adminSecret(ADMIN_SECRET).faultControl(true));
        try (PontoonClient admin = client(node, ADMIN_SECRET)) {
            assertRefused(admin.fault(node, 2, FaultPlan.NONE.withDrop(0.5)),
                "this is node 1, the FAULT request is for node 2");
            assertInstanceOf(IllegalArgumentException.class, failure(admin.fault(node, 0, FaultPlan.NONE)));
        }
        assertTrue(node1.faults().rule(Direction.OUTBOUND, 2).isNone());
    }

    @Test
    void theAdminSecretIsValidatedAgainstTheOtherCredentials() {
        final NettyTransportConfig.Builder b = NettyTransportConfig.builder().nodeId(1).listenAddress("127.0.0.1:0");
        assertMessage("faultControl needs an adminSecret", () -> b.faultControl(true).build());
        assertMessage("adminSecret must differ from every client secret",
            () -> b.clientSecret(CLIENT_SECRET).adminSecret(CLIENT_SECRET).build());
        assertMessage("adminSecret must differ from the peer secret",
            () -> NettyTransportConfig.builder().nodeId(1).listenAddress("127.0.0.1:0").peerSecret(PEER_SECRET)
                .adminSecret(PEER_SECRET).build());
        assertMessage("admin secret length must be in [16, 1024], got 3", () -> b.adminSecret(new byte[3]));
        assertNull(NettyTransportConfig.builder().nodeId(1).listenAddress("127.0.0.1:0").build().adminSecret());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable action) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
