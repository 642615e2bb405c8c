package io.pontoon.runtime;

import io.pontoon.ClusterFabric;
import io.pontoon.LocalCluster;
import io.pontoon.ProposalException;
import io.pontoon.ResultCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster scenario suite over the in-memory fabric with every node's Raft agent on one shared thread
 * ({@link io.pontoon.RaftThreads}), plus what only the shared mode has: nodes leaving (closed, crashed, failed) while the
 * others keep running on the same thread.
 */
class SharedThreadClusterScenarioTest extends ClusterScenarioSuite {
    @Override
    protected ClusterFabric newFabric() {
        return ClusterFabric.inMemory();
    }

    @Override
    protected LocalCluster start(int nodes) {
        return LocalCluster.start(nodes, config(), newFabric(), 1);
    }

    @Test
    void everyNodeRunsOnTheOneSharedThread() throws Exception {
        try (LocalCluster cluster = start(3)) {
            final Set<String> threads = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 3; i++) {
                cluster.onCommit(i, (lsn, term, data, offset, length) -> threads.add(Thread.currentThread().getName()));
            }
            final Stream[] streams = attach(cluster);
            final long lsn = commitOnLeader(cluster, new byte[]{1});
            awaitCondition(() -> streams[0].lastLsn() >= lsn && streams[1].lastLsn() >= lsn
                && streams[2].lastLsn() >= lsn, "every node commits lsn " + lsn);
            assertEquals(Set.of("pontoon-raft-shared-0"), threads);
            assertEquals(3, cluster.raftThreads().memberCount(0));
        }
    }

    @Test
    void closingOneNodeLeavesTheOthersRunningOnTheSharedThread() throws Exception {
        try (LocalCluster cluster = start(3)) {
            final Stream[] streams = attach(cluster);
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final int stopped = (leader + 1) % 3;
            final int other = (leader + 2) % 3;
            commitOnLeader(cluster, longBytes(1));
            cluster.stop(stopped);
            assertEquals(2, cluster.raftThreads().memberCount(0), "the closed node left the shared thread");
            long last = 0;
            for (int k = 2; k <= 50; k++) {
                last = commitOnLeader(cluster, longBytes(k));
            }
            final long target = last;
            awaitCondition(() -> streams[other].lastLsn() >= target, "the remaining follower commits " + target);
            streams[stopped].reset();
            cluster.restart(stopped);
            assertEquals(3, cluster.raftThreads().memberCount(0), "the restarted node joined the shared thread");
            awaitCondition(() -> streams[stopped].lastLsn() >= target, "the restarted node catches up to " + target);
            streams[stopped].assertSamePrefix(streams[other], "restarted node");
        }
    }

    @Test
    void aNodeWhoseAgentThrowsIsClosedAndTheOthersKeepCommitting() throws Exception {
        try (LocalCluster cluster = start(3)) {
            final Stream[] streams = attach(cluster);
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final int faulty = (leader + 1) % 3;
            final int other = (leader + 2) % 3;
            // A commit listener runs inside the node's duty cycle: its exception is the agent's exception.
            cluster.onCommit(faulty, (lsn, term, data, offset, length) -> {
                throw new IllegalStateException("test: listener of node " + (faulty + 1) + " fails");
            });
            commitOnLeader(cluster, longBytes(1));
            awaitCondition(() -> cluster.raftThreads().memberCount(0) == 2, "the failing node leaves the shared thread");
            // A failed node is closed: it accepts no more proposals.
            final ExecutionException closedOutcome = assertThrows(ExecutionException.class,
                () -> cluster.node(faulty).propose(new byte[]{1}).get(30, TimeUnit.SECONDS));
            assertEquals(ResultCode.CLOSED, ((ProposalException) closedOutcome.getCause()).code());
            cluster.stop(faulty);
            long last = 0;
            for (int k = 2; k <= 50; k++) {
                last = commitOnLeader(cluster, longBytes(k));
            }
            final long target = last;
            awaitCondition(() -> streams[other].lastLsn() >= target && streams[leader].lastLsn() >= target,
                "the two healthy nodes commit " + target);
            assertTrue(cluster.isRunning(leader) && cluster.isRunning(other));
        }
    }
}
