package io.pontoon.transport;

import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.codec.HandshakeCodec.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9: peers and clients hold different credentials. Before, one cluster secret admitted both, so any client
 * could open a peer link, push the real peer off it and send Raft messages.
 */
class SplitCredentialsTest {
    static final byte[] PEER_SECRET = "the peers' own secret, never given out".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CLIENT_SECRET = "a secret handed to client applications".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OTHER_CLIENT_SECRET = "a second client team's own secret".getBytes(StandardCharsets.US_ASCII);
    static final int CLUSTER = 7;

    private NettyTransport node1;

    @BeforeEach
    void startNode() {
        final int[] ports = TestNodes.freePorts(3);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports,
            b -> b.peerSecret(PEER_SECRET).clientSecret(CLIENT_SECRET).clientSecret(OTHER_CLIENT_SECRET));
        node1 = new NettyTransport(configs.get(0));
        node1.start(1, new TestNodes.Recorder());
        node1.serveClients(ClientService.of(null));
    }

    @AfterEach
    void stopNode() {
        node1.close();
    }

    private RawPeer connect() {
        return new RawPeer(node1.localAddress()).readChallenge();
    }


    private static void assertAcceptedWith(RawPeer peer, byte[] secret, int senderId, int role) {
        final byte[] f = peer.readFrame();
        assertNotNull(f);
        final UnsafeBuffer b = new UnsafeBuffer(f);
        assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(b, 0), "got " + FrameType.name(Frame.type(b, 0)));
        // The acceptor signs with the secret that verified the HELLO, so the connector can check it too.
        assertArrayEquals(HandshakeCodec.acceptMac(secret, CLUSTER, senderId, 1, role, peer.challengeNonce, peer.helloNonce),
            HandshakeCodec.bytes(b, Frame.HEADER_LENGTH, HandshakeCodec.MAC_LENGTH));
    }

    @Test
    void aClientCredentialIsRefusedAsAPeer() {
        for (byte[] clientSecret : new byte[][] {CLIENT_SECRET, OTHER_CLIENT_SECRET}) {
            try (RawPeer peer = connect()) {
                peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1, clientSecret));
                peer.assertRejected(RejectReason.BAD_AUTH);
            }
        }
    }

    @Test
    void aHelloForAConfiguredPeerWithoutThePeerCredentialIsRefused() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1, null));
            peer.assertRejected(RejectReason.BAD_AUTH);
        }
    }

    @Test
    void thePeerCredentialOpensAPeerLink() {
        try (RawPeer peer = connect()) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 2, HandshakeCodec.ROLE_PEER, 1, PEER_SECRET));
            assertAcceptedWith(peer, PEER_SECRET, 2, HandshakeCodec.ROLE_PEER);
        }
    }

    @Test
    void clientsProveAnyOneClientCredentialButNeverThePeerOne() {
        for (byte[] clientSecret : new byte[][] {CLIENT_SECRET, OTHER_CLIENT_SECRET}) {
            try (RawPeer client = connect()) {
                client.write(client.hello(Frame.PROTOCOL_VERSION, CLUSTER, 0, HandshakeCodec.ROLE_CLIENT, 0, clientSecret));
                assertAcceptedWith(client, clientSecret, 0, HandshakeCodec.ROLE_CLIENT);
            }
        }
        try (RawPeer client = connect()) {
            client.write(client.hello(Frame.PROTOCOL_VERSION, CLUSTER, 0, HandshakeCodec.ROLE_CLIENT, 0, PEER_SECRET));
            client.assertRejected(RejectReason.BAD_AUTH);
        }
        try (RawPeer client = connect()) {
            client.write(client.hello(Frame.PROTOCOL_VERSION, CLUSTER, 0, HandshakeCodec.ROLE_CLIENT, 0, null));
            client.assertRejected(RejectReason.BAD_AUTH);
        }
    }
}
