package io.pontoon.runtime;

import io.pontoon.ClusterFabric;
import io.pontoon.CommitListener;
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
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster scenario suite, run unchanged over every fabric (in-memory here; Netty on loopback with
 * Chronicle journals in the transport module). Real Raft threads; every wait is on a condition with a
 * deadline, never a sleep.
 */
public abstract class ClusterScenarioSuite {
    /** A fresh fabric for one test. */
    protected abstract ClusterFabric newFabric();

    /** Proposals in the large-volume test; subclasses over slower fabrics may use fewer. */
    protected int manyProposals() {
        return Integer.getInteger("cluster.proposals", 1_000_000);
    }

    protected RaftConfig config() {
        return RaftConfig.builder().electionTimeoutNs(150_000_000L).heartbeatIntervalNs(20_000_000L)
            .proposalTimeoutNs(30_000_000_000L).build();
    }

    protected LocalCluster start(int nodes) {
        return LocalCluster.start(nodes, config(), newFabric());
    }

    @Test
    public void proposeReturnsLsnAndEveryNodeCommitsTheEntry() throws Exception {
        try (LocalCluster cluster = start(3)) {
            final Stream[] streams = attach(cluster);
            final long lsn = commitOnLeader(cluster, "foo".getBytes());
            assertTrue(lsn > 0);
            for (int i = 0; i < 3; i++) {
                final Stream s = streams[i];
                awaitCondition(() -> s.lastLsn() >= lsn, "node " + (i + 1) + " commits lsn " + lsn);
                assertEquals(0x666f6fL, s.firstBytesAt(lsn), "node " + (i + 1) + " payload at lsn " + lsn);
            }
        }
    }

