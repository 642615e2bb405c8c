package io.pontoon.transport;

import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.codec.HandshakeCodec.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every connection starts with the handshake; wrong cluster, unknown node, bad secret or newer version are refused. */
class HandshakeTest {
    static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.US_ASCII);
    static final int CLUSTER = 7;

    private NettyTransport node1;

    @BeforeEach
    void startNode() {
        final int[] ports = TestNodes.freePorts(3);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> b.secret(SECRET));
        node1 = new NettyTransport(configs.get(0));
        node1.start(1, new TestNodes.Recorder());
    }

    @AfterEach
    void stopNode() {
        node1.close();
    }

    private RawPeer connect() {
        return new RawPeer(node1.localAddress()).readChallenge();
    }


    @Test
    void challengeCarriesAcceptorIdentity() {
        try (RawPeer peer = connect()) {
            assertEquals(1, peer.acceptorId);
            assertEquals(HandshakeCodec.NONCE_LENGTH, peer.challengeNonce.length);
        }
    }

    @Test
    void acceptsKnownPeerWithSecretAndProvesItsOwnKnowledgeOfIt() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1, SECRET));
            final byte[] f = peer.readFrame();
            assertNotNull(f);
            final UnsafeBuffer b = new UnsafeBuffer(f);
            assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(b, 0));
            final byte[] expectedMac = HandshakeCodec.acceptMac(SECRET, CLUSTER, 2, 1, HandshakeCodec.ROLE_PEER,
                peer.challengeNonce, peer.helloNonce);
            assertArrayEquals(expectedMac, HandshakeCodec.bytes(b, Frame.HEADER_LENGTH, HandshakeCodec.MAC_LENGTH));
        }
    }

    @Test
    void refusesUnknownNode() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 9, HandshakeCodec.ROLE_PEER, 1, SECRET));
            peer.assertRejected(RejectReason.UNKNOWN_NODE);
        }
    }

    @Test
    void refusesItsOwnNodeIdAsPeer() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 1, HandshakeCodec.ROLE_PEER, 1, SECRET));
            peer.assertRejected(RejectReason.UNKNOWN_NODE);
        }
    }

    @Test
    void refusesWrongCluster() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER + 1, 2, HandshakeCodec.ROLE_PEER, 1, SECRET));
            peer.assertRejected(RejectReason.WRONG_CLUSTER);
        }
    }

    @Test
    void refusesWrongSecret() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1,
                "a different secret of some length".getBytes(StandardCharsets.US_ASCII)));
            peer.assertRejected(RejectReason.BAD_AUTH);
        }
    }

    @Test
    void refusesMissingSecret() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1, null));
            peer.assertRejected(RejectReason.BAD_AUTH);
        }
    }

    @Test
    void refusesReplayedHelloOnANewConnection() {
        final byte[] replayed;
        try (RawPeer first = connect()) {
            replayed = first.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1, SECRET);
        }
        try (RawPeer second = connect()) {
            second.write(replayed); // mac covers the first connection's challenge nonce
            second.assertRejected(RejectReason.BAD_AUTH);
        }
    }

    @Test
    void refusesNewerProtocolVersion() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION + 1, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1, SECRET));
            peer.assertRejected(RejectReason.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void refusesPeerThatMeantAnotherNode() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 3, SECRET));
            peer.assertRejected(RejectReason.WRONG_TARGET);
        }
    }

    @Test
    void refusesClientsUntilAClientServiceIsAttached() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 0, HandshakeCodec.ROLE_CLIENT, 0, SECRET));
            peer.assertRejected(RejectReason.NO_CLIENT_SERVICE);
        }
    }

    @Test
    void refusesAnythingButHelloFirst() {
        try (RawPeer peer = connect()) {
            peer.write(RawPeer.frame(io.pontoon.protocol.MessageType.HEARTBEAT, CLUSTER, 2, new byte[16]));
            peer.assertRejected(RejectReason.MALFORMED);
        }
    }

    @Test
    void refusesPeerWithALowerIdBecauseThisNodeDialsIt() {
        final int[] ports = TestNodes.freePorts(2);
        final NettyTransport node2 = new NettyTransport(TestNodes.configs(ports, b -> b.secret(SECRET)).get(1));
        try {
            node2.start(2, new TestNodes.Recorder());
            try (RawPeer peer = new RawPeer(node2.localAddress()).readChallenge()) {
                peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 1, HandshakeCodec.ROLE_PEER, 2, SECRET));
                peer.assertRejected(RejectReason.WRONG_DIRECTION);
            }
        } finally {
            node2.close();
        }
    }

    @Test
    void connectorRefusesAnAcceptorThatCannotProveTheSecret() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            // node 2 dials node 1 (the higher id dials): the fake plays node 1
            final NettyTransportConfig config = NettyTransportConfig.builder()
                .nodeId(2).listenAddress(TestNodes.loopback(0)).clusterId(CLUSTER).secret(SECRET)
                .peer(1, TestNodes.loopback(fake.getLocalPort())).build();
            final NettyTransport connector = new NettyTransport(config);
            try {
                connector.start(2, new TestNodes.Recorder());
                try (RawPeer acceptor = new RawPeer(fake.accept())) {
                    final byte[] nonce = new byte[HandshakeCodec.NONCE_LENGTH];
                    acceptor.write(RawPeer.frame(FrameType.HANDSHAKE_CHALLENGE, CLUSTER, 1, nonce));
                    final byte[] hello = acceptor.readFrame();
                    assertNotNull(hello);
                    assertEquals(FrameType.HANDSHAKE_HELLO, Frame.type(new UnsafeBuffer(hello), 0));
                    acceptor.write(RawPeer.frame(FrameType.HANDSHAKE_ACCEPT, CLUSTER, 1, new byte[HandshakeCodec.MAC_LENGTH]));
                    assertTrue(acceptor.awaitClosedByPeer(), "connector must close on a bad ACCEPT mac");
                }
                assertFalse(connector.whenConnected(1).isDone());
            } finally {
                connector.close();
            }
        }
    }

    @Test
    void twoTransportsWithTheSameSecretConnect() throws Exception {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> b.secret(SECRET));
        final NettyTransport a = new NettyTransport(configs.get(0));
        final NettyTransport b = new NettyTransport(configs.get(1));
        try {
            a.start(1, new TestNodes.Recorder());
            b.start(2, new TestNodes.Recorder());
            a.whenConnected(2).get(10, TimeUnit.SECONDS);
            b.whenConnected(1).get(10, TimeUnit.SECONDS);
        } finally {
            a.close();
            b.close();
        }
    }

}
