package io.pontoon.compare.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The load loop shared by every system: warm-up, then a measured window, with at most
 * {@link HarnessOptions#inflight()} requests outstanding (a semaphore; a completion releases a permit).
 *
 * <p>Closed loop ({@code rate == 0}): a request is sent as soon as a permit is free, timed from its send.
 * Open loop ({@code rate > 0}): request {@code i} is due at {@code t0 + i * 1e9 / rate} and timed from that
 * intended time, whether or not a permit was free then, so a stall is charged to every request it delayed
 * (no coordinated omission).
 *
 * <p>The window counts completions that happen inside it: throughput is those completions over the
 * window's length; the latency histogram holds their latencies. Threads: {@link #run()} on the driver
 * thread; {@link #onCommitted}/{@link #onFailed} on the system's threads.
 */
public final class LoadDriver implements Completion {
    private static final long HIGHEST_LATENCY_NS = TimeUnit.MINUTES.toNanos(10);
    private static final long PERMIT_POLL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);

    private final ReplicatedSystem system;
    private final HarnessOptions options;
    private final PrintStream progress;
    private final byte[] payload;
    private final Semaphore permits;
    private final Recorder latencyNs = new Recorder(HIGHEST_LATENCY_NS, 3);
    private final LongAdder committedInWindow = new LongAdder();
    private final LongAdder committedTotal = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<String> lastFailure = new AtomicReference<>("");
    private final AtomicLong backPressured = new AtomicLong();
    private volatile long windowStartNs = Long.MAX_VALUE;
    private volatile long windowEndNs = Long.MAX_VALUE;
    private Histogram window;
    private long measuredNs;
    private long sent;
    private int undrained;

    public LoadDriver(ReplicatedSystem system, HarnessOptions options, PrintStream progress) {
        this.system = system;
        this.options = options;
        this.progress = progress;
        this.payload = new byte[options.payloadBytes()];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        this.permits = new Semaphore(options.inflight());
    }

    /** Runs warm-up and measurement, then waits (bounded) for outstanding requests to finish. */
    public void run() {
        final long t0 = System.nanoTime();
        final long warmupEndNs = t0 + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
        final long endNs = warmupEndNs + TimeUnit.SECONDS.toNanos(options.seconds());
        windowStartNs = warmupEndNs;
        windowEndNs = endNs;
        final long intervalNs = options.rate() > 0 ? Math.max(1, 1_000_000_000L / options.rate()) : 0;
        long nextDueNs = t0;
        long nextReportNs = t0 + 1_000_000_000L;
        long lastReportCommitted = 0;
        boolean windowOpen = false;
        while (true) {
            long nowNs = System.nanoTime();
            if (nowNs >= endNs) {
                break;
            }
            if (nowNs >= nextReportNs) {
                final long c = committedTotal.sum();
                progress.printf(Locale.ROOT, "%s t=%ds %s commits/s=%d outstanding=%d failed=%d%n", system.name(),
                    (nowNs - t0) / 1_000_000_000L, nowNs < warmupEndNs ? "warmup " : "measure", c - lastReportCommitted,
                    options.inflight() - permits.availablePermits(), failed.sum());
                lastReportCommitted = c;
                nextReportNs += 1_000_000_000L;
            }
            if (!windowOpen && nowNs >= warmupEndNs) {
                latencyNs.reset(); // drop warm-up latencies recorded just before the window opened
                windowOpen = true;
            }
            final long startNs;
            if (intervalNs > 0) {
                if (!waitUntil(nextDueNs, Math.min(endNs, nextReportNs))) {
                    continue;
                }
                startNs = nextDueNs;
            } else {
                startNs = 0; // taken after the permit
            }
            if (!acquirePermit()) {
                continue;
            }
            final long sendNs = intervalNs > 0 ? startNs : System.nanoTime();
            if (intervalNs > 0) {
                nextDueNs += intervalNs;
            }
            if (!submit(sendNs, endNs)) {
                permits.release();
                break;
            }
            sent++;
        }
        window = latencyNs.getIntervalHistogram();
        measuredNs = endNs - warmupEndNs;
        try {
            if (!permits.tryAcquire(options.inflight(), DRAIN_TIMEOUT_NS, TimeUnit.NANOSECONDS)) {
                undrained = options.inflight() - permits.availablePermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Parks until {@code dueNs}; returns false if {@code limitNs} came first (do housekeeping, call again). */
    private static boolean waitUntil(long dueNs, long limitNs) {
        while (true) {
            final long nowNs = System.nanoTime();
            if (nowNs >= dueNs) {
                return true;
            }
            if (nowNs >= limitNs) {
                return false;
            }
            // Park, never spin: on 2 cores a spinning driver would take a core from the system under test.
            // The timer oversleeps by ~50 us, so at high rates requests leave in small bursts; each is still
            // timed from its own due time.
            LockSupport.parkNanos(Math.min(dueNs, limitNs) - nowNs);
        }
    }

    private boolean acquirePermit() {
        try {
            return permits.tryAcquire(PERMIT_POLL_NS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("driver interrupted", e);
        }
    }

    /** Submits, retrying while the system pushes back; false if the run ended first. */
    private boolean submit(long startNs, long endNs) {
        int spins = 0;
        while (!system.submit(payload, startNs, this)) {
            backPressured.incrementAndGet();
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
                if (System.nanoTime() >= endNs) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void onCommitted(long startNs) {
        final long nowNs = System.nanoTime();
        if (nowNs >= windowStartNs && nowNs < windowEndNs) {
            latencyNs.recordValue(Math.min(HIGHEST_LATENCY_NS, Math.max(1, nowNs - startNs)));
            committedInWindow.increment();
        }
        committedTotal.increment();
        permits.release();
    }

    @Override
    public void onFailed(long startNs, String reason) {
        failed.increment();
        lastFailure.set(reason);
        permits.release();
    }

    /** Latencies (ns) of the requests completed in the measured window. */
    public Histogram windowLatencyNs() {
        return window;
    }

    /** Commits per second in the measured window. */
    public double opsPerSecond() {
        return committedInWindow.sum() * 1e9 / measuredNs;
    }

    public long committedInWindow() {
        return committedInWindow.sum();
    }

    public long failed() {
        return failed.sum();
    }

    public String lastFailure() {
        return lastFailure.get();
    }

    /** Times a submit was refused under back-pressure and retried. */
    public long backPressured() {
        return backPressured.get();
    }

    /** Requests sent, warm-up included. */
    public long sent() {
        return sent;
    }

    /** Requests still outstanding when the drain gave up (0 when all finished). */
    public int undrained() {
        return undrained;
    }
}