    @Test
    public void proposalOnFollowerFailsWithNotLeaderAndTheLeaderId() throws Exception {
        try (LocalCluster cluster = start(3)) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final int follower = (leader + 1) % 3;
            awaitCondition(() -> cluster.node(follower).status().leaderId() == leader + 1, "follower knows the leader");
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> cluster.node(follower).propose(new byte[]{1}).get(30, TimeUnit.SECONDS));
            final ProposalException pe = (ProposalException) e.getCause();
            assertEquals(ResultCode.NOT_LEADER, pe.code());
            assertEquals(leader + 1, pe.leaderId());
        }
    }

    @Test
    public void emptyProposalIsRejectedAsInvalid() {
        try (LocalCluster cluster = start(1)) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> cluster.node(leader).propose(new byte[0]).get(30, TimeUnit.SECONDS));
            assertEquals(ResultCode.INVALID, ((ProposalException) e.getCause()).code());
        }
    }

    @Test
    public void staleLeaderRejoiningStepsDownAndCatchesUp() throws Exception {
        try (LocalCluster cluster = start(3)) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final long termBefore = cluster.node(leader).status().term();
            cluster.disconnect(leader);
            final int next = cluster.awaitLeader(Duration.ofSeconds(30));
            assertTrue(next != leader);
            assertTrue(cluster.node(next).status().term() > termBefore);
            final long lsn = cluster.node(next).propose(new byte[]{7}).get(30, TimeUnit.SECONDS);
            cluster.reconnect(leader);
            awaitCondition(() -> {
                final RaftStatus st = cluster.node(leader).status();
                return st.role() == Role.FOLLOWER && st.leaderId() == next + 1 && st.commitIndex() >= lsn;
            }, "old leader rejoins as a follower of node " + (next + 1) + " and commits lsn " + lsn);
        }
    }

    @Test
    public void minoritySideLeaderCannotCommitAndItsProposalIsNeverReportedCommitted() throws Exception {
        try (LocalCluster cluster = start(3)) {
            final Stream[] streams = attach(cluster);
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            cluster.disconnect(leader);
            final CompletableFuture<Long> orphan = cluster.node(leader).propose(new byte[]{9, 9, 9, 9, 9, 9, 9, 9});
            final int next = cluster.awaitLeader(Duration.ofSeconds(30));
            final long lsn = cluster.node(next).propose(new byte[]{1, 1, 1, 1, 1, 1, 1, 1}).get(30, TimeUnit.SECONDS);
            assertFalse(orphan.isDone() && !orphan.isCompletedExceptionally(), "minority leader reported a commit");
            cluster.reconnect(leader);
            final ExecutionException e = assertThrows(ExecutionException.class, () -> orphan.get(60, TimeUnit.SECONDS));
            final ResultCode code = ((ProposalException) e.getCause()).code();
            assertTrue(code == ResultCode.LEADERSHIP_LOST || code == ResultCode.TIMEOUT, "outcome " + code);
            for (int i = 0; i < 3; i++) {
                final Stream s = streams[i];
                awaitCondition(() -> s.lastLsn() >= lsn, "node " + (i + 1) + " commits lsn " + lsn);
                assertFalse(s.containsFirstBytes(0x0909090909090909L), "orphan entry committed on node " + (i + 1));
            }
        }
    }

    @Test
    public void followerCrashAndRestartLosesNothingCommitted() throws Exception {
        try (LocalCluster cluster = start(3)) {
            final Stream[] streams = attach(cluster);
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final int follower = (leader + 1) % 3;
            final int reference = (leader + 2) % 3;
            long last = 0;
            for (int k = 0; k < 100; k++) {
                last = commitOnLeader(cluster, longBytes(k));
            }
            cluster.stop(follower);
            for (int k = 100; k < 200; k++) {
                last = commitOnLeader(cluster, longBytes(k));
            }
            streams[follower].reset();
            cluster.restart(follower);
            final long target = last;
            final Stream s = streams[follower];
            awaitCondition(() -> s.lastLsn() >= target, "restarted follower commits up to " + target);
            // Any node that stayed up is a reference: committed streams agree on every common prefix.
            s.assertSamePrefix(streams[reference], "restarted follower");
            assertEquals(200, s.size());
        }
    }

    @Test
    public void fiveNodesCommitManyProposalsWithIdenticalStreamsWhileNodesDisconnect() {
        runVolume(5, manyProposals(), 0.0, true);
    }

    @Test
    public void everyAcknowledgedProposalCommitsIdenticallyWithOnePercentLoss() {
        runVolume(3, Math.max(1000, manyProposals() / 20), 0.01, false);
    }

    @Test
    public void everyAcknowledgedProposalCommitsIdenticallyWithFivePercentLoss() {
        runVolume(3, Math.max(1000, manyProposals() / 50), 0.05, false);
    }

    private void runVolume(int n, int proposals, double loss, boolean chaos) {
        try (LocalCluster cluster = start(n)) {
            final Stream[] streams = attach(cluster);
            cluster.fabric().dropProbability(loss);
            final Driver driver = new Driver(cluster, chaos);
            driver.run(proposals);
            cluster.fabric().dropProbability(0);
            for (int i = 0; i < n; i++) {
                cluster.reconnect(i);
            }
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final long target = cluster.node(leader).status().commitIndex();
            for (int i = 0; i < n; i++) {
                final int node = i;
                awaitCondition(() -> cluster.node(node).status().lastApplied() >= target,
                    "node " + (i + 1) + " applies up to " + target);
            }
            for (int i = 0; i < n; i++) {
                streams[i].assertSamePrefix(streams[leader], "node " + (i + 1));
            }
            assertTrue(driver.acked.size() >= proposals);
            driver.acked.forEach((lsn, id) -> assertEquals(id, streams[leader].firstBytesAt(lsn), "acked lsn " + lsn));
        }
    }

    protected static Stream[] attach(LocalCluster cluster) {
        final Stream[] streams = new Stream[cluster.size()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new Stream();
            cluster.onCommit(i, streams[i]);
        }
        return streams;
    }

    /**
     * Proposes on whichever node leads now and waits for the commit. A proposal refused with a definite
     * "not committed" outcome (NOT_LEADER, LEADERSHIP_LOST, REJECTED_BUSY) is proposed again on the then
     * leader, so a test is not broken by a leader change on a loaded machine (a 150 ms election timeout on a
     * starved 2-core box); TIMEOUT (outcome unknown) still fails the test, since a retry could commit twice.
     */
    protected static long commitOnLeader(LocalCluster cluster, byte[] payload) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            try {
                return cluster.node(leader).propose(payload).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                final ResultCode code = e.getCause() instanceof ProposalException
                    ? ((ProposalException) e.getCause()).code() : null;
                final boolean definitelyNotCommitted = code == ResultCode.NOT_LEADER
                    || code == ResultCode.LEADERSHIP_LOST || code == ResultCode.REJECTED_BUSY;
                if (!definitelyNotCommitted || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    static byte[] longBytes(long v) {
        final byte[] b = new byte[8];
        new UnsafeBuffer(b).putLong(0, v);
        return b;
    }

    protected static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** One node's commit stream: the first 8 payload bytes per LSN. Written on its Raft thread. */
    protected static final class Stream implements CommitListener {
        private final LongArrayList lsns = new LongArrayList();
        private final LongArrayList heads = new LongArrayList();
        private volatile long last;

        @Override
        public synchronized void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
            if (lsn <= last) {
                throw new AssertionError("lsn " + lsn + " delivered after " + last);
            }
            lsns.addLong(lsn);
            long head = 0;
            for (int i = 0; i < Math.min(8, length); i++) {
                head = (head << 8) | (data.getByte(offset + i) & 0xff);
            }
            heads.addLong(length >= 8 ? data.getLong(offset) : head);
            last = lsn;
        }

        long lastLsn() {
            return last;
        }

        synchronized int size() {
            return lsns.size();
        }

        synchronized void reset() {
            lsns.clear();
            heads.clear();
            last = 0;
        }

        synchronized long firstBytesAt(long lsn) {
            final int i = java.util.Collections.binarySearch(lsns, lsn);
            return i < 0 ? -1 : heads.getLong(i);
        }

        synchronized boolean containsFirstBytes(long v) {
            return heads.containsLong(v);
        }

        synchronized void assertSamePrefix(Stream other, String who) {
            synchronized (other) {
                final int common = Math.min(lsns.size(), other.lsns.size());
                assertTrue(common > 0, who + " committed nothing");
                for (int i = 0; i < common; i++) {
                    if (lsns.getLong(i) != other.lsns.getLong(i) || heads.getLong(i) != other.heads.getLong(i)) {
                        throw new AssertionError(who + " diverges at position " + i + ": lsn " + lsns.getLong(i)
                            + " vs lsn " + other.lsns.getLong(i));
                    }
                }
            }
        }
    }

    /** Keeps a window of proposals in flight on the current leader; optionally disconnects nodes. */
    static final class Driver implements ProposalCallback {
        final Long2LongHashMap acked = new Long2LongHashMap(-1);
        private final LocalCluster cluster;
        private final boolean chaos;
        private final ConcurrentLinkedQueue<long[]> results = new ConcurrentLinkedQueue<>();
        private final SplittableRandom random = new SplittableRandom(42);
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        private long nextId = 1;
        private int inFlight;

        Driver(LocalCluster cluster, boolean chaos) {
            this.cluster = cluster;
            this.chaos = chaos;
        }

        @Override
        public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
            results.add(new long[]{correlationId, code.ordinal(), lsn});
        }

        void run(int target) {
            int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            int disconnected = -1;
            long nextChaosAt = target / 10;
            final int window = 1024;
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (acked.size() < target) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + acked.size() + " of " + target + " proposals acknowledged in 5 minutes");
                }
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
                    } else if (code != ResultCode.REJECTED_BUSY && code != ResultCode.TIMEOUT) {
                        leaderGone = true;
                    }
                }
                if (leaderGone) {
                    leader = cluster.awaitLeader(Duration.ofSeconds(30));
                }
                if (chaos && acked.size() >= nextChaosAt) {
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
                    LockSupport.parkNanos(50_000);
                }
            }
        }
    }
}
