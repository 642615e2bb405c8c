package io.pontoon.statemachine;

import io.pontoon.ClusterFabric;
import io.pontoon.CommittedEntries;
import io.pontoon.HashingStateMachine;
import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.Role;
import io.pontoon.SnapshotReader;
import io.pontoon.SnapshotWriter;
import io.pontoon.StateMachine;
import io.pontoon.spi.SnapshotMeta;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The StateMachine contract (issue 10), on in-memory clusters: every committed entry is applied exactly once, in
 * order, on the apply thread; a restart resumes after the latest snapshot instead of replaying from LSN 1; a node
 * behind the leader's compacted log catches up through InstallSnapshot and ends with the same state; a state
 * machine that throws fail-stops its node.
 */
class StateMachineContractTest {
    /** A bound on waits, not a timing assertion: generous, as CI shares 2 cores with other builds. */
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** A hashing state machine that also records every index it is given and the thread it runs on. */
    static final class Recording implements StateMachine {
        final List<Long> applied = new ArrayList<>();
        final List<String> threads = new ArrayList<>();
        volatile long restoredAt = -1;
        volatile long count;
        volatile long hash;

        @Override
        public synchronized void apply(CommittedEntries entries) {
            while (entries.next()) {
                applied.add(entries.index());
                hash = HashingStateMachine.mix(hash, entries.buffer(), entries.offset(), entries.length());
                count++;
            }
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public synchronized void takeSnapshot(SnapshotWriter writer) {
            writer.writeLong(count);
            writer.writeLong(hash);
        }

        @Override
        public synchronized void restore(SnapshotReader reader) throws IOException {
            count = reader.readLong();
            hash = reader.readLong();
            restoredAt = reader.index();
        }

        synchronized List<Long> appliedCopy() {
            return new ArrayList<>(applied);
        }
    }

