package io.pontoon.engine;

import io.pontoon.ResultCode;
import io.pontoon.Role;

/**
 * Linearizable reads without log entries (thesis §6.4): ReadIndex on the leader, ReadIndex forwarded from a
 * follower, and lease reads (§6.4.1).
 *
 * <p>Leader. A read's index is the commit index when it arrives, or the first index of the leader's term if that
 * is higher (until the leader's no-op commits it may not know which earlier entries are committed; waiting for the
 * no-op's index covers them all, §6.4 step 1). The read is confirmed once a majority answered a heartbeat round
 * sent after the read arrived: then no other leader can have committed anything newer when it arrived. Every
 * heartbeat broadcast is a numbered round; a read waits for the next one, and a duty cycle with waiting reads
 * sends that round at its end, so one round serves every read queued in the cycle (batched, as etcd raft's
 * ReadOnlySafe). A single-node cluster confirms at once.
 *
 * <p>Follower. Reads are forwarded to the leader, one READ_INDEX request per duty cycle for every read queued
 * in it; the answer's index serves them all, and every earlier request still unanswered (its index was
 * confirmed after they arrived too).
 *
 * <p>Lease. With {@code leaseReads} a leader answers at once while a majority answered a round it sent less than
 * {@code electionTimeout - maxClockDrift} ago: check-quorum and pre-vote keep those followers from electing
 * another leader until their election timeout has passed since they heard it.
 *
 * <p>Queues are rings of primitives: a read allocates nothing.
 */
final class Reads {
    /** Heartbeat rounds whose send times are kept, for the lease. */
    private static final int ROUND_HISTORY = 64;

    private final RaftState s;
    /** Leader: the last round sent (every heartbeat broadcast), never reset, so an old answer never counts twice. */
    long round;
    /** Leader: reads are waiting for round {@code round + 1}. */
    boolean roundWanted;
    private final long[] roundIds = new long[ROUND_HISTORY];
    private final long[] roundSentNs = new long[ROUND_HISTORY];
    /** Leader: the index of the first entry of this leader's term (its no-op). */
    long termStartIndex;

    // Leader queue, in round order: (round, read index, tag or request id, origin node (0 = this one), deadline).
    private long[] qRound = new long[64];
    private long[] qIndex = new long[64];
    private long[] qTag = new long[64];
    private int[] qOrigin = new int[64];
    private long[] qDeadline = new long[64];
    private int qHead;
    private int qSize;

    // Follower queue: (request id, tag, deadline); a request covers the reads queued before it was sent.
    private long[] fRequest = new long[64];
    private long[] fTag = new long[64];
    private long[] fDeadline = new long[64];
    private int fHead;
    private int fSize;
    /**
     * Follower: the id of the first READ_INDEX request of this incarnation and of the next one, and whether reads
     * wait for it. Ids start at the clock's reading when the engine starts, so an answer the leader sends to an
     * earlier incarnation of this node (same term, request ids from 1 again) is not taken for an answer to this
     * one's requests: it would serve reads that started after the leader fixed its index (simulation seed 902).
     */
    private final long firstRequestId;
    private long nextRequestId;
    private boolean requestWanted;
    /** The leader the forwarded reads went to; they fail with NOT_LEADER if it changes. */
    private int forwardedTo;

    Reads(RaftState s) {
        this.s = s;
        this.firstRequestId = Math.max(1, s.nowNs);
        this.nextRequestId = firstRequestId;
    }

    /**
     * A read under {@code tag}: returns 0 if taken (its outcome comes through
     * {@link EngineListener#onReadIndex}, possibly before this returns), else the {@code -ordinal} of why not:
     * NOT_LEADER (no known leader; or a lease read on a follower), LEASE_EXPIRED, LEADERSHIP_TRANSFER.
     */
    int request(long tag, boolean lease) {
        if (s.role == Role.LEADER) {
            if (s.transferTarget != RaftState.NO_NODE) {
                return -ResultCode.LEADERSHIP_TRANSFER.ordinal();
            }
            final long index = Math.max(s.commitIndex, termStartIndex);
            if (lease) {
                if (!leaseValid()) {
                    return -ResultCode.LEASE_EXPIRED.ordinal();
                }
                s.listener.onReadIndex(tag, ResultCode.OK, index);
                return 0;
            }
            if (s.isQuorum(true, s.agreeing())) {
                s.listener.onReadIndex(tag, ResultCode.OK, index);
                return 0;
            }
            enqueue(round + 1, index, tag, 0);
            roundWanted = true;
            return 0;
        }
        if (lease || s.leaderId == RaftState.NO_NODE) {
            return -ResultCode.NOT_LEADER.ordinal();
        }
        if (fSize > 0 && forwardedTo != s.leaderId) {
            failForwarded(ResultCode.NOT_LEADER);
        }
        forwardedTo = s.leaderId;
        forward(nextRequestId, tag);
        requestWanted = true;
        return 0;
    }

