package io.pontoon.failstop;

import io.pontoon.LocalCluster;
import io.pontoon.ProposalException;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, fail-stop: a node whose store fails, or whose Raft thread meets an error, stops for good (FAILED, links
 * closed, no more acknowledgements) instead of looping as a zombie that still claims to lead; the others elect a
 * leader and keep committing, and nothing acknowledged is lost.
 */
class FailStopTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aLeaderWhoseJournalReportsAFailedSyncStopsAndTheOthersCarryOn() throws Exception {
        runLeaderFailure((fabric, nodeId) -> fabric.failLog(nodeId,
            new IOException("simulated: fdatasync failed (EIO) in /data/node-" + nodeId)));
    }

    @Test
    void aLeaderWhoseAppendThrowsAnErrorStopsAndTheOthersCarryOn() throws Exception {
        // The JVM's answer to a write into a mapped file that the full disk cannot back (SIGBUS).
        runLeaderFailure((fabric, nodeId) -> fabric.failAppends(nodeId,
            new InternalError("a fault occurred in an unsafe memory access operation")));
    }

    private interface Fault {
        void inject(FaultyStoresFabric fabric, int nodeId);
    }

    private void runLeaderFailure(Fault fault) throws Exception {
        final FaultyStoresFabric fabric = new FaultyStoresFabric();
        try (LocalCluster cluster = LocalCluster.start(3, RaftConfig.defaults(), fabric)) {
            final List<Map<Long, String>> applied = recordCommits(cluster);
            final int leader = cluster.awaitLeader(WAIT);
            final List<Long> acked = proposeAll(cluster.node(leader), "before", 200);

            fault.inject(fabric, leader + 1);
            // The next proposal makes the leader append (the Error case) or the next duty cycle sees the report.
            final CompletableFuture<Long> during = cluster.node(leader).propose(bytes("during"));
            awaitTrue(() -> cluster.node(leader).status().role() == Role.FAILED, "node " + (leader + 1) + " fail-stops");
            final RaftNode failed = cluster.node(leader);
            assertTrue(failed.failure() != null, "the cause is kept");
            final ExecutionException refused = assertThrows(ExecutionException.class,
                () -> failed.propose(bytes("after")).get(30, TimeUnit.SECONDS));
            assertEquals(ResultCode.CLOSED, assertInstanceOf(ProposalException.class, refused.getCause()).code());
            final ExecutionException pending = assertThrows(ExecutionException.class,
                () -> during.get(30, TimeUnit.SECONDS), "the proposal caught in the failure never commits there");
            assertInstanceOf(ProposalException.class, pending.getCause());

            final int newLeader = cluster.awaitLeader(WAIT);
            assertNotEquals(leader, newLeader);
            acked.addAll(proposeAll(cluster.node(newLeader), "after", 200));
            for (int i = 0; i < 3; i++) {
                if (i == leader) {
                    continue;
                }
                final Map<Long, String> m = applied.get(i);
                for (long lsn : acked) {
                    awaitTrue(() -> m.containsKey(lsn), "node " + (i + 1) + " applied acknowledged lsn " + lsn);
                }
            }
            final RaftStatus s = failed.status();
            assertEquals(Role.FAILED, s.role());
            assertEquals(leader + 1, s.nodeId());
        }
    }

    @Test
    void aFollowerWhoseMetaStoreCannotSaveStopsAtItsNextTermChange() throws Exception {
        final FaultyStoresFabric fabric = new FaultyStoresFabric();
        try (LocalCluster cluster = LocalCluster.start(3, RaftConfig.defaults(), fabric)) {
            final int leader = cluster.awaitLeader(WAIT);
            final int follower = (leader + 1) % 3;
            final int other = (leader + 2) % 3;
            final UncheckedIOException saveFailure = new UncheckedIOException(
                new IOException("simulated: cannot write meta file (EIO)"));
            fabric.failSaves(follower + 1, saveFailure);
            // Without its leader the others start an election: the follower must persist the new term first.
            cluster.disconnect(leader);
            awaitTrue(() -> cluster.node(follower).status().role() == Role.FAILED, "node " + (follower + 1) + " fail-stops");
            assertSame(saveFailure, cluster.node(follower).failure());
            cluster.reconnect(leader);
            final int newLeader = cluster.awaitLeader(WAIT);
            assertTrue(newLeader == leader || newLeader == other, "leader " + newLeader);
            assertEquals(20, proposeAll(cluster.node(newLeader), "x", 20).size());
        }
    }

    private static List<Map<Long, String>> recordCommits(LocalCluster cluster) {
        final List<Map<Long, String>> applied = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            final Map<Long, String> m = new ConcurrentHashMap<>();
            applied.add(m);
            cluster.onCommit(i, (lsn, term, data, offset, length) -> m.put(lsn, data.getStringWithoutLengthAscii(offset, length)));
        }
        return applied;
    }

    private static List<Long> proposeAll(RaftNode node, String prefix, int n) throws Exception {
        final List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(node.propose(bytes(prefix + i)));
        }
        final List<Long> lsns = new ArrayList<>();
        for (CompletableFuture<Long> f : futures) {
            lsns.add(f.get(30, TimeUnit.SECONDS));
        }
        return lsns;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