    @Test
    void everyCommittedEntryIsAppliedOnceInOrderOnTheApplyThreadOfEveryNode() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, RaftConfig.defaults(), ClusterFabric.inMemory(), 0,
            id -> new Recording())) {
            final RaftNode leader = cluster.node(cluster.awaitLeader(TIMEOUT));
            final List<Long> lsns = proposeAll(leader, 500, "a");
            final long last = lsns.get(lsns.size() - 1);
            for (int i = 0; i < 3; i++) {
                final int node = i;
                await(() -> cluster.node(node).stateMachineIndex() >= last, "node " + i + " applies up to " + last);
                final Recording sm = (Recording) cluster.stateMachine(i);
                assertEquals(lsns, sm.appliedCopy(), "node " + i + " applies each acknowledged entry once, in order");
                for (String t : sm.threads) {
                    assertTrue(t.startsWith("pontoon-apply-"), "applied on " + t);
                }
            }
            final long first = ((Recording) cluster.stateMachine(0)).hash;
            for (int i = 1; i < 3; i++) {
                assertEquals(first, ((Recording) cluster.stateMachine(i)).hash, "same state on node " + i);
            }
        }
    }

    @Test
    void aRestartedNodeResumesAfterItsLatestSnapshotInsteadOfReplayingTheLog() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, RaftConfig.defaults(), ClusterFabric.inMemory(), 0,
            id -> new Recording())) {
            final int leaderPos = cluster.awaitLeader(TIMEOUT);
            final List<Long> before = proposeAll(cluster.node(leaderPos), 200, "b");
            final int follower = (leaderPos + 1) % 3;
            final long lastBefore = before.get(before.size() - 1);
            await(() -> cluster.node(follower).stateMachineIndex() >= lastBefore, "follower applies the first 200");
            final SnapshotMeta snap = cluster.node(follower).snapshot().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(snap.index() >= lastBefore, "snapshot " + snap + " covers what was applied");
            final long hashAtSnapshot = ((Recording) cluster.stateMachine(follower)).hash;

            cluster.stop(follower);
            cluster.restart(follower);
            final Recording fresh = (Recording) cluster.stateMachine(follower);
            assertEquals(snap.index(), fresh.restoredAt, "restored from the latest snapshot at start");
            assertEquals(hashAtSnapshot, fresh.hash);

            final int leaderNow = cluster.awaitLeader(TIMEOUT);
            final List<Long> after = proposeAll(cluster.node(leaderNow), 100, "c");
            final long lastAfter = after.get(after.size() - 1);
            await(() -> cluster.node(follower).stateMachineIndex() >= lastAfter, "restarted follower applies the rest");
            for (long lsn : fresh.appliedCopy()) {
                assertTrue(lsn > snap.index(), "LSN " + lsn + " was applied again after the snapshot at " + snap.index());
            }
            assertTrue(fresh.appliedCopy().containsAll(after), "every later entry applied");
            assertEquals(((Recording) cluster.stateMachine(leaderNow)).hash, fresh.hash);
        }
    }

    @Test
    void aFollowerBehindTheCompactedLogCatchesUpThroughInstallSnapshot() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, RaftConfig.defaults(), ClusterFabric.inMemory(), 0,
            id -> new Recording())) {
            final int lagging = (cluster.awaitLeader(TIMEOUT) + 1) % 3;
            cluster.stop(lagging);
            final int[] live = {(lagging + 1) % 3, (lagging + 2) % 3};
            // Both live nodes snapshot twice, each time after more than a chunk of the in-memory log (1,024 entries):
            // each compacts its log up to its first snapshot, past everything the stopped follower has, so whichever
            // of them leads when it comes back can only catch it up with a snapshot.
            long last = 0;
            for (int round = 0; round < 2; round++) {
                last = proposeThroughLeader(cluster, 3000, "r" + round);
                for (int i : live) {
                    final long target = last;
                    await(() -> cluster.node(i).stateMachineIndex() >= target, "node " + (i + 1) + " applies " + target);
                    cluster.node(i).snapshot().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
            }
            // The Raft thread compacts when it next polls the apply thread's snapshot: wait for it (a read of the
            // in-memory log's first index from this thread, only as a wait condition).
            for (int i : live) {
                final io.pontoon.spi.LogStore log = cluster.fabric().logStore(i + 1);
                await(() -> log.firstIndex() > 1, "node " + (i + 1) + " compacts its log up to its first snapshot");
            }

            cluster.restart(lagging);
            final long caughtUpTo = last;
            await(() -> cluster.node(lagging).stateMachineIndex() >= caughtUpTo, "the lagging follower catches up");
            final Recording caughtUp = (Recording) cluster.stateMachine(lagging);
            assertTrue(caughtUp.restoredAt > 0, "it installed a snapshot (restored at " + caughtUp.restoredAt + ")");
            final Recording other = (Recording) cluster.stateMachine(live[0]);
            await(() -> cluster.node(live[0]).stateMachineIndex() >= caughtUpTo, "node " + (live[0] + 1) + " applies");
            assertEquals(other.hash, caughtUp.hash, "same state as the others");
            assertEquals(other.count, caughtUp.count);
        }
    }

    /**
     * Proposes {@code count} entries through whichever node leads, again through the new leader if leadership
     * moves (an entry may then be committed twice; the tests using this compare states, not counts of proposals).
     * Returns the highest index committed.
     */
    private static long proposeThroughLeader(LocalCluster cluster, int count, String prefix) throws Exception {
        long last = 0;
        int done = 0;
        while (done < count) {
            final RaftNode leader = cluster.node(cluster.awaitLeader(TIMEOUT));
            final List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = done; i < count; i++) {
                futures.add(leader.propose((prefix + i).getBytes()));
            }
            for (CompletableFuture<Long> f : futures) {
                try {
                    last = Math.max(last, f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                    done++;
                } catch (java.util.concurrent.ExecutionException e) {
                    break; // leadership moved: the rest go through the next leader
                }
            }
        }
        return last;
    }

    @Test
    void aStateMachineThatThrowsFailStopsItsNode() throws Exception {
        final StateMachine broken = new StateMachine() {
            @Override
            public void apply(CommittedEntries entries) {
                throw new IllegalStateException("test: cannot apply");
            }

            @Override
            public void takeSnapshot(SnapshotWriter writer) {
            }

            @Override
            public void restore(SnapshotReader reader) {
            }
        };
        try (LocalCluster cluster = LocalCluster.start(3, RaftConfig.defaults(), ClusterFabric.inMemory(), 0,
            id -> id == 1 ? broken : new HashingStateMachine())) {
            final RaftNode leader = cluster.node(cluster.awaitLeader(TIMEOUT));
            leader.propose(new byte[] {1}).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            await(() -> cluster.node(0).failure() != null, "node 1 fail-stops");
            assertTrue(cluster.node(0).failure().getMessage().contains("cannot apply"),
                String.valueOf(cluster.node(0).failure()));
            assertEquals(Role.FAILED, cluster.node(0).status().role());
        }
    }

    private static List<Long> proposeAll(RaftNode leader, int count, String prefix) throws Exception {
        final List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(leader.propose((prefix + i).getBytes()));
        }
        final List<Long> lsns = new ArrayList<>();
        for (CompletableFuture<Long> f : futures) {
            lsns.add(f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        }
        return lsns;
    }

    private static void await(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
        }
    }
}
