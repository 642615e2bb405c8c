package io.pontoon;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads and leadership transfer through {@link RaftNode}'s API: the futures, the thread a query runs on, and the
 * refusals. The protocol itself is covered in the simulator (ReadAndTransferScenariosTest, the randomized runs).
 */
class ReadsAndTransferNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final RaftConfig CONFIG = RaftConfig.builder()
        .electionTimeout(Duration.ofMillis(150)).heartbeatInterval(Duration.ofMillis(30)).build();

    private static ResultCode codeOf(CompletableFuture<?> f) {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(ProposalException.class, e.getCause()).code();
    }

    @Test
    void aReadOnAnyNodeRunsOnTheApplyThreadAndSeesEveryWriteAcknowledgedBeforeIt() throws Exception {
        final HashingStateMachine[] machines = new HashingStateMachine[4]; // by node id
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG, ClusterFabric.inMemory(), 0,
            i -> machines[i] = new HashingStateMachine())) {
            final int leader = cluster.awaitLeader(WAIT);
            long last = 0;
            for (int i = 0; i < 50; i++) {
                last = cluster.node(leader).propose(("w" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 3; i++) {
                final int id = i + 1;
                final String[] thread = new String[1];
                final long count = cluster.node(i).read(ReadPolicy.LINEARIZABLE, () -> {
                    thread[0] = Thread.currentThread().getName();
                    return machines[id].count();
                }).get(10, TimeUnit.SECONDS);
                assertEquals(50, count, "node " + (i + 1) + " reads every acknowledged write");
                assertEquals("pontoon-apply-" + (i + 1), thread[0]);
                assertTrue(cluster.node(i).readIndex().get(10, TimeUnit.SECONDS) >= last);
            }
        }
    }

    @Test
    void aNodeWithoutAStateMachineServesReadsOnceItsListenersHaveSeenTheIndex() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
            final int leader = cluster.awaitLeader(WAIT);
            final long lsn = cluster.node(leader).propose("x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            final int follower = (leader + 1) % 3;
            final long index = cluster.node(follower).readIndex().get(10, TimeUnit.SECONDS);
            assertTrue(index >= lsn, index + " >= " + lsn);
            assertTrue(cluster.node(follower).status().lastApplied() >= lsn);
            final String thread = cluster.node(follower).read(ReadPolicy.LINEARIZABLE,
                () -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
            assertEquals("pontoon-reads-" + (follower + 1), thread);
        }
    }

    @Test
    void aLeaseReadNeedsLeaseReadsOnAndALeader() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
            final int leader = cluster.awaitLeader(WAIT);
            assertEquals(ResultCode.LEASE_EXPIRED, codeOf(cluster.node(leader).readIndex(ReadPolicy.LEASE)));
            assertEquals(ResultCode.NOT_LEADER, codeOf(cluster.node((leader + 1) % 3).readIndex(ReadPolicy.LEASE)));
        }
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG.toBuilder().leaseReads(true)
            .maxClockDrift(Duration.ofMillis(20)).build())) {
            final int leader = cluster.awaitLeader(WAIT);
            cluster.node(leader).propose("x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            assertTrue(cluster.node(leader).readIndex(ReadPolicy.LEASE).get(10, TimeUnit.SECONDS) > 0);
        }
    }

    @Test
    void aQueryThatThrowsFailsOnlyItsRead() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG, ClusterFabric.inMemory(), 0,
            i -> new HashingStateMachine())) {
            final int leader = cluster.awaitLeader(WAIT);
            final CompletableFuture<Object> bad = cluster.node(leader).read(ReadPolicy.LINEARIZABLE, () -> {
                throw new IllegalStateException("query failed");
            });
            final ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertEquals("query failed", e.getCause().getMessage());
            assertTrue(cluster.node(leader).readIndex().get(10, TimeUnit.SECONDS) > 0, "the node still serves reads");
            assertEquals(Role.LEADER, cluster.node(leader).status().role());
        }
    }

    @Test
    void aTransferHandsLeadershipToTheTargetAndIsRefusedWhereItCannotStart() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
            final int leader = cluster.awaitLeader(WAIT);
            final int target = (leader + 1) % 3;
            final RaftNode old = cluster.node(leader);
            assertEquals(ResultCode.NOT_LEADER, codeOf(cluster.node(target).transferLeadership(leader + 1)));
            assertEquals(ResultCode.INVALID, codeOf(old.transferLeadership(leader + 1)));
            assertEquals(ResultCode.INVALID, codeOf(old.transferLeadership(42)));
            old.transferLeadership(target + 1).get(10, TimeUnit.SECONDS);
            assertEquals(target, cluster.awaitLeader(WAIT));
            assertNotEquals(Role.LEADER, old.status().role());
            cluster.node(target).propose("after".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void readsAndTransfersOnAClosedNodeFailWithClosed() {
        final LocalCluster cluster = LocalCluster.start(1, CONFIG);
        final RaftNode node = cluster.node(0);
        cluster.close();
        assertEquals(ResultCode.CLOSED, codeOf(node.readIndex()));
        assertEquals(ResultCode.CLOSED, codeOf(node.transferLeadership(2)));
    }
}
