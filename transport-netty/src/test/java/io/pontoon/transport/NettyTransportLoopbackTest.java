package io.pontoon.transport;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.VoteRequestCodec;
import io.netty.channel.Channel;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NettyTransportLoopbackTest {
    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport start(NettyTransportConfig config, TestNodes.Recorder recorder) {
        final NettyTransport t = new NettyTransport(config);
        transports.add(t);
        t.start(config.nodeId, recorder);
        return t;
    }

    @Test
    void threeTransportsDeliverEveryMessageInOrderPerSender() throws Exception {
        final int[] ports = TestNodes.freePorts(3);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> { });
        final TestNodes.Recorder[] recorders = new TestNodes.Recorder[3];
        final NettyTransport[] t = new NettyTransport[3];
        for (int i = 0; i < 3; i++) {
            recorders[i] = new TestNodes.Recorder();
            t[i] = start(configs.get(i), recorders[i]);
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    t[i].whenConnected(j + 1).get(10, TimeUnit.SECONDS);
                }
            }
        }
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        final int perPeer = 500;
        for (int k = 0; k < perPeer; k++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    if (i != j) {
                        final int len = HeartbeatCodec.encode(body, 0, (i + 1) * 1_000_000L + k, k);
                        assertTrue(t[i].send(j + 1, MessageType.HEARTBEAT, body, 0, len));
                    }
                }
                if (k % 7 == 0) {
                    t[i].flush();
                }
            }
        }
        for (NettyTransport transport : t) {
            transport.flush();
        }
        final HeartbeatCodec hb = new HeartbeatCodec();
        for (int j = 0; j < 3; j++) {
            final long[] next = new long[4];
            for (int n = 0; n < 2 * perPeer; n++) {
                final TestNodes.Received m = recorders[j].poll(10_000);
                assertNotNull(m, "node " + (j + 1) + " received only " + n + " messages");
                assertEquals(MessageType.HEARTBEAT, m.type());
                hb.wrap(new UnsafeBuffer(m.body()), 0);
                assertEquals(m.from() * 1_000_000L + next[m.from()], hb.term(), "order from node " + m.from());
                assertEquals(next[m.from()], hb.secondField());
                next[m.from()]++;
            }
        }
    }

    @Test
    void eachPairOfNodesSharesExactlyOneConnectionDialledByTheHigherId() throws Exception {
        final int[] ports = TestNodes.freePorts(3);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> { });
        final NettyTransport[] t = new NettyTransport[3];
        for (int i = 0; i < 3; i++) {
            t[i] = start(configs.get(i), new TestNodes.Recorder());
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (i != j) {
                    t[i].whenConnected(j + 1).get(10, TimeUnit.SECONDS);
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(2, t[i].openPeerConnections(), "node " + (i + 1) + ": one connection per peer");
        }
        for (int lower = 0; lower < 3; lower++) {
            for (int higher = lower + 1; higher < 3; higher++) {
                assertSameConnection(t[lower], lower + 1, t[higher], higher + 1);
                assertEquals(ports[lower], ((InetSocketAddress) t[higher].linkChannel(lower + 1).remoteAddress()).getPort(),
                    "node " + (higher + 1) + " dialled node " + (lower + 1) + "'s listening port");
            }
        }
    }

    @Test
    void restartedPeerRelinksOverOneConnectionWhicheverSideRestarts() throws Exception {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> { });
        final TestNodes.Recorder r1 = new TestNodes.Recorder();
        final NettyTransport t1 = start(configs.get(0), r1);
        final NettyTransport t2 = start(configs.get(1), new TestNodes.Recorder());
        t1.whenConnected(2).get(10, TimeUnit.SECONDS);
        t2.whenConnected(1).get(10, TimeUnit.SECONDS);
        final Channel first = t1.linkChannel(2);

        // node 2 (the dialling side) restarts: it redials and node 1 takes the new connection
        t2.close();
        final TestNodes.Recorder rec2b = new TestNodes.Recorder();
        final NettyTransport t2b = start(configs.get(1), rec2b);
        assertExchange(t1, 1, r1, t2b, 2, rec2b, 10);
        first.closeFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, t1.openPeerConnections());
        assertEquals(1, t2b.openPeerConnections());
        assertSameConnection(t1, 1, t2b, 2);
        final Channel second = t2b.linkChannel(1);

        // node 1 (the accepting side) restarts: node 2 notices the close and redials with backoff
        t1.close();
        final TestNodes.Recorder rec1b = new TestNodes.Recorder();
        final NettyTransport t1b = start(configs.get(0), rec1b);
        assertExchange(t1b, 1, rec1b, t2b, 2, rec2b, 20);
        second.closeFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, t1b.openPeerConnections());
        assertEquals(1, t2b.openPeerConnections());
        assertSameConnection(t1b, 1, t2b, 2);
    }

    @Test
    void newerConnectionFromAPeerReplacesTheOlderOne() throws Exception {
        // what a crashed peer leaves behind when no FIN arrives: the acceptor still holds the old connection
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> { });
        final TestNodes.Recorder r1 = new TestNodes.Recorder();
        final TestNodes.Recorder r2 = new TestNodes.Recorder();
        final NettyTransport t1 = start(configs.get(0), r1);
        final NettyTransport t2 = start(configs.get(1), r2);
        t1.whenConnected(2).get(10, TimeUnit.SECONDS);
        t2.whenConnected(1).get(10, TimeUnit.SECONDS);
        final Channel genuine = t1.linkChannel(2);
        try (RawPeer second = new RawPeer(t1.localAddress()).readChallenge()) {
            second.write(second.hello(io.pontoon.transport.codec.Frame.PROTOCOL_VERSION, 7, 2,
                io.pontoon.transport.codec.HandshakeCodec.ROLE_PEER, 1, null));
            assertNotNull(second.readFrame(), "ACCEPT");
            genuine.closeFuture().get(10, TimeUnit.SECONDS); // replaced by the newer connection
            // node 2 redials after losing its connection, and that newer connection replaces this one in turn
            assertTrue(second.awaitClosedByPeer(), "the newest connection from node 2 replaces the older one");
        }
        assertExchange(t1, 1, r1, t2, 2, r2, 30);
        assertEquals(1, t1.openPeerConnections());
        assertEquals(1, t2.openPeerConnections());
        assertSameConnection(t1, 1, t2, 2);
    }

    /** Both ends name the same TCP connection: each one's local address is the other's remote address. */
    private static void assertSameConnection(NettyTransport a, int aId, NettyTransport b, int bId) {
        final Channel ab = a.linkChannel(bId);
        final Channel ba = b.linkChannel(aId);
        assertNotNull(ab, "node " + aId + " has no link to node " + bId);
        assertNotNull(ba, "node " + bId + " has no link to node " + aId);
        assertEquals(ab.localAddress(), ba.remoteAddress(), "nodes " + aId + " and " + bId + " use one connection");
        assertEquals(ab.remoteAddress(), ba.localAddress(), "nodes " + aId + " and " + bId + " use one connection");
    }

    /**
     * A message each way between a and b, each resent until it arrives (the surviving side may still
     * hold the old connection for a moment, and a frame written to it is lost).
     */
    private static void assertExchange(NettyTransport a, int aId, TestNodes.Recorder ra, NettyTransport b, int bId,
                                       TestNodes.Recorder rb, long marker) throws Exception {
        assertArrives(a, bId, rb, aId, marker);
        assertArrives(b, aId, ra, bId, marker + 1);
    }

    private static void assertArrives(NettyTransport from, int toId, TestNodes.Recorder to, int fromId, long marker)
        throws Exception {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);
        HeartbeatCodec.encode(body, 0, marker, 0);
        final HeartbeatCodec hb = new HeartbeatCodec();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            from.whenConnected(toId).get(10, TimeUnit.SECONDS);
            from.send(toId, MessageType.HEARTBEAT, body, 0, HeartbeatCodec.LENGTH);
            from.flush();
            final TestNodes.Received m = to.poll(100);
            if (m != null && m.from() == fromId && m.type() == MessageType.HEARTBEAT
                && hb.wrap(new UnsafeBuffer(m.body()), 0).term() == marker) {
                return;
            }
        }
        throw new AssertionError("node " + fromId + " never reached node " + toId + " (marker " + marker + ")");
    }

    @Test
    void appendEntriesBatchArrivesByteForByte() throws Exception {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> { });
        final TestNodes.Recorder r1 = new TestNodes.Recorder();
        final TestNodes.Recorder r2 = new TestNodes.Recorder();
        final NettyTransport t1 = start(configs.get(0), r1);
        start(configs.get(1), r2);
        t1.whenConnected(2).get(10, TimeUnit.SECONDS);

        final UnsafeBuffer body = new UnsafeBuffer(new byte[200_000]);
        final AppendEntriesCodec codec = new AppendEntriesCodec().encode(body, 0, 3, 10, 2, 9);
        for (int e = 0; e < 100; e++) {
            final byte[] payload = ("entry-" + e + "-" + "x".repeat(e * 13)).getBytes(StandardCharsets.US_ASCII);
            codec.appendEntry(3, new UnsafeBuffer(payload), 0, payload.length);
        }
        final byte[] expected = new byte[codec.length()];
        body.getBytes(0, expected);
        assertTrue(t1.send(2, MessageType.APPEND_ENTRIES, body, 0, codec.length()));
        t1.flush();

        final TestNodes.Received m = r2.poll(10_000);
        assertNotNull(m);
        assertEquals(1, m.from());
        assertEquals(MessageType.APPEND_ENTRIES, m.type());
        assertArrayEquals(expected, m.body());
        assertNull(new AppendEntriesCodec().wrap(new UnsafeBuffer(m.body()), 0, m.body().length).validate());
    }

    @Test
    void countsNonEmptyAppendEntriesFramesAndTheirEntries() throws Exception {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> { });
        final NettyTransport t1 = start(configs.get(0), new TestNodes.Recorder());
        start(configs.get(1), new TestNodes.Recorder());
        t1.whenConnected(2).get(10, TimeUnit.SECONDS);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[4096]);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (int entries : new int[] {3, 0, 5}) {
            final AppendEntriesCodec codec = new AppendEntriesCodec().encode(body, 0, 1, 0, 0, 0);
            for (int e = 0; e < entries; e++) {
                codec.appendEntry(1, payload, 0, payload.capacity());
            }
            assertTrue(t1.send(2, MessageType.APPEND_ENTRIES, body, 0, codec.length()));
        }
        final int hb = HeartbeatCodec.encode(body, 0, 1, 0);
        assertTrue(t1.send(2, MessageType.HEARTBEAT, body, 0, hb));
        t1.flush();
        assertEquals(2, t1.appendFramesSent(), "the empty probe and the heartbeat are not counted");
        assertEquals(8, t1.appendEntriesSent());
    }

    @Test
    void reconnectsAfterPeerRestartsOnTheSamePort() throws Exception {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> { });
        final NettyTransport t1 = start(configs.get(0), new TestNodes.Recorder());
        final NettyTransport t2 = start(configs.get(1), new TestNodes.Recorder());
        t1.whenConnected(2).get(10, TimeUnit.SECONDS);
        t2.close();

        final TestNodes.Recorder r2b = new TestNodes.Recorder();
        start(configs.get(1), r2b);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[VoteRequestCodec.LENGTH]);
        VoteRequestCodec.encode(body, 0, 5, 4, 3, true);
        // The old connection may still look alive to node 1 for a moment: resend until one arrives.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        TestNodes.Received m = null;
        while (m == null && System.nanoTime() < deadline) {
            t1.whenConnected(2).get(10, TimeUnit.SECONDS);
            t1.send(2, MessageType.VOTE_REQUEST, body, 0, VoteRequestCodec.LENGTH);
            t1.flush();
            m = r2b.poll(100);
        }
        assertNotNull(m, "node 1 never reached the restarted node 2");
        assertEquals(MessageType.VOTE_REQUEST, m.type());
        assertTrue(new VoteRequestCodec().wrap(new UnsafeBuffer(m.body()), 0).preVote());
    }

    @Test
    void sendReturnsFalseForUnknownPeerAndWhileDisconnected() {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> { });
        // node 2 is never started: node 1 stays disconnected from it
        final NettyTransport t1 = start(configs.get(0), new TestNodes.Recorder());
        final UnsafeBuffer body = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);
        assertFalse(t1.send(2, MessageType.HEARTBEAT, body, 0, HeartbeatCodec.LENGTH));
        assertFalse(t1.send(9, MessageType.HEARTBEAT, body, 0, HeartbeatCodec.LENGTH));
        assertThrows(IllegalArgumentException.class, () -> t1.send(2, 99, body, 0, HeartbeatCodec.LENGTH));
        t1.flush();
    }

    @Test
    void startRejectsAnotherNodeId() {
        final int[] ports = TestNodes.freePorts(1);
        final NettyTransport t = new NettyTransport(TestNodes.configs(ports, b -> { }).get(0));
        transports.add(t);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> t.start(2, new TestNodes.Recorder()));
        assertTrue(e.getMessage().contains("nodeId 1"), e.getMessage());
    }

    @Test
    void configErrorsNameTheField() {
        assertMessage("ioThreads", () -> NettyTransportConfig.builder().ioThreads(0));
        assertMessage("maxFrameBytes", () -> NettyTransportConfig.builder().maxFrameBytes(10));
        assertMessage("nodeId", () -> NettyTransportConfig.builder().nodeId(-1));
        assertMessage("nodeId", () -> NettyTransportConfig.builder().listenAddress("127.0.0.1:0").build());
        assertMessage("listenAddress", () -> NettyTransportConfig.builder().nodeId(1).build());
        assertMessage("listenAddress", () -> NettyTransportConfig.builder().listenAddress("nonsense"));
        assertMessage("peers[2]", () -> NettyTransportConfig.builder().peer(2, "host:99999"));
        assertMessage("secret", () -> NettyTransportConfig.builder().secret(new byte[3]));
        assertMessage("reconnectBackoffMaxNs", () -> NettyTransportConfig.builder().nodeId(1).listenAddress("127.0.0.1:0")
            .reconnectBackoffMinNs(2_000_000_000L).reconnectBackoffMaxNs(1_000_000_000L).build());
        assertMessage("maxPendingBytesPerPeer", () -> NettyTransportConfig.builder().nodeId(1).listenAddress("127.0.0.1:0")
            .maxPendingBytesPerPeer(4096).build());
        assertMessage("tls.certChainPem", () -> new TlsConfig(java.nio.file.Path.of("/no/such/file.pem"),
            java.nio.file.Path.of("/no/such/key.pem"), java.nio.file.Path.of("/no/such/trust.pem")));
    }

    private static void assertMessage(String field, org.junit.jupiter.api.function.Executable executable) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(e.getMessage().contains(field), "message should name " + field + ": " + e.getMessage());
    }
}
