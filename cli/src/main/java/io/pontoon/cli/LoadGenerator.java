package io.pontoon.cli;

import io.pontoon.ProposalCallback;
import io.pontoon.RaftNode;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * Keeps a fixed number of proposals in flight against whichever node is leader, with the allocation-free
 * {@link RaftNode#propose(org.agrona.DirectBuffer, int, int, long, ProposalCallback)}.
 *
 * <p>Threads: {@link #pump(long)} and the other public methods are called by one driver thread;
 * {@link #onResult} runs on the nodes' Raft threads. A proposal slot moves FREE → IN_FLIGHT (driver) →
 * FREE or RETRY (callback) → IN_FLIGHT (driver). The slot word packs a generation with the state, so a
 * slot the driver has written off ({@link #abandonTarget(int)}) is never freed twice by a late callback.
 *
 * <p>Latency is measured from a proposal's first send to its OK, across retries (what a client sees).
 * A failed outcome (NOT_LEADER, REJECTED_BUSY, LEADERSHIP_LOST, TIMEOUT) is counted and the slot is
 * re-proposed on the leader the driver currently knows.
 */
final class LoadGenerator implements ProposalCallback {
    static final int NO_NODE = -1;
    private static final long FREE = 0;
    private static final long IN_FLIGHT = 1;
    private static final long RETRY = 2;
    private static final long STATE_MASK = 3;
    private static final long GENERATION_STEP = 4;
    private static final long SLOT_MASK = 0xFFFF_FFFFL;
    /** RaftNode takes correlation ids below 2^48: 32 bits of slot, 16 of generation (wrapping). */
    private static final long GENERATION_ID_MASK = 0xFFFFL;
    private static final long HIGHEST_LATENCY_NS = 3_600_000_000_000L;
    private static final long LEADER_LOOKUP_INTERVAL_NS = 1_000_000L;

    private final IntFunction<RaftNode> nodes;
    private final int nodeCount;
    private final UnsafeBuffer payload;
    private final int slots;
    /** Per slot: (generation * GENERATION_STEP) | state. */
    private final AtomicLongArray slotWords;
    private final AtomicLongArray firstSendNs;
    private final AtomicIntegerArray slotTarget;
    private final Recorder latencyNs = new Recorder(1, HIGHEST_LATENCY_NS, 3);
    private final Histogram totalLatencyNs = new Histogram(1, HIGHEST_LATENCY_NS, 3);
    private Histogram intervalLatencyNs;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLongArray failures = new AtomicLongArray(ResultCode.values().length);
    private final AtomicLong lateOutcomes = new AtomicLong();
    private long writtenOff;
    /** Set by a callback on NOT_LEADER: the leader id it named, or -1 if it named none. 0 = nothing new. */
    private final AtomicInteger leaderHint = new AtomicInteger();

    /** Where the failover clock runs: the written-off node and when; the first OK elsewhere stops it. */
    private volatile int failoverFrom = NO_NODE;
    private volatile long failoverStartNs;
    private final AtomicLong failoverEndNs = new AtomicLong();

    private int target = NO_NODE;
    private int excluded = NO_NODE;
    private long nextLeaderLookupNs;

    LoadGenerator(IntFunction<RaftNode> nodes, int nodeCount, int payloadBytes, int inFlight) {
        this.nodes = nodes;
        this.nodeCount = nodeCount;
        this.payload = new UnsafeBuffer(new byte[payloadBytes]);
        for (int i = 0; i < payloadBytes; i++) {
            payload.putByte(i, (byte) ('a' + i % 26));
        }
        this.slots = inFlight;
        this.slotWords = new AtomicLongArray(inFlight);
        this.firstSendNs = new AtomicLongArray(inFlight);
        this.slotTarget = new AtomicIntegerArray(inFlight);
    }

    /**
     * Proposes on every free or retrying slot. Returns the number of proposals sent (0 when all slots are
     * in flight, the leader is unknown, or the node's inbound ring is full: idle and call again).
     */
    int pump(long nowNs) {
        final int hint = leaderHint.getAndSet(0);
        if (hint > 0 && hint - 1 != excluded && hint <= nodeCount) {
            target = hint - 1;
        } else if (hint < 0) {
            target = NO_NODE;
        }
        if (target == NO_NODE && !lookUpLeader(nowNs)) {
            return 0;
        }
        final RaftNode node = nodes.apply(target);
        int sent = 0;
        for (int slot = 0; slot < slots; slot++) {
            final long word = slotWords.get(slot);
            final long state = word & STATE_MASK;
            if (state == IN_FLIGHT) {
                continue;
            }
            if (state == FREE) {
                firstSendNs.set(slot, nowNs);
            }
            slotTarget.set(slot, target);
            final long generation = word & ~STATE_MASK;
            slotWords.set(slot, generation | IN_FLIGHT);
            final long correlationId = correlationId(generation, slot);
            if (!node.propose(payload, 0, payload.capacity(), correlationId, this)) {
                slotWords.set(slot, word); // ring full: back-pressure, try again on the next pump
                break;
            }
            sent++;
        }
        return sent;
    }

    /** Raft thread: the outcome of one proposal. */
    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        final int slot = (int) (correlationId & SLOT_MASK);
        if (slot >= slots) {
            return;
        }
        final long nowNs = System.nanoTime();
        final boolean ok = code == ResultCode.OK;
        final long word = slotWords.get(slot);
        if ((word & STATE_MASK) != IN_FLIGHT || correlationId(word & ~STATE_MASK, slot) != correlationId
            || !slotWords.compareAndSet(slot, word, (word & ~STATE_MASK) | (ok ? FREE : RETRY))) {
            lateOutcomes.incrementAndGet(); // written off by abandonTarget; outcome no longer counted
            return;
        }
        if (ok) {
            latencyNs.recordValue(Math.min(HIGHEST_LATENCY_NS, Math.max(1, nowNs - firstSendNs.get(slot))));
            committed.incrementAndGet();
            final int from = failoverFrom;
            if (from != NO_NODE && slotTarget.get(slot) != from && failoverEndNs.get() == 0) {
                failoverEndNs.compareAndSet(0, nowNs);
            }
        } else {
            failures.incrementAndGet(code.ordinal());
            if (code == ResultCode.NOT_LEADER) {
                leaderHint.set(leaderId > 0 ? leaderId : -1);
            }
        }
    }

    private static long correlationId(long generationWord, int slot) {
        return (((generationWord / GENERATION_STEP) & GENERATION_ID_MASK) << 32) | slot;
    }

    /** Finds the connected node that claims leadership in the highest term; rate-limited. */
    private boolean lookUpLeader(long nowNs) {
        if (nowNs < nextLeaderLookupNs) {
            return false;
        }
        nextLeaderLookupNs = nowNs + LEADER_LOOKUP_INTERVAL_NS;
        long bestTerm = -1;
        for (int i = 0; i < nodeCount; i++) {
            if (i == excluded) {
                continue;
            }
            final RaftStatus s = nodes.apply(i).status();
            if (s != null && s.role() == Role.LEADER && s.term() > bestTerm) {
                bestTerm = s.term();
                target = i;
            }
        }
        return target != NO_NODE;
    }

    /**
     * Stops using node {@code position} (it was just cut off) and starts the failover clock. Its in-flight
     * proposals are written off: their slots are freed for the new leader (so at most twice the in-flight
     * limit is outstanding) and re-proposed to the new leader, still timed from their first send; the
     * outcomes of the written-off proposals, when they come, are counted only as late outcomes.
     */
    void abandonTarget(int position, long nowNs) {
        excluded = position;
        if (target == position) {
            target = NO_NODE;
        }
        failoverEndNs.set(0);
        failoverStartNs = nowNs;
        failoverFrom = position;
        for (int slot = 0; slot < slots; slot++) {
            final long word = slotWords.get(slot);
            if ((word & STATE_MASK) == IN_FLIGHT && slotTarget.get(slot) == position) {
                final long next = (word & ~STATE_MASK) + GENERATION_STEP;
                if (slotWords.compareAndSet(slot, word, next | RETRY)) { // keeps its first send time
                    writtenOff++;
                }
            }
        }
    }

    /** The node may be used again (reconnected). */
    void readmit(int position) {
        if (excluded == position) {
            excluded = NO_NODE;
        }
    }

    /** Failover time in ns (cut-off to first OK from another node), or -1 while not yet seen. */
    long failoverNs() {
        final long end = failoverEndNs.get();
        return end == 0 || failoverFrom == NO_NODE ? -1 : end - failoverStartNs;
    }

    /** Position of the node being proposed to, or {@link #NO_NODE}. */
    int target() {
        return target;
    }

    long committed() {
        return committed.get();
    }

    long failures(ResultCode code) {
        return failures.get(code.ordinal());
    }

    long totalFailures() {
        long sum = 0;
        for (int i = 0; i < failures.length(); i++) {
            sum += failures.get(i);
        }
        return sum;
    }

    /** Proposals written off by {@link #abandonTarget} (their slots were re-proposed elsewhere). */
    long writtenOff() {
        return writtenOff;
    }

    /** Outcomes that arrived for written-off proposals (not counted as committed or failed). */
    long lateOutcomes() {
        return lateOutcomes.get();
    }

    int inFlight() {
        int n = 0;
        for (int slot = 0; slot < slots; slot++) {
            if ((slotWords.get(slot) & STATE_MASK) == IN_FLIGHT) {
                n++;
            }
        }
        return n;
    }

    /** Latencies since the previous call (ns); also added to the run's total. The result is reused. */
    Histogram intervalLatencyNs() {
        intervalLatencyNs = latencyNs.getIntervalHistogram(intervalLatencyNs);
        totalLatencyNs.add(intervalLatencyNs);
        return intervalLatencyNs;
    }

    /** Every latency drained by {@link #intervalLatencyNs()} so far. */
    Histogram totalLatencyNs() {
        return totalLatencyNs;
    }
}
