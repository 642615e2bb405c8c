package io.pontoon.bench.cluster;

import io.pontoon.ResultCode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Commits, failures and commit latencies of one trial. Throughput is counted per JMH iteration (measurement
 * iterations only). The trial's latency histogram holds every request sent (or due, in the open loop) from the
 * start of the first measurement iteration on, whenever it completes: a request of the warm-up that completes late
 * is left out, and a request of the last iteration that completes after it is still counted
 * ({@link #awaitDrained} waits for those). Each iteration's own histogram (JMH secondary results) holds what
 * completed during it.
 *
 * <p>Threads: {@link #onSent} by client threads; {@link #onCommitted} and {@link #onFailed} by Raft threads
 * (allocation-free: HdrHistogram's {@link Recorder} is wait-free); the iteration and result methods by the JMH
 * thread that runs iteration set-up and tear-down.
 */
final class LoadStats {
    /** Highest latency the histograms track: a minute (a stalled request is clamped there, not lost). */
    static final long HIGHEST_LATENCY_NS = 60_000_000_000L;
    /** Percentiles written for the latency curves of the report. */
    static final double[] CURVE_PERCENTILES = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};

    private final LongAdder sent = new LongAdder();
    private final LongAdder committed = new LongAdder();
    private final AtomicLongArray failures = new AtomicLongArray(ResultCode.values().length);
    private final Recorder latencyNs = new Recorder(1, HIGHEST_LATENCY_NS, 3);
    private Histogram interval;
    /** Latencies of requests started at or after {@link #recordFromNs}. */
    private final Recorder measuredLatencyNs = new Recorder(1, HIGHEST_LATENCY_NS, 3);
    private volatile long recordFromNs = Long.MAX_VALUE;
    private final List<Double> measuredRates = new ArrayList<>();
    private long iterationStartNs;
    private long iterationStartCommitted;
    private long iterationStartFailed;
    private long measuredCommitted;
    private long measuredFailed;
    private double measuredSeconds;
    private boolean measuring;

    /** Client thread: a proposal was handed to the leader. */
    void onSent() {
        sent.increment();
    }

    /** Raft thread: a proposal sent (or due, open loop) at {@code startNs} committed at {@code nowNs}. */
    void onCommitted(long startNs, long nowNs) {
        committed.increment();
        final long latency = Math.max(1, Math.min(HIGHEST_LATENCY_NS, nowNs - startNs));
        latencyNs.recordValue(latency);
        if (startNs >= recordFromNs) {
            measuredLatencyNs.recordValue(latency);
        }
    }

    /** Raft thread: a proposal failed (counted; the load generator sends another). */
    void onFailed(ResultCode code) {
        failures.incrementAndGet(code.ordinal());
    }

    /** Proposals sent and not yet answered. */
    long inFlight() {
        return sent.sum() - committed.sum() - failed();
    }

    /** Trial end: waits (up to {@code timeoutNs}) until every proposal sent has its outcome; returns those left. */
    long awaitDrained(long timeoutNs) {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (inFlight() > 0 && System.nanoTime() < deadlineNs) {
            LockSupport.parkNanos(1_000_000L);
        }
        return Math.max(0, inFlight());
    }

    long committed() {
        return committed.sum();
    }

    long failed() {
        long sum = 0;
        for (int i = 0; i < failures.length(); i++) {
            sum += failures.get(i);
        }
        return sum;
    }

    /** JMH iteration set-up. Latencies recorded before now (warm-up, the gap between iterations) are dropped. */
    void beginIteration(boolean measured) {
        if (measured && recordFromNs == Long.MAX_VALUE) {
            recordFromNs = System.nanoTime();
        }
        interval = latencyNs.getIntervalHistogram(interval);
        measuring = measured;
        iterationStartCommitted = committed();
        iterationStartFailed = failed();
        iterationStartNs = System.nanoTime();
    }

    /** JMH iteration tear-down: the iteration's histogram (reused buffer; valid until the next call). */
    Histogram endIteration() {
        final double seconds = (System.nanoTime() - iterationStartNs) / 1e9;
        final long commits = committed() - iterationStartCommitted;
        interval = latencyNs.getIntervalHistogram(interval);
        if (measuring) {
            measuredRates.add(commits / seconds);
            measuredCommitted += commits;
            measuredFailed += failed() - iterationStartFailed;
            measuredSeconds += seconds;
        }
        return interval;
    }

    /**
     * The trial's result fields: commits/s as the median of the measurement iterations (with min and max),
     * latency percentiles of the requests started since the first measurement iteration, counts, failures.
     * Call once, after {@link #awaitDrained}.
     */
    Map<String, String> resultFields() {
        final Histogram measured = measuredLatencyNs.getIntervalHistogram();
        final Map<String, String> f = new LinkedHashMap<>();
        final double[] rates = measuredRates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        f.put("ops_per_sec", rates.length == 0 ? "0" : fmt0(median(rates)));
        f.put("ops_min", rates.length == 0 ? "0" : fmt0(rates[0]));
        f.put("ops_max", rates.length == 0 ? "0" : fmt0(rates[rates.length - 1]));
        f.put("ops_mean", measuredSeconds == 0 ? "0" : fmt0(measuredCommitted / measuredSeconds));
        f.put("iterations", Integer.toString(rates.length));
        f.put("measured_s", String.format(Locale.ROOT, "%.1f", measuredSeconds));
        f.put("committed", Long.toString(measuredCommitted));
        f.put("failed", Long.toString(measuredFailed));
        final StringBuilder codes = new StringBuilder();
        for (ResultCode c : ResultCode.values()) {
            if (c != ResultCode.OK && failures.get(c.ordinal()) > 0) {
                codes.append(codes.length() == 0 ? "" : ",").append(c).append(':').append(failures.get(c.ordinal()));
            }
        }
        f.put("failures", codes.length() == 0 ? "none" : codes.toString());
        f.put("latency_samples", Long.toString(measured.getTotalCount()));
        f.putAll(percentiles(measured));
        f.put("curve", curve(measured));
        return f;
    }

    /** p50/p99/p99.9/max in microseconds, one decimal. */
    static Map<String, String> percentiles(Histogram h) {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("p50_us", micros(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50)));
        f.put("p99_us", micros(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99)));
        f.put("p999_us", micros(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99.9)));
        f.put("max_us", micros(h.getMaxValue()));
        return f;
    }

    /** {@code percentile:micros/percentile:micros/...} for the report's percentile curves. */
    static String curve(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "none";
        }
        final StringBuilder sb = new StringBuilder();
        for (double p : CURVE_PERCENTILES) {
            final long v = p == 100 ? h.getMaxValue() : h.getValueAtPercentile(p);
            sb.append(sb.length() == 0 ? "" : "/").append(p).append(':').append(micros(v));
        }
        return sb.toString();
    }

    static String micros(long ns) {
        return String.format(Locale.ROOT, "%.1f", ns / 1000.0);
    }

    private static String fmt0(double v) {
        return Long.toString(Math.round(v));
    }

    private static double median(double[] sorted) {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
