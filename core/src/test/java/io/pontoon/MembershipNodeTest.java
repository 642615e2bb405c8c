package io.pontoon;

import io.pontoon.spi.Membership;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Membership changes through the public API: {@link RaftNode#addLearner}, promote, joint changes, refusals. */
class MembershipNodeTest {
    private static final RaftConfig CONFIG = RaftConfig.builder()
        .electionTimeout(Duration.ofMillis(150)).heartbeatInterval(Duration.ofMillis(30)).build();
    private static final int[] ALL = {1, 2, 3, 4};

    private static RaftNode start(ClusterFabric fabric, int id) {
        final RaftNode.Builder b = RaftNode.builder().nodeId(id).config(CONFIG).logStore(fabric.logStore(id))
            .metaStore(fabric.metaStore(id)).transport(fabric.transport(id, ALL))
            .stateMachine(new HashingStateMachine()).snapshotStore(new io.pontoon.memory.InMemorySnapshotStore());
        // Node 4 joins the running cluster: it starts as a learner of the cluster's configuration.
        return (id == 4 ? b.membership(Membership.of(new int[] {1, 2, 3}, new int[] {4})) : b.members(1, 2, 3))
            .start();
    }

    private static RaftNode awaitLeader(RaftNode... nodes) {
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

    private static <T> T retryPending(java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> call)
        throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (attempt < 50 && e.getCause() instanceof ProposalException p
                    && p.code() == ResultCode.MEMBERSHIP_CHANGE_PENDING) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // the new leader's first entry
                    continue;
                }
                throw e;
            }
        }
    }

    @Test
    void aNodeJoinsAsALearnerIsPromotedAndAJointChangeLeavesTwoVoters() throws Exception {
        try (ClusterFabric fabric = ClusterFabric.inMemory()) {
            final RaftNode[] nodes = {start(fabric, 1), start(fabric, 2), start(fabric, 3), start(fabric, 4)};
            try {
                final RaftNode leader = awaitLeader(nodes);
                final RaftNode four = nodes[3];
                assertFalse(leader == four, "a joining learner never leads");
                final Membership withLearner = retryPending(() -> leader.addLearner(4, null));
                assertArrayEquals(new int[] {4}, withLearner.learners());
                final long lsn = leader.propose("x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                assertTrue(four.readIndex().get(10, TimeUnit.SECONDS) >= lsn, "the learner follows the log");
                assertTrue(four.membership().isLearner(4), four.membership().describe());

                final RaftNode follower = Arrays.stream(nodes).filter(n -> n != leader && n != four).findFirst()
                    .orElseThrow();
                final ExecutionException notLeader = assertThrows(ExecutionException.class,
                    () -> follower.promote(4).get(10, TimeUnit.SECONDS));
                assertEquals(ResultCode.NOT_LEADER, assertInstanceOf(ProposalException.class, notLeader.getCause())
                    .code());
                final ExecutionException already = assertThrows(ExecutionException.class,
                    () -> leader.addLearner(1, null).get(10, TimeUnit.SECONDS));
                assertInstanceOf(IllegalArgumentException.class, already.getCause());

                // A snapshot moves the index the configuration is known from; changes must still be taken after it.
                leader.propose("s".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                leader.snapshot().get(10, TimeUnit.SECONDS);
                leader.propose("t".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                leader.snapshot().get(10, TimeUnit.SECONDS);
                assertArrayEquals(new int[] {1, 2, 3, 4}, retryPending(() -> leader.promote(4)).voters());
                // Two voters leave at once: joint consensus; the future completes once the joint configuration is left.
                final int keep = leader.nodeId();
                final Membership two = retryPending(() -> leader.changeMembership(
                    m -> Membership.of(new int[] {keep, 4}, new int[0])));
                assertFalse(two.isJoint());
                assertArrayEquals(keep < 4 ? new int[] {keep, 4} : new int[] {4, keep}, two.voters());
                assertEquals(two, leader.committedMembership());
                for (RaftNode n : nodes) {
                    if (n.nodeId() != keep && n.nodeId() != 4) {
                        n.close(); // the removed voters go away: the two left still commit
                    }
                }
                final long after = leader.propose("y".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                assertTrue(four.readIndex().get(10, TimeUnit.SECONDS) >= after);
            } finally {
                for (RaftNode n : nodes) {
                    n.close();
                }
            }
        }
    }
}