    /** Leader: a follower's READ_INDEX. */
    void onRequest(int from, long requestId) {
        if (s.role != Role.LEADER || s.transferTarget != RaftState.NO_NODE) {
            s.sender.sendReadIndexResponse(from, s.term, requestId, 0, s.role == Role.LEADER
                ? ResultCode.LEADERSHIP_TRANSFER.ordinal() : ResultCode.NOT_LEADER.ordinal());
            return;
        }
        enqueue(round + 1, Math.max(s.commitIndex, termStartIndex), requestId, from);
        roundWanted = true;
    }

    /** Follower: the leader's answer to request {@code requestId}: it serves every read up to that request. */
    void onResponse(int from, long requestId, long index, int code) {
        if (from != forwardedTo || requestId < firstRequestId || requestId >= nextRequestId) {
            return; // not an answer to a request this incarnation sent
        }
        final ResultCode result = ResultCode.of(code);
        while (fSize > 0 && fRequest[fHead] <= requestId) {
            final long tag = fTag[fHead];
            fHead = (fHead + 1) & (fTag.length - 1);
            fSize--;
            s.listener.onReadIndex(tag, result, result == ResultCode.OK ? index : -1);
        }
    }

    /** Leader: a round was sent now (a heartbeat broadcast). Returns its number. */
    long startRound() {
        round++;
        roundWanted = false;
        final int slot = (int) (round & (ROUND_HISTORY - 1));
        roundIds[slot] = round;
        roundSentNs[slot] = s.nowNs;
        return round;
    }

    /** Leader: {@code pr} answered round {@code answered}; confirms the reads a majority has now vouched for. */
    void onRoundAnswered(Progress pr, long answered) {
        if (answered <= pr.roundAcked || answered > round) {
            return; // old, or not one of ours (a forged or confused answer names a round never sent)
        }
        pr.roundAcked = answered;
        final int slot = (int) (answered & (ROUND_HISTORY - 1));
        if (roundIds[slot] == answered && roundSentNs[slot] > pr.roundAckedSentNs) {
            pr.roundAckedSentNs = roundSentNs[slot];
        }
        while (qSize > 0 && vouched(qRound[qHead])) {
            final int h = qHead;
            qHead = (qHead + 1) & (qTag.length - 1);
            qSize--;
            deliver(qOrigin[h], qTag[h], ResultCode.OK, qIndex[h]);
        }
    }

    private boolean vouched(long r) {
        final Progress[] peers = s.peers;
        final boolean[] acked = s.agreeing();
        for (int i = 0; i < peers.length; i++) {
            acked[i] = peers[i].roundAcked >= r;
        }
        return s.isQuorum(true, acked);
    }

    /** Leader: a majority answered a round sent recently enough (this node counts as answering now). */
    boolean leaseValid() {
        if (!s.config.leaseReads || s.role != Role.LEADER || s.handedOverThisTerm) {
            return false;
        }
        // The lease started at the latest send time T such that the voters that answered a round sent at or after T
        // (this node counting as now) are a majority of every voter set (of both while joint).
        final Progress[] peers = s.peers;
        if (s.isQuorum(true, s.agreeing())) {
            return true;
        }
        long start = Long.MIN_VALUE;
        for (Progress candidate : peers) {
            final long t = candidate.roundAckedSentNs;
            if (t <= start || !candidate.voter) {
                continue;
            }
            final boolean[] since = s.agreeing();
            for (int i = 0; i < peers.length; i++) {
                since[i] = peers[i].roundAckedSentNs >= t;
            }
            if (s.isQuorum(true, since)) {
                start = t;
            }
        }
        if (start == Long.MIN_VALUE) {
            return false;
        }
        return s.nowNs - start < s.config.electionTimeoutNs - s.config.maxClockDriftNs;
    }

    /** Leader: the index of this term's first entry (its no-op); 0 when not leading. */
    long termStart() {
        return termStartIndex;
    }

    /** End of a duty cycle: a follower sends one READ_INDEX for the reads queued in it. Returns messages sent. */
    int flush() {
        if (requestWanted && s.role != Role.LEADER && s.leaderId != RaftState.NO_NODE) {
            requestWanted = false;
            s.sender.sendReadIndex(s.leaderId, s.term, nextRequestId++);
            return 1;
        }
        return 0;
    }

