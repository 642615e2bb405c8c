package io.pontoon;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Learners through {@link RaftNode.Builder#learners}: they follow the log, never lead, never count. */
class LearnerNodeTest {
    private static final RaftConfig CONFIG = RaftConfig.builder()
        .electionTimeout(Duration.ofMillis(150)).heartbeatInterval(Duration.ofMillis(30)).build();
    private static final int[] MEMBERS = {1, 2, 3};

    private static RaftNode start(ClusterFabric fabric, int id) {
        return RaftNode.builder().nodeId(id).members(MEMBERS).learners(3).config(CONFIG)
            .logStore(fabric.logStore(id)).metaStore(fabric.metaStore(id)).transport(fabric.transport(id, MEMBERS))
            .start();
    }

    private static RaftNode awaitLeader(RaftNode... nodes) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (RaftNode n : nodes) {
                if (n.status().role() == Role.LEADER) {
                    return n;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll the condition, as LocalCluster does
        }
        throw new AssertionError("no leader within 10 s");
    }

    @Test
    void aLearnerAppliesTheLogNeverLeadsAndNeverCountsTowardACommit() throws Exception {
        try (ClusterFabric fabric = ClusterFabric.inMemory()) {
            final RaftNode n1 = start(fabric, 1);
            final RaftNode n2 = start(fabric, 2);
            final RaftNode learner = start(fabric, 3);
            try {
                final RaftNode leader = awaitLeader(n1, n2, learner);
                assertTrue(leader != learner);
                final long lsn = leader.propose("x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                assertTrue(learner.readIndex().get(10, TimeUnit.SECONDS) >= lsn, "a learner serves follower reads");
                assertEquals(Role.FOLLOWER, learner.status().role());
                final ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> leader.transferLeadership(3).get(10, TimeUnit.SECONDS));
                assertEquals(ResultCode.INVALID, assertInstanceOf(ProposalException.class, refused.getCause()).code());
                // The other voter goes away: the leader and the learner are two of three members, one of two voters.
                final RaftNode other = leader == n1 ? n2 : n1;
                fabric.disconnect(other.nodeId());
                final CompletableFuture<Long> stuck = leader.propose("y".getBytes(StandardCharsets.UTF_8));
                assertThrows(TimeoutException.class, () -> stuck.get(500, TimeUnit.MILLISECONDS));
                assertFalse(stuck.isDone());
            } finally {
                n1.close();
                n2.close();
                learner.close();
            }
        }
    }

    @Test
    void learnersThatAreNotMembersOrEveryMemberAreRefused() {
        try (ClusterFabric fabric = ClusterFabric.inMemory()) {
            final IllegalArgumentException notMember = assertThrows(IllegalArgumentException.class, () ->
                RaftNode.builder().nodeId(1).members(MEMBERS).learners(7).config(CONFIG).logStore(fabric.logStore(1))
                    .metaStore(fabric.metaStore(1)).transport(fabric.transport(1, MEMBERS)).start());
            assertTrue(notMember.getMessage().contains("learner 7 is not one of the members"), notMember.getMessage());
            final IllegalArgumentException all = assertThrows(IllegalArgumentException.class, () ->
                RaftNode.builder().nodeId(1).members(MEMBERS).learners(1, 2, 3).config(CONFIG).logStore(fabric.logStore(1))
                    .metaStore(fabric.metaStore(1)).transport(fabric.transport(1, MEMBERS)).start());
            assertTrue(all.getMessage().contains("at least one must vote"), all.getMessage());
        }
    }
}
