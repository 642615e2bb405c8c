package io.pontoon.compare.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The load loop shared by every system: warm-up, then a measured window, with at most
 * {@link HarnessOptions#inflight()} requests outstanding, submitted from {@link HarnessOptions#submitters()}
 * threads so that the harness is never what limits the system under test.
 *
 * <p>Closed loop ({@code rate == 0}): a request is sent as soon as fewer than {@code inflight} are outstanding,
 * timed from its send. Open loop ({@code rate > 0}): request {@code i} is due at {@code t0 + i * 1e9 / rate}
 * (the submitters take the next {@code i} in turn) and timed from that intended time, whether or not a slot
 * was free then, so a stall is charged to every request it delayed (no coordinated omission).
 *
 * <p>Outstanding requests are an atomic counter: a completion only decrements it and never wakes a
 * submitter (a semaphore's release unparked the driver once per completion, a system call and a context
 * switch per request; measured with {@code HarnessCapacity}, see docs/COMPARISON.md). A submitter with no free
 * slot spins briefly, yields, then parks for {@value #FULL_WINDOW_PARK_NS} ns at a time.
 *
 * <p>The window counts completions that happen inside it: throughput is those completions over the
 * window's length; the latency histogram holds their latencies. Threads: {@link #run()} on the calling
 * thread, which prints progress while the submitter threads load the system; {@link #onCommitted}/
 * {@link #onFailed} on the system's threads. {@link ReplicatedSystem#submit} is called from every submitter.
 */
public final class LoadDriver implements Completion {
    private static final long HIGHEST_LATENCY_NS = TimeUnit.MINUTES.toNanos(10);
    private static final long FULL_WINDOW_PARK_NS = 20_000;
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);

    private final ReplicatedSystem system;
    private final HarnessOptions options;
    private final PrintStream progress;
    private final byte[] payload;
    private final AtomicInteger outstanding = new AtomicInteger();
    /** Open loop: the index of the next request to send. */
    private final AtomicLong nextRequest = new AtomicLong();
    private final Recorder latencyNs = new Recorder(HIGHEST_LATENCY_NS, 3);
    private final LongAdder committedInWindow = new LongAdder();
    private final LongAdder committedTotal = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final AtomicReference<String> lastFailure = new AtomicReference<>("");
    private final AtomicReference<Throwable> submitterError = new AtomicReference<>();
    private final AtomicLong backPressured = new AtomicLong();
    private volatile long windowStartNs = Long.MAX_VALUE;
    private volatile long windowEndNs = Long.MAX_VALUE;
    private Histogram window;
    private long measuredNs;
    private int undrained;

    public LoadDriver(ReplicatedSystem system, HarnessOptions options, PrintStream progress) {
        this.system = system;
        this.options = options;
        this.progress = progress;
        this.payload = new byte[options.payloadBytes()];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
    }

    /**
     * Runs warm-up and measurement, then waits (bounded) for outstanding requests to finish.
     *
     * @throws IllegalStateException if a submitter thread failed (the system's submit threw)
     */
    public void run() {
        final long t0 = System.nanoTime();
        final long warmupEndNs = t0 + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
        final long endNs = warmupEndNs + TimeUnit.SECONDS.toNanos(options.seconds());
        windowStartNs = warmupEndNs;
        windowEndNs = endNs;
        final long intervalNs = options.rate() > 0 ? Math.max(1, 1_000_000_000L / options.rate()) : 0;
        final List<Thread> submitters = new ArrayList<>();
        for (int k = 0; k < options.submitters(); k++) {
            final Thread t = new Thread(() -> submitLoop(t0, endNs, intervalNs), "harness-submitter-" + k);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> submitterError.compareAndSet(null, e));
            submitters.add(t);
        }
        submitters.forEach(Thread::start);
        long nextReportNs = t0 + 1_000_000_000L;
        long lastReportCommitted = 0;
        long nowNs;
        while ((nowNs = System.nanoTime()) < endNs && submitterError.get() == null) {
            if (nowNs >= nextReportNs) {
                final long c = committedTotal.sum();
                progress.printf(Locale.ROOT, "%s t=%ds %s commits/s=%d outstanding=%d failed=%d%n", system.name(),
                    (nowNs - t0) / 1_000_000_000L, nowNs < warmupEndNs ? "warmup " : "measure", c - lastReportCommitted,
                    outstanding.get(), failed.sum());
                lastReportCommitted = c;
                nextReportNs += 1_000_000_000L;
            }
            // Only completions inside the window are recorded (onCommitted), so nothing of the warm-up needs dropping.
            LockSupport.parkNanos(Math.max(1, Math.min(endNs, nextReportNs) - nowNs));
        }
        for (Thread t : submitters) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("driver interrupted", e);
            }
        }
        if (submitterError.get() != null) {
            throw new IllegalStateException("a submitter thread failed: " + submitterError.get(), submitterError.get());
        }
        window = latencyNs.getIntervalHistogram();
        measuredNs = endNs - warmupEndNs;
        final long drainEndNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (outstanding.get() > 0 && System.nanoTime() < drainEndNs) {
            LockSupport.parkNanos(1_000_000L);
        }
        undrained = Math.max(0, outstanding.get());
    }

    /** One submitter thread: claims a slot, submits, until the run ends. */
    private void submitLoop(long t0, long endNs, long intervalNs) {
        while (true) {
            final long startNs;
            if (intervalNs > 0) {
                startNs = t0 + nextRequest.getAndIncrement() * intervalNs;
                if (startNs >= endNs || !waitUntil(startNs, endNs)) {
                    return;
                }
            } else {
                if (System.nanoTime() >= endNs) {
                    return;
                }
                startNs = 0; // taken after the slot
            }
            if (!claimSlot(endNs)) {
                return;
            }
            final long sendNs = intervalNs > 0 ? startNs : System.nanoTime();
            if (!submit(sendNs, endNs)) {
                outstanding.decrementAndGet();
                return;
            }
            sent.increment();
        }
    }

    /** Parks until {@code dueNs}; returns false if {@code limitNs} came first. */
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

    /** Takes one of the {@code inflight} slots; false if the run ended first. */
    private boolean claimSlot(long endNs) {
        final int limit = options.inflight();
        int idle = 0;
        while (true) {
            final int o = outstanding.get();
            if (o < limit) {
                if (outstanding.compareAndSet(o, o + 1)) {
                    return true;
                }
                continue;
            }
            if (++idle < 50) {
                Thread.onSpinWait();
            } else if (idle < 60) {
                Thread.yield();
            } else {
                if (System.nanoTime() >= endNs) {
                    return false;
                }
                LockSupport.parkNanos(FULL_WINDOW_PARK_NS);
            }
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
        outstanding.decrementAndGet();
    }

    @Override
    public void onFailed(long startNs, String reason) {
        failed.increment();
        lastFailure.set(reason);
        outstanding.decrementAndGet();
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
        return sent.sum();
    }

    /** Requests still outstanding when the drain gave up (0 when all finished). */
    public int undrained() {
        return undrained;
    }
}