    /** Timers: reads older than proposalTimeout fail with TIMEOUT (queues are in arrival order). */
    int onTick() {
        int work = 0;
        final long now = s.nowNs;
        while (qSize > 0 && qDeadline[qHead] <= now) {
            final int h = qHead;
            qHead = (qHead + 1) & (qTag.length - 1);
            qSize--;
            deliver(qOrigin[h], qTag[h], ResultCode.TIMEOUT, -1);
            work++;
        }
        while (fSize > 0 && fDeadline[fHead] <= now) {
            final long tag = fTag[fHead];
            fHead = (fHead + 1) & (fTag.length - 1);
            fSize--;
            s.listener.onReadIndex(tag, ResultCode.TIMEOUT, -1);
            work++;
        }
        return work;
    }

    /** The node stopped leading: its queued reads cannot be confirmed. */
    void onLeadershipLost() {
        while (qSize > 0) {
            final int h = qHead;
            qHead = (qHead + 1) & (qTag.length - 1);
            qSize--;
            deliver(qOrigin[h], qTag[h], ResultCode.NOT_LEADER, -1);
        }
        roundWanted = false;
    }

    /** Became leader at {@code noOpIndex}: no round of this leadership has been answered yet. */
    void onLeadershipStarted(long noOpIndex) {
        termStartIndex = noOpIndex;
        requestWanted = false;
        failForwarded(ResultCode.NOT_LEADER);
        for (Progress pr : s.peers) {
            pr.roundAcked = round;
            pr.roundAckedSentNs = Long.MIN_VALUE;
        }
    }

    /** Follower: the leader changed (or is unknown): reads forwarded to the old one fail, to be retried. */
    void onLeaderChanged() {
        if (fSize > 0 && forwardedTo != s.leaderId) {
            failForwarded(ResultCode.NOT_LEADER);
        }
    }

    /** Every read waiting anywhere fails with CLOSED (the node shuts down). */
    void abandon() {
        while (qSize > 0) {
            final int h = qHead;
            qHead = (qHead + 1) & (qTag.length - 1);
            qSize--;
            if (qOrigin[h] == 0) {
                s.listener.onReadIndex(qTag[h], ResultCode.CLOSED, -1);
            }
        }
        failForwarded(ResultCode.CLOSED);
    }

    int pending() {
        return qSize + fSize;
    }

    private void failForwarded(ResultCode code) {
        while (fSize > 0) {
            final long tag = fTag[fHead];
            fHead = (fHead + 1) & (fTag.length - 1);
            fSize--;
            s.listener.onReadIndex(tag, code, -1);
        }
    }

    private void deliver(int origin, long tag, ResultCode code, long index) {
        if (origin == 0) {
            s.listener.onReadIndex(tag, code, index);
        } else {
            s.sender.sendReadIndexResponse(origin, s.term, tag, Math.max(index, 0), code.ordinal());
        }
    }

    private void enqueue(long r, long index, long tag, int origin) {
        if (qSize == qTag.length) {
            growLeaderQueue();
        }
        final int t = (qHead + qSize) & (qTag.length - 1);
        qRound[t] = r;
        qIndex[t] = index;
        qTag[t] = tag;
        qOrigin[t] = origin;
        qDeadline[t] = s.nowNs + s.config.proposalTimeoutNs;
        qSize++;
    }

    private void forward(long requestId, long tag) {
        if (fSize == fTag.length) {
            growFollowerQueue();
        }
        final int t = (fHead + fSize) & (fTag.length - 1);
        fRequest[t] = requestId;
        fTag[t] = tag;
        fDeadline[t] = s.nowNs + s.config.proposalTimeoutNs;
        fSize++;
    }

    private void growLeaderQueue() {
        final int n = qTag.length;
        qRound = unwrap(qRound, qHead, n);
        qIndex = unwrap(qIndex, qHead, n);
        qTag = unwrap(qTag, qHead, n);
        qDeadline = unwrap(qDeadline, qHead, n);
        final int[] origin = new int[n * 2];
        for (int i = 0; i < n; i++) {
            origin[i] = qOrigin[(qHead + i) & (n - 1)];
        }
        qOrigin = origin;
        qHead = 0;
    }

    private void growFollowerQueue() {
        final int n = fTag.length;
        fRequest = unwrap(fRequest, fHead, n);
        fTag = unwrap(fTag, fHead, n);
        fDeadline = unwrap(fDeadline, fHead, n);
        fHead = 0;
    }

    private static long[] unwrap(long[] ring, int head, int n) {
        final long[] grown = new long[n * 2];
        for (int i = 0; i < n; i++) {
            grown[i] = ring[(head + i) & (n - 1)];
        }
        return grown;
    }
}
