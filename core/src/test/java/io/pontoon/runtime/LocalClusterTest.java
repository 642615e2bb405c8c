package io.pontoon.runtime;

import io.pontoon.LocalCluster;
import io.pontoon.ProposalCallback;
import io.pontoon.ProposalException;
import io.pontoon.RaftConfig;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's MakeRafts-style tests on real Raft threads (no sleeps: every wait is on a condition). */
class LocalClusterTest {
    private static final int PROPOSALS = Integer.getInteger("cluster.proposals", 1_000_000);

    @Test
    void proposeReturnsLsnAndEveryNodeSeesTheEntry() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3)) {
            final List<ConcurrentLinkedQueue<Long>> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                final ConcurrentLinkedQueue<Long> q = new ConcurrentLinkedQueue<>();
                seen.add(q);
                cluster.node(i).onCommit((lsn, term, data, off, len) -> q.add(lsn));
            }
            final int leader = cluster.awaitLeader(Duration.ofSeconds(10));
            final long lsn = cluster.node(leader).propose("foo".getBytes()).get(10, TimeUnit.SECONDS);
            assertTrue(lsn > 0);
            for (int i = 0; i < 3; i++) {
                final ConcurrentLinkedQueue<Long> q = seen.get(i);
                awaitCondition(() -> q.contains(lsn), "node " + (i + 1) + " applies lsn " + lsn);
            }
        }
    }

    @Test
    void proposalOnFollowerFailsWithNotLeaderAndLeaderId() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3)) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(10));
            final int follower = (leader + 1) % 3;
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> cluster.node(follower).propose(new byte[]{1}).get(10, TimeUnit.SECONDS));
            final ProposalException pe = (ProposalException) e.getCause();
            assertEquals(ResultCode.NOT_LEADER, pe.code());
            final RaftStatus st = cluster.node(follower).status();
            assertEquals(st.leaderId(), pe.leaderId());
        }
    }

    @Test
    void emptyProposalIsInvalid() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(10));
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> cluster.node(leader).propose(new byte[0]).get(10, TimeUnit.SECONDS));
            assertEquals(ResultCode.INVALID, ((ProposalException) e.getCause()).code());
        }
    }

    @Test
    void leaderFailsOverWhenDisconnectedAndOldLeaderStepsDown() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3)) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(10));
            final long termBefore = cluster.node(leader).status().term();
            cluster.disconnect(leader);
            final int next = cluster.awaitLeader(Duration.ofSeconds(10));
            assertTrue(next != leader);
            assertTrue(cluster.node(next).status().term() > termBefore);
            cluster.node(next).propose(new byte[]{7}).get(10, TimeUnit.SECONDS);
            cluster.reconnect(leader);
            awaitCondition(() -> cluster.node(leader).status().role() == Role.FOLLOWER
                && cluster.node(leader).status().commitIndex() == cluster.node(next).status().commitIndex(),
                "old leader rejoins as follower and catches up");
        }
    }

    /** Five nodes, {@value} proposals (scaled by -Dcluster.proposals), random disconnects: identical streams. */
    @Test
    void fiveNodesCommitManyProposalsWithIdenticalStreamsWhileNodesDisconnect() {
        final int n = 5;
        final RaftConfig config = RaftConfig.builder().electionTimeoutNs(150_000_000L)
            .heartbeatIntervalNs(20_000_000L).build();
        try (LocalCluster cluster = LocalCluster.start(n, config)) {
            final Stream[] streams = new Stream[n];
            for (int i = 0; i < n; i++) {
                streams[i] = new Stream();
                cluster.node(i).onCommit(streams[i]);
            }
            final Driver driver = new Driver(cluster);
            driver.run(PROPOSALS);
            // Heal and wait until every node has applied everything the leader committed.
            for (int i = 0; i < n; i++) {
                cluster.reconnect(i);
            }
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final long target = cluster.node(leader).status().commitIndex();
            for (int i = 0; i < n; i++) {
                final int node = i;
                awaitCondition(() -> streams[node].lastLsn() >= target || cluster.node(node).status().lastApplied() >= target,
                    "node " + (i + 1) + " applies up to " + target);
            }
            final Stream reference = streams[leader];
            for (int i = 0; i < n; i++) {
                streams[i].assertSamePrefix(reference, "node " + (i + 1));
            }
            // Every acknowledged proposal is in the committed stream at its LSN.
            final Long2LongHashMap acked = driver.acked;
            assertTrue(acked.size() >= PROPOSALS);
            acked.forEach((lsn, id) -> assertEquals(id, reference.idAt(lsn), "acked lsn " + lsn));
        }
    }

    static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** One node's commit stream: proposal id per LSN (no-ops leave gaps). Written on its Raft thread. */
    static final class Stream implements io.pontoon.CommitListener {
        private final LongArrayList lsns = new LongArrayList();
        private final LongArrayList ids = new LongArrayList();
        private volatile long last;

        @Override
        public synchronized void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
            if (lsn <= last) {
                throw new AssertionError("lsn " + lsn + " delivered after " + last);
            }
            lsns.addLong(lsn);
            ids.addLong(data.getLong(offset));
            last = lsn;
        }

        long lastLsn() {
            return last;
        }

        synchronized long idAt(long lsn) {
            final int i = java.util.Collections.binarySearch(lsns, lsn);
            return i < 0 ? -1 : ids.getLong(i);
        }

        synchronized void assertSamePrefix(Stream other, String who) {
            synchronized (other) {
                final int common = Math.min(lsns.size(), other.lsns.size());
                assertTrue(common > 0, who + " applied nothing");
                for (int i = 0; i < common; i++) {
                    if (lsns.getLong(i) != other.lsns.getLong(i) || ids.getLong(i) != other.ids.getLong(i)) {
                        throw new AssertionError(who + " diverges at position " + i + ": lsn " + lsns.getLong(i)
                            + " id " + ids.getLong(i) + " vs lsn " + other.lsns.getLong(i) + " id " + other.ids.getLong(i));
                    }
                }
            }
        }
    }

    /** Keeps a window of proposals in flight on the current leader; disconnects a random node now and then. */
    static final class Driver implements ProposalCallback {
        final Long2LongHashMap acked = new Long2LongHashMap(-1);
        private final LocalCluster cluster;
        private final ConcurrentLinkedQueue<long[]> results = new ConcurrentLinkedQueue<>();
        private final SplittableRandom random = new SplittableRandom(42);
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        private long nextId;
        private int inFlight;

        Driver(LocalCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
            results.add(new long[]{correlationId, code.ordinal(), lsn});
        }

        void run(int target) {
            int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            int disconnected = -1;
            long nextChaosAt = target / 10;
            final int window = 2048;
            while (acked.size() < target) {
                while (inFlight < window) {
                    payload.putLong(0, nextId);
                    if (!cluster.node(leader).propose(payload, 0, 16, nextId, this)) {
                        break;
                    }
                    nextId++;
                    inFlight++;
                }
                boolean leaderGone = false;
                long[] r;
                int drained = 0;
                while ((r = results.poll()) != null) {
                    drained++;
                    inFlight--;
                    final ResultCode code = ResultCode.of((int) r[1]);
                    if (code == ResultCode.OK) {
                        acked.put(r[2], r[0]);
                    } else if (code == ResultCode.NOT_LEADER || code == ResultCode.LEADERSHIP_LOST) {
                        leaderGone = true;
                    }
                }
                if (leaderGone) {
                    leader = cluster.awaitLeader(Duration.ofSeconds(30));
                }
                if (acked.size() >= nextChaosAt) {
                    nextChaosAt += target / 10;
                    if (disconnected >= 0) {
                        cluster.reconnect(disconnected);
                        disconnected = -1;
                    } else {
                        disconnected = random.nextInt(cluster.size());
                        cluster.disconnect(disconnected);
                        if (disconnected == leader) {
                            leader = cluster.awaitLeader(Duration.ofSeconds(30));
                        }
                    }
                }
                if (drained == 0) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
