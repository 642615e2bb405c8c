package io.pontoon.bench.cluster;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One JMH trial of a load benchmark: the cluster, the shared {@link LoadStats}, and the result line written when
 * the trial ends ({@link ResultsFile}). The benchmark classes hold the JMH annotations and parameters and
 * delegate here, so that throughput, fault and latency benchmarks measure and report alike.
 *
 * <p>Threads: built, iterated and closed by JMH's set-up/tear-down thread; clients are created by their own
 * worker threads ({@link #newWindowClient}, synchronized).
 */
final class LoadTrial implements AutoCloseable {
    private static final long DRAIN_TIMEOUT_S = 15;
    private final String benchmark;
    private final ClusterFixture fixture;
    private final LoadStats stats = new LoadStats();
    private final Map<String, String> loadFields = new LinkedHashMap<>();
    private final long droppedAtStart;
    private final List<Supplier<Map<String, String>>> resultFields = new ArrayList<>();
    private volatile Histogram lastIteration;
    private boolean measuredIteration;
    private BatchCounters iterationStartCounters = BatchCounters.ZERO;
    /** Batching counters summed over the measured iterations only (warm-up and gaps left out). */
    private BatchCounters measuredCounters = BatchCounters.ZERO;

    /**
     * @param benchmark  the result's {@code bench=} field: throughput, fault or latency
     * @param loadFields how the load was made (inflight, clients, rate), written after the settings
     */
    LoadTrial(String benchmark, ClusterFixture.TrialSettings settings, Map<String, String> loadFields) {
        this.benchmark = benchmark;
        this.loadFields.putAll(loadFields);
        this.fixture = ClusterFixture.start(settings);
        this.droppedAtStart = fixture.droppedFrames();
    }

    ClusterFixture fixture() {
        return fixture;
    }

    LoadStats stats() {
        return stats;
    }

    synchronized WindowClient newWindowClient(int window) {
        return new WindowClient(fixture, stats, window);
    }

    void beginIteration(boolean measured) {
        measuredIteration = measured;
        stats.beginIteration(measured);
        iterationStartCounters = fixture.batchCounters();
    }

    void endIteration() {
        lastIteration = stats.endIteration();
        if (measuredIteration) {
            measuredCounters = measuredCounters.plus(fixture.batchCounters().minus(iterationStartCounters));
        }
    }

    boolean measuredIteration() {
        return measuredIteration;
    }

    /** Percentile {@code p} of the last finished iteration, in microseconds (JMH secondary results). */
    double lastIterationMicros(double p) {
        final Histogram h = lastIteration;
        if (h == null || h.getTotalCount() == 0) {
            return 0;
        }
        return (p >= 100 ? h.getMaxValue() : h.getValueAtPercentile(p)) / 1000.0;
    }

    /** Fields a load generator adds to the result line, asked for when the trial finishes. */
    synchronized void addResultFields(Supplier<Map<String, String>> fields) {
        resultFields.add(fields);
    }

    /**
     * Waits for the outcomes of the proposals still in flight (up to {@value #DRAIN_TIMEOUT_S} s), writes the
     * trial's result line, then stops the cluster and deletes its journals.
     */
    synchronized void finish() {
        try {
            final long unanswered = stats.awaitDrained(TimeUnit.SECONDS.toNanos(DRAIN_TIMEOUT_S));
            final Map<String, String> f = new LinkedHashMap<>();
            f.put("bench", benchmark);
            f.putAll(fixture.describeFields());
            f.putAll(loadFields);
            f.putAll(stats.resultFields());
            f.putAll(measuredCounters.fields());
            f.put("dropped_frames", Long.toString(fixture.droppedFrames() - droppedAtStart));
            f.put("unanswered_at_end", Long.toString(unanswered));
            resultFields.forEach(s -> f.putAll(s.get()));
            f.putAll(MachineInfo.fields());
            ResultsFile.write(f);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        fixture.close();
    }
}
