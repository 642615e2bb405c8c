package io.pontoon.transport;

import io.netty.channel.Channel;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.spi.Membership;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.codec.HandshakeCodec.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peers of a {@link NettyTransport} follow the cluster configuration ({@link NettyTransport#onMembershipChanged}):
 * members added are linked at the address the configuration carries, members removed are unlinked and refused, bad
 * addresses are skipped. The test thread plays each node's Raft thread (it calls send, flush and
 * onMembershipChanged). Every wait polls a condition with a deadline.
 */
class NettyTransportMembershipTest {
    private static final int CLUSTER = 7;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);

    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    /** A transport for {@code nodeId} on {@code ports[nodeId]}, configured with the peers listed (ids into ports). */
    private NettyTransport transport(int nodeId, int[] ports, int... peers) {
        final NettyTransportConfig.Builder b = NettyTransportConfig.builder()
            .nodeId(nodeId).clusterId(CLUSTER).listenAddress(TestNodes.loopback(ports[nodeId]))
            .reconnectBackoffMinNs(5_000_000L).reconnectBackoffMaxNs(100_000_000L);
        for (int id : peers) {
            b.peer(id, TestNodes.loopback(ports[id]));
        }
        final NettyTransport t = new NettyTransport(b.build());
        transports.add(t);
        return t;
    }

    private static String address(int[] ports, int id) {
        return "127.0.0.1:" + ports[id];
    }

    /** Index i is node i's port (index 0 unused). */
    private static int[] ports(int nodes) {
        final int[] free = TestNodes.freePorts(nodes);
        final int[] byId = new int[nodes + 1];
        System.arraycopy(free, 0, byId, 1, nodes);
        return byId;
    }

    @Test
    void memberAddedByAConfigurationIsDialledAtItsAddressAndExchangesMessages() throws Exception {
        final int[] ports = ports(3);
        // nodes 2 and 3 run without node 1; node 1 joins as a learner. It has the lowest id: the others must dial
        // it, and only the configuration tells them where it listens.
        final NettyTransport t2 = transport(2, ports, 2, 3);
        final NettyTransport t3 = transport(3, ports, 2, 3);
        final NettyTransport t1 = transport(1, ports, 1, 2, 3);
        final TestNodes.Recorder r1 = new TestNodes.Recorder();
        final TestNodes.Recorder r2 = new TestNodes.Recorder();
        final Membership without1 = Membership.of(new int[] {2, 3}, new int[0]);
        t2.onMembershipChanged(without1);
        t3.onMembershipChanged(without1);
        t2.start(2, r2);
        t3.start(3, new TestNodes.Recorder());
        t1.onMembershipChanged(Membership.of(new int[] {2, 3}, new int[] {1}));
        t1.start(1, r1);
        t2.whenConnected(3).get(10, TimeUnit.SECONDS);
        final Channel between2And3 = t2.linkChannel(3);
        assertFalse(t2.send(1, MessageType.HEARTBEAT, heartbeat(1), 0, HeartbeatCodec.LENGTH), "node 1 unknown yet");
        assertTrue(t2.whenConnected(1).isCompletedExceptionally(), "no link with node 1 before the configuration");

        // the configuration adding node 1 carries only its address: node 3's stays the configured one
        final Membership with1 = Membership.of(new int[] {2, 3}, new int[] {1}, Map.of(1, address(ports, 1)));
        t2.onMembershipChanged(with1);
        t3.onMembershipChanged(with1);

        t2.whenConnected(1).get(10, TimeUnit.SECONDS);
        t1.whenConnected(2).get(10, TimeUnit.SECONDS);
        assertArrives(t2, 2, t1, r1, 1, 100);
        assertArrives(t1, 1, t2, r2, 2, 101);
        t3.whenConnected(1).get(10, TimeUnit.SECONDS);
        assertSame(between2And3, t2.linkChannel(3), "a member without an address in the configuration keeps its link");
    }

    @Test
    void memberWhoseAddressChangesIsRedialledAtTheNewOne() throws Exception {
        final int[] ports = ports(3);
        final int[] wrong = ports.clone();
        wrong[1] = ports[3]; // nothing listens there: node 3 is never started
        final NettyTransport t2 = transport(2, wrong, 1, 2);
        final NettyTransport t1 = transport(1, ports, 1, 2);
        final TestNodes.Recorder r1 = new TestNodes.Recorder();
        t1.start(1, r1);
        t2.start(2, new TestNodes.Recorder());
        assertFalse(t2.isConnected(1));

        t2.onMembershipChanged(Membership.of(new int[] {1, 2}, new int[0], Map.of(1, address(ports, 1))));

        t2.whenConnected(1).get(10, TimeUnit.SECONDS);
        assertArrives(t2, 2, t1, r1, 1, 7);
    }

    @Test
    void memberRemovedByAConfigurationIsUnlinkedAndRefusedWhenItRedials() throws Exception {
        final int[] ports = ports(3);
        final NettyTransport[] t = new NettyTransport[4];
        final TestNodes.Recorder[] r = new TestNodes.Recorder[4];
        final Membership all = Membership.of(new int[] {1, 2, 3}, new int[0]);
        for (int id = 1; id <= 3; id++) {
            t[id] = transport(id, ports, 1, 2, 3);
            r[id] = new TestNodes.Recorder();
            t[id].onMembershipChanged(all);
            t[id].start(id, r[id]);
        }
        for (int id = 1; id <= 3; id++) {
            for (int peer = 1; peer <= 3; peer++) {
                if (peer != id) {
                    t[id].whenConnected(peer).get(10, TimeUnit.SECONDS);
                }
            }
        }
        final Channel oneWithThree = t[1].linkChannel(3);
        final Channel oneWithTwo = t[1].linkChannel(2);
        assertNotNull(oneWithThree);
        // a frame queued for node 3 in the same duty cycle as its removal is dropped (released at the next flush)
        assertTrue(t[1].send(3, MessageType.HEARTBEAT, heartbeat(1), 0, HeartbeatCodec.LENGTH));

        final Membership without3 = Membership.of(new int[] {1, 2}, new int[0]);
        t[1].onMembershipChanged(without3);
        t[2].onMembershipChanged(without3);

        assertFalse(t[1].send(3, MessageType.HEARTBEAT, heartbeat(2), 0, HeartbeatCodec.LENGTH), "node 3 is unlinked");
        t[1].flush();
        assertTrue(t[1].whenConnected(3).isCompletedExceptionally(), "node 1 has no link with node 3 any more");
        oneWithThree.closeFuture().get(10, TimeUnit.SECONDS);
        // node 3 (the dialling side, still running with the old configuration) loses its link and cannot relink:
        // nodes 1 and 2 refuse it
        await(() -> !t[3].isConnected(1) && !t[3].isConnected(2), "node 3 unlinked from nodes 1 and 2");
        assertFalse(t[3].send(1, MessageType.HEARTBEAT, heartbeat(3), 0, HeartbeatCodec.LENGTH));
        try (RawPeer three = new RawPeer(t[1].localAddress()).readChallenge()) {
            three.write(three.hello(Frame.PROTOCOL_VERSION, CLUSTER, 3, HandshakeCodec.ROLE_PEER, 1, null));
            three.assertRejected(RejectReason.UNKNOWN_NODE);
        }
        assertSame(oneWithTwo, t[1].linkChannel(2), "the members that stay keep their connection");
        assertArrives(t[2], 2, t[1], r[1], 1, 40);
    }

    @Test
    void memberRemovedOnTheDiallingSideIsNotRedialled() throws Exception {
        final int[] ports = ports(2);
        final NettyTransport t1 = transport(1, ports, 1, 2);
        final NettyTransport t2 = transport(2, ports, 1, 2);
        t1.start(1, new TestNodes.Recorder());
        t2.start(2, new TestNodes.Recorder());
        t1.whenConnected(2).get(10, TimeUnit.SECONDS);
        final Channel link = t1.linkChannel(2);

        t2.onMembershipChanged(Membership.of(new int[] {2}, new int[0]));

        link.closeFuture().get(10, TimeUnit.SECONDS);
        assertTrue(t2.whenConnected(1).isCompletedExceptionally(), "node 2 has no link with node 1 any more");
        assertFalse(t2.send(1, MessageType.HEARTBEAT, heartbeat(1), 0, HeartbeatCodec.LENGTH));
    }

    @Test
    void malformedAddressesAreSkippedWithoutAnExceptionAndTheConfiguredOneKept() throws Exception {
        final int[] ports = ports(5);
        final NettyTransport t5 = transport(5, ports, 1, 5);
        final NettyTransport t1 = transport(1, ports, 1, 5);
        final NettyTransport t2 = transport(2, ports, 2);
        final TestNodes.Recorder r2 = new TestNodes.Recorder();
        t1.start(1, new TestNodes.Recorder());
        t2.start(2, r2);
        t5.start(5, new TestNodes.Recorder());
        t5.whenConnected(1).get(10, TimeUnit.SECONDS);
        final Channel fiveWithOne = t5.linkChannel(1);
        final Map<Integer, String> bad = new TreeMap<>();
        bad.put(1, "no-port-here");
        bad.put(2, "127.0.0.1:99999");
        bad.put(3, "127.0.0.1:0");
        bad.put(4, "127.0.0.1:seven");

        assertDoesNotThrow(() -> t5.onMembershipChanged(Membership.of(new int[] {1, 2, 3, 4, 5}, new int[0], bad)));

        assertSame(fiveWithOne, t5.linkChannel(1), "node 1 keeps the configured address and its connection");
        for (int id = 2; id <= 4; id++) {
            assertTrue(t5.whenConnected(id).isCompletedExceptionally(), "no usable address for node " + id);
        }
        // a later configuration with a good address for node 2 still links it
        final Map<Integer, String> fixed = new TreeMap<>(bad);
        fixed.put(2, address(ports, 2));
        t5.onMembershipChanged(Membership.of(new int[] {1, 2, 3, 4, 5}, new int[0], fixed));
        t2.onMembershipChanged(Membership.of(new int[] {1, 2, 3, 4, 5}, new int[0], fixed));
        t5.whenConnected(2).get(10, TimeUnit.SECONDS);
        assertArrives(t5, 5, t2, r2, 2, 9);
    }

    @Test
    void nodeOutsideTheConfigurationThatDialsInIsLinkedUntilItsConnectionCloses() throws Exception {
        // node 3 leads a configuration node 1 has not received yet (a lagging member): node 1 must take its
        // connection, answer on it, and keep it while the entries it receives do not list node 3 yet
        final int[] ports = ports(3);
        final NettyTransport t1 = transport(1, ports, 1, 2);
        final NettyTransport t3 = transport(3, ports, 1, 3);
        final TestNodes.Recorder r1 = new TestNodes.Recorder();
        final TestNodes.Recorder r3 = new TestNodes.Recorder();
        final Membership old = Membership.of(new int[] {1, 2}, new int[0]);
        t1.onMembershipChanged(old);
        t1.start(1, r1);
        t3.onMembershipChanged(Membership.of(new int[] {1, 3}, new int[0]));
        t3.start(3, r3);

        await(() -> t1.isConnected(3), "node 1 takes the connection of node 3, which it has not heard of");
        assertArrives(t3, 3, t1, r1, 1, 50);
        assertArrives(t1, 1, t3, r3, 3, 51);
        final Channel link = t1.linkChannel(3);
        t1.onMembershipChanged(Membership.of(new int[] {1, 2}, new int[] {4}));
        assertSame(link, t1.linkChannel(3), "a configuration that never listed node 3 leaves its link alone");

        t3.close();
        link.closeFuture().get(10, TimeUnit.SECONDS);
        await(() -> t1.whenConnected(3).isCompletedExceptionally(), "node 1 drops the link of unlisted node 3");
        assertFalse(t1.send(3, MessageType.HEARTBEAT, heartbeat(1), 0, HeartbeatCodec.LENGTH));
    }

    @Test
    void withoutAConfigurationOnlyTheConfiguredPeersConnect() {
        final int[] ports = ports(1);
        final NettyTransport t1 = transport(1, ports, 1);
        t1.start(1, new TestNodes.Recorder());
        try (RawPeer nine = new RawPeer(t1.localAddress()).readChallenge()) {
            nine.write(nine.hello(Frame.PROTOCOL_VERSION, CLUSTER, 9, HandshakeCodec.ROLE_PEER, 1, null));
            nine.assertRejected(RejectReason.UNKNOWN_NODE);
        }
        t1.onMembershipChanged(Membership.of(new int[] {1}, new int[0]));
        try (RawPeer nine = new RawPeer(t1.localAddress()).readChallenge()) {
            nine.write(nine.hello(Frame.PROTOCOL_VERSION, CLUSTER, 9, HandshakeCodec.ROLE_PEER, 1, null));
            final byte[] f = nine.readFrame();
            assertNotNull(f);
            assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(new UnsafeBuffer(f), 0),
                "a node never heard of is taken once a configuration is followed (thesis §4.1)");
        }
    }

    @Test
    void configurationGivenBeforeStartDecidesTheLinksAtStart() throws Exception {
        final int[] ports = ports(3);
        // node 3 is configured with node 2, but its configuration (from its log) has node 1 instead
        final NettyTransport t3 = transport(3, ports, 2, 3);
        final NettyTransport t1 = transport(1, ports, 1);
        final TestNodes.Recorder r1 = new TestNodes.Recorder();
        final Membership m = Membership.of(new int[] {1, 3}, new int[0], Map.of(1, address(ports, 1)));
        t1.onMembershipChanged(m);
        t1.start(1, r1);
        t3.onMembershipChanged(m);
        t3.start(3, new TestNodes.Recorder());

        t3.whenConnected(1).get(10, TimeUnit.SECONDS);
        assertArrives(t3, 3, t1, r1, 1, 60);
        assertTrue(t3.whenConnected(2).isCompletedExceptionally(), "node 2 is configured but not a member");
    }

    private static UnsafeBuffer heartbeat(long marker) {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);
        HeartbeatCodec.encode(body, 0, marker, 0);
        return body;
    }

    /** A heartbeat carrying {@code marker}, resent until it arrives (a frame on a replaced connection is lost). */
    private static void assertArrives(NettyTransport from, int fromId, NettyTransport toTransport,
                                      TestNodes.Recorder to, int toId, long marker) throws Exception {
        final UnsafeBuffer body = heartbeat(marker);
        final HeartbeatCodec hb = new HeartbeatCodec();
        final long deadline = System.nanoTime() + DEADLINE_NS;
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
        throw new AssertionError("node " + fromId + " never reached node " + toId + " (marker " + marker + ", "
            + "node " + toId + " linked: " + toTransport.isConnected(fromId) + ")");
    }

    private static void await(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            LockSupport.parkNanos(1_000_000L); // polls the condition; the deadline is what bounds the wait
        }
    }
}
