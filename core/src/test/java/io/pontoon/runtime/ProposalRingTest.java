package io.pontoon.runtime;

import io.pontoon.ProposalCallback;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.Role;
import io.pontoon.InMemoryFabric;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.spi.ForwardingLogStore;
import io.pontoon.spi.ForwardingTransport;
import io.pontoon.spi.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9: proposals and peer messages shared one inbound ring, so proposals could fill it and leave no room for a
 * heartbeat or an AppendEntries answer: under a flood of proposals the leader lost its quorum. Proposals now have
 * a ring of their own. Made deterministic here: the Raft thread is held inside an append, proposals fill their
 * ring, and a peer message must still find room.
 */
class ProposalRingTest {
    @Test
    void aFullProposalRingLeavesRoomForPeerMessages() throws Exception {
        final InMemoryFabric fabric = new InMemoryFabric();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<Boolean> armed = new AtomicReference<>(false);
        final ForwardingLogStore store = new ForwardingLogStore(fabric.logStore(1)) {
            @Override
            public void append(long index, long term, DirectBuffer src, int offset, int length) {
                if (armed.get() && length > 0) {
                    holding.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS); // the Raft thread stays here: nothing is drained
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.append(index, term, src, offset, length);
            }
        };
        final AtomicReference<Transport.InboundHandler> inbound = new AtomicReference<>();
        final Transport capturing = new ForwardingTransport(fabric.transport(1, new int[] {1})) {
            @Override
            public void start(int localNodeId, InboundHandler handler) {
                inbound.set(handler);
                super.start(localNodeId, handler);
            }
        };
        final RaftConfig config = RaftConfig.builder().inboundRingBytes(64 * 1024).maxEntryBytes(4096)
            .maxBatchBytes(6 * 1024).maxBatchEntries(64).build();
        final RaftNode node = RaftNode.builder().nodeId(1).members(1).config(config).logStore(store)
            .metaStore(fabric.metaStore(1)).transport(capturing).start();
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.status().role() != Role.LEADER) {
                assertTrue(System.nanoTime() < deadline, "the single node leads");
                LockSupport.parkNanos(1_000_000);
            }
            armed.set(true);
            final ProposalCallback ignore = (correlationId, code, lsn, leaderId) -> { };
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[4000]);
            assertTrue(node.propose(payload, 0, payload.capacity(), 1, ignore));
            assertTrue(holding.await(30, TimeUnit.SECONDS), "the Raft thread is held inside the append");
            // Fill to the last byte: big proposals first, then one-byte ones (a record as small as a heartbeat's).
            long id = 1;
            while (node.propose(payload, 0, payload.capacity(), ++id, ignore)) {
                assertTrue(id < 10_000, "the proposal ring fills up");
            }
            while (node.propose(payload, 0, 1, ++id, ignore)) {
                assertTrue(id < 100_000, "the proposal ring fills up with small proposals");
            }
            final UnsafeBuffer heartbeat = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);
            HeartbeatCodec.encode(heartbeat, 0, 1, 0);
            assertTrue(inbound.get().onMessage(2, MessageType.HEARTBEAT_RESPONSE, heartbeat, 0, HeartbeatCodec.LENGTH),
                "a peer message still finds room while the proposal ring is full");
        } finally {
            release.countDown();
            node.close();
            fabric.close();
        }
    }
}
