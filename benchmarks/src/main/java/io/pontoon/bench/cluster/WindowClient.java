package io.pontoon.bench.cluster;

import io.pontoon.ProposalCallback;
import io.pontoon.RaftNode;
import io.pontoon.ResultCode;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop client: keeps up to {@code window} proposals in flight on the leader with the allocation-free
 * {@link RaftNode#propose(org.agrona.DirectBuffer, int, int, long, ProposalCallback)}; each outcome frees a slot.
 * The correlation id is the send time (relative to the fixture's base), so the callback needs no table, and the
 * latency it records is commit − send (closed loop: a request is sent only when a slot is free).
 *
 * <p>Threads: {@link #proposeOne()} by one client thread (a JMH worker); {@link #onResult} by the leader's Raft
 * thread. A client with a full window parks (never spins: on 2 cores a spinning client takes a core from the
 * cluster) and is unparked once {@code wakeBatch} slots are free, so it refills in small bursts.
 */
final class WindowClient implements ProposalCallback {
    private static final long PARK_NS = 1_000_000L;
    private static final long RING_FULL_PARK_NS = 50_000L;

    private final ClusterFixture fixture;
    private final LoadStats stats;
    private final UnsafeBuffer payload;
    private final int window;
    private final int wakeBatch;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Per client, for JMH's secondary results. */
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile Thread waiter;

    WindowClient(ClusterFixture fixture, LoadStats stats, int window) {
        this.fixture = fixture;
        this.stats = stats;
        this.payload = payload(fixture.settings().payloadBytes());
        this.window = window;
        this.wakeBatch = Math.max(1, window / 16);
    }

    static UnsafeBuffer payload(int bytes) {
        final byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        return new UnsafeBuffer(data);
    }

    /** Waits for a free slot, then proposes one entry (retrying while the leader's inbound ring is full). */
    void proposeOne() {
        awaitSlot();
        inFlight.incrementAndGet();
        final long correlationId = System.nanoTime() - fixture.baseNs();
        while (!fixture.leader().propose(payload, 0, payload.capacity(), correlationId, this)) {
            LockSupport.parkNanos(RING_FULL_PARK_NS); // back-pressure: the ring is full
        }
        stats.onSent();
    }

    private void awaitSlot() {
        while (inFlight.get() >= window) {
            waiter = Thread.currentThread();
            if (inFlight.get() >= window) {
                LockSupport.parkNanos(this, PARK_NS);
            }
            waiter = null;
        }
    }

    /** Raft thread of the leader. */
    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        if (code == ResultCode.OK) {
            stats.onCommitted(fixture.baseNs() + correlationId, System.nanoTime());
            committed.incrementAndGet();
        } else {
            stats.onFailed(code);
            failed.incrementAndGet();
            if (code == ResultCode.NOT_LEADER || code == ResultCode.LEADERSHIP_LOST) {
                fixture.markLeaderStale();
            }
        }
        final int now = inFlight.decrementAndGet();
        final Thread w = waiter;
        if (w != null && now <= window - wakeBatch) {
            LockSupport.unpark(w);
        }
    }

    long committed() {
        return committed.get();
    }

    long failed() {
        return failed.get();
    }
}
