package io.pontoon.transport;

import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.transport.fault.Direction;
import io.pontoon.transport.fault.LinkFaults;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fault injection installed by configuration on real connections, changed at run time. */
class FaultInjectionLoopbackTest {
    @Test
    void dropAndPartitionApplyToRealConnectionsAndCanBeLifted() throws Exception {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> b.faultInjection(true, 99));
        final TestNodes.Recorder r2 = new TestNodes.Recorder();
        final NettyTransport t1 = new NettyTransport(configs.get(0));
        final NettyTransport t2 = new NettyTransport(configs.get(1));
        try {
            t1.start(1, new TestNodes.Recorder());
            t2.start(2, r2);
            t1.whenConnected(2).get(10, TimeUnit.SECONDS);
            final UnsafeBuffer body = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);

            // sender drops half its frames: the receiver sees fewer, in order
            t1.faults().set(Direction.OUTBOUND, 2, LinkFaults.NONE.withDropProbability(0.5));
            for (int i = 0; i < 1000; i++) {
                HeartbeatCodec.encode(body, 0, 1, i);
                assertTrue(t1.send(2, MessageType.HEARTBEAT, body, 0, HeartbeatCodec.LENGTH));
                if (i % 10 == 9) {
                    t1.flush();
                }
            }
            // rules are read when the event loop handles a frame: wait until all 1000 are decided
            int received = 0;
            long last = -1;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received + t1.faults().droppedFrames() < 1000) {
                assertTrue(System.nanoTime() < deadline, "frames neither delivered nor dropped");
                final TestNodes.Received m = r2.poll(100);
                if (m != null) {
                    final long seq = new HeartbeatCodec().wrap(new UnsafeBuffer(m.body()), 0).secondField();
                    assertTrue(seq > last, "drops never reorder");
                    last = seq;
                    received++;
                }
            }
            assertEquals(1000, received + t1.faults().droppedFrames());
            assertTrue(received > 350 && received < 650, "received " + received + " of 1000 at 50% drop");
            t1.faults().clear();

            // receiver-side partition: frames from node 1 are discarded on arrival, until healed
            t2.faults().partition(1);
            for (int i = 0; i < 20; i++) {
                HeartbeatCodec.encode(body, 0, 3, i);
                t1.send(2, MessageType.HEARTBEAT, body, 0, HeartbeatCodec.LENGTH);
            }
            t1.flush();
            while (t2.faults().blockedFrames() < 20) {
                assertTrue(System.nanoTime() < deadline, "partitioned frames never arrived to be blocked");
                assertEquals(null, r2.poll(50), "a partitioned frame was delivered");
            }
            assertEquals(null, r2.poll(0));
            t2.faults().heal(1);
            HeartbeatCodec.encode(body, 0, 4, 0);
            t1.send(2, MessageType.HEARTBEAT, body, 0, HeartbeatCodec.LENGTH);
            t1.flush();
            final TestNodes.Received afterHeal = r2.poll(10_000);
            assertNotNull(afterHeal);
            assertEquals(4, new HeartbeatCodec().wrap(new UnsafeBuffer(afterHeal.body()), 0).term());
        } finally {
            t1.close();
            t2.close();
        }
    }

    /**
     * A pair shares one connection, so each node's rules must act on both directions of it: outbound
     * rules on what it writes, inbound rules on what it reads, whichever side dialled.
     */
    @Test
    void partitionAndDropOnEitherNodeCutBothDirectionsOfTheSharedConnection() throws Exception {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> b.faultInjection(true, 5));
        final TestNodes.Recorder r1 = new TestNodes.Recorder();
        final TestNodes.Recorder r2 = new TestNodes.Recorder();
        final NettyTransport t1 = new NettyTransport(configs.get(0));
        final NettyTransport t2 = new NettyTransport(configs.get(1));
        try {
            t1.start(1, r1);
            t2.start(2, r2);
            t1.whenConnected(2).get(10, TimeUnit.SECONDS);
            t2.whenConnected(1).get(10, TimeUnit.SECONDS);
            final io.netty.channel.Channel link = t1.linkChannel(2);
            final UnsafeBuffer body = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);

            // node 1 (the acceptor) partitions node 2: its writes and its reads on the one connection are cut
            t1.faults().partition(2);
            sendHeartbeats(t1, 2, body, 10, 20);
            sendHeartbeats(t2, 1, body, 11, 20);
            while (t1.faults().blockedFrames() < 40) {
                assertTrue(System.nanoTime() < deadline, "partitioned frames never reached node 1's fault handler");
                assertEquals(null, r1.poll(20), "a partitioned frame reached node 1");
                assertEquals(null, r2.poll(20), "a partitioned frame reached node 2");
            }
            assertEquals(40, t1.faults().blockedFrames());
            t1.faults().heal(2);

            // node 2 (the dialler) drops everything both ways: nothing passes in either direction
            t2.faults().dropProbability(1.0);
            sendHeartbeats(t1, 2, body, 12, 20);
            sendHeartbeats(t2, 1, body, 13, 20);
            while (t2.faults().droppedFrames() < 40) {
                assertTrue(System.nanoTime() < deadline, "dropped frames never reached node 2's fault handler");
                assertEquals(null, r1.poll(20), "a dropped frame reached node 1");
                assertEquals(null, r2.poll(20), "a dropped frame reached node 2");
            }
            assertEquals(40, t2.faults().droppedFrames());
            t2.faults().clear();

            // healed: both directions flow again, on the same connection
            sendHeartbeats(t1, 2, body, 14, 1);
            sendHeartbeats(t2, 1, body, 15, 1);
            final TestNodes.Received at2 = r2.poll(10_000);
            final TestNodes.Received at1 = r1.poll(10_000);
            assertNotNull(at2);
            assertNotNull(at1);
            assertEquals(14, new HeartbeatCodec().wrap(new UnsafeBuffer(at2.body()), 0).term());
            assertEquals(15, new HeartbeatCodec().wrap(new UnsafeBuffer(at1.body()), 0).term());
            assertSame(link, t1.linkChannel(2), "faults never replace the connection");
            assertEquals(1, t1.openPeerConnections());
            assertEquals(1, t2.openPeerConnections());
        } finally {
            t1.close();
            t2.close();
        }
    }

    private static void sendHeartbeats(NettyTransport from, int to, UnsafeBuffer body, long term, int count) {
        for (int i = 0; i < count; i++) {
            HeartbeatCodec.encode(body, 0, term, i);
            assertTrue(from.send(to, MessageType.HEARTBEAT, body, 0, HeartbeatCodec.LENGTH));
        }
        from.flush();
    }
}
