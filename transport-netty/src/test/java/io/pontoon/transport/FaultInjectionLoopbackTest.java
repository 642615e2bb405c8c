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
}
