package io.pontoon.bench.cluster;

import io.pontoon.ProposalCallback;
import io.pontoon.RaftNode;
import io.pontoon.ResultCode;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A background writer for the read and transfer runs: proposes to the leader at a fixed rate (0: as fast as
 * {@code maxInFlight} allows) with the allocation-free propose, following the leader when it moves, and records
 * the time of every acknowledged commit so that a run can find the longest gap between two of them.
 *
 * <p>Threads: its own thread proposes; {@link #onResult} runs on the leader's Raft thread.
 */
final class RateWriter implements ProposalCallback, AutoCloseable {
    private final ClusterFixture fixture;
    private final long ratePerSecond;
    private final int maxInFlight;
    private final UnsafeBuffer payload;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** Longest gap between two acknowledged commits since {@link #resetGap()}, and the last commit's time. */
    private volatile long maxGapNs;
    private volatile long lastCommitNs;
    private volatile boolean running = true;
    private final Thread thread;

    RateWriter(ClusterFixture fixture, long ratePerSecond, int maxInFlight) {
        this.fixture = fixture;
        this.ratePerSecond = ratePerSecond;
        this.maxInFlight = maxInFlight;
        this.payload = WindowClient.payload(fixture.settings().payloadBytes());
        this.thread = new Thread(this::run, "bench-writer");
        this.thread.setDaemon(true);
    }

    RateWriter start() {
        lastCommitNs = System.nanoTime();
        thread.start();
        return this;
    }

    private void run() {
        final long start = System.nanoTime();
        long sent = 0;
        long id = 0;
        while (running) {
            if (ratePerSecond > 0) {
                final long due = start + sent * 1_000_000_000L / ratePerSecond;
                final long wait = due - System.nanoTime();
                if (wait > 50_000) {
                    LockSupport.parkNanos(Math.min(wait, 1_000_000L));
                    continue;
                }
            }
            if (inFlight.get() >= maxInFlight) {
                LockSupport.parkNanos(20_000);
                continue;
            }
            final RaftNode leader = fixture.leader();
            inFlight.incrementAndGet();
            if (leader.propose(payload, 0, payload.capacity(), ++id, this)) {
                sent++;
            } else {
                inFlight.decrementAndGet();
                LockSupport.parkNanos(50_000);
            }
        }
    }

    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        inFlight.decrementAndGet();
        if (code == ResultCode.OK) {
            final long now = System.nanoTime();
            final long gap = now - lastCommitNs;
            if (gap > maxGapNs) {
                maxGapNs = gap;
            }
            lastCommitNs = now;
            committed.incrementAndGet();
        } else {
            refused.incrementAndGet();
            if (code == ResultCode.NOT_LEADER || code == ResultCode.LEADERSHIP_TRANSFER
                || code == ResultCode.LEADERSHIP_LOST) {
                fixture.markLeaderStale();
            }
        }
    }

    long committed() {
        return committed.get();
    }

    long refused() {
        return refused.get();
    }

    /** The longest gap between two acknowledged commits since the last call; starts a new window. */
    long takeMaxGapNs() {
        final long now = System.nanoTime();
        final long gap = Math.max(maxGapNs, now - lastCommitNs);
        maxGapNs = 0;
        return gap;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
