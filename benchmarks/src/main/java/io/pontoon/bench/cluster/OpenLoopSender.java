package io.pontoon.bench.cluster;

import io.pontoon.ProposalCallback;
import io.pontoon.ResultCode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load at a fixed offered rate, free of coordinated omission: request {@code i} of an iteration is
 * due at {@code start + i / rate}; its correlation id is that due time, and its latency is commit − due time. A
 * sender that falls behind (descheduled, or held back by the in-flight cap) sends the late requests in a burst,
 * and their waiting is charged to them, as a user would see it.
 *
 * <p>Threads: {@link #sendNext()} and {@link #restartSchedule()} by one sender thread (the JMH worker);
 * {@link #onResult} by the leader's Raft thread. The sender parks until the due time (never spins); the wake-up
 * lag of {@code parkNanos} (tens of µs) is part of the measured latency and is reported on its own as send lag.
 */
final class OpenLoopSender implements ProposalCallback {
    /** In flight at most; beyond it the sender waits (and the wait is charged to the waiting requests). */
    static final int MAX_IN_FLIGHT = 8192;
    private static final long PARK_NS = 1_000_000L;
    private static final long RING_FULL_PARK_NS = 50_000L;

    private final ClusterFixture fixture;
    private final LoadStats stats;
    private final UnsafeBuffer payload;
    private final long ratePerSecond;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Recorder sendLagNs = new Recorder(1, LoadStats.HIGHEST_LATENCY_NS, 3);
    private Histogram sendLagInterval;
    private final Histogram measuredSendLagNs = new Histogram(1, LoadStats.HIGHEST_LATENCY_NS, 3);
    private volatile Thread waiter;
    private long startNs;
    private long sent;

    OpenLoopSender(ClusterFixture fixture, LoadStats stats, long ratePerSecond) {
        if (ratePerSecond < 1 || ratePerSecond > 100_000_000L) {
            throw new IllegalArgumentException("rate must be in [1, 100000000] requests/s, got " + ratePerSecond);
        }
        this.fixture = fixture;
        this.stats = stats;
        this.payload = WindowClient.payload(fixture.settings().payloadBytes());
        this.ratePerSecond = ratePerSecond;
    }

    /** Iteration start: the schedule restarts now (JMH's pause between iterations is not charged). */
    void restartSchedule() {
        startNs = System.nanoTime();
        sent = 0;
        sendLagInterval = sendLagNs.getIntervalHistogram(sendLagInterval);
    }

    /** Iteration end: keeps the iteration's send lag when it was measured. */
    void endIteration(boolean measured) {
        sendLagInterval = sendLagNs.getIntervalHistogram(sendLagInterval);
        if (measured) {
            measuredSendLagNs.add(sendLagInterval);
        }
    }

    /** Send lag (actual send − due time) over the measured iterations. */
    Histogram measuredSendLagNs() {
        return measuredSendLagNs;
    }

    /** Waits for the next request's due time, then proposes it. */
    void sendNext() {
        final long dueNs = startNs + sent * 1_000_000_000L / ratePerSecond;
        long nowNs;
        while ((nowNs = System.nanoTime()) < dueNs) {
            LockSupport.parkNanos(dueNs - nowNs);
        }
        while (inFlight.get() >= MAX_IN_FLIGHT) {
            waiter = Thread.currentThread();
            if (inFlight.get() >= MAX_IN_FLIGHT) {
                LockSupport.parkNanos(this, PARK_NS);
            }
            waiter = null;
        }
        inFlight.incrementAndGet();
        final long correlationId = dueNs - fixture.baseNs();
        while (!fixture.leader().propose(payload, 0, payload.capacity(), correlationId, this)) {
            LockSupport.parkNanos(RING_FULL_PARK_NS);
        }
        stats.onSent();
        sendLagNs.recordValue(Math.max(1, Math.min(LoadStats.HIGHEST_LATENCY_NS, System.nanoTime() - dueNs)));
        sent++;
    }

    /** Raft thread of the leader. */
    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        if (code == ResultCode.OK) {
            stats.onCommitted(fixture.baseNs() + correlationId, System.nanoTime());
        } else {
            stats.onFailed(code);
            if (code == ResultCode.NOT_LEADER || code == ResultCode.LEADERSHIP_LOST) {
                fixture.markLeaderStale();
            }
        }
        final int now = inFlight.decrementAndGet();
        final Thread w = waiter;
        if (w != null && now < MAX_IN_FLIGHT) {
            LockSupport.unpark(w);
        }
    }
}
