package io.pontoon.bench.cluster;

import io.pontoon.storage.Durability;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Commit latency at a fixed offered load, free of coordinated omission ({@link OpenLoopSender}): one sender thread
 * offers {@code rate} proposals per second to the leader of a real cluster ({@link ClusterFixture}); each
 * proposal's latency runs from its intended send time to its commit acknowledgement. One operation is one
 * proposal, so JMH's score is the rate actually offered (it falls below {@code rate} when the cluster cannot keep
 * up: the latencies then grow with the backlog, as they should).
 *
 * <p>Pick {@code rate} as a fraction of the peak that {@link ClusterThroughputBenchmark} measures on the same
 * machine ({@code pontoon bench-report} uses 10%, 50% and 90%). Secondary results per iteration: {@code p50Us},
 * {@code p99Us}, {@code p999Us}, {@code maxUs} (JMH averages them over iterations); the RESULT line
 * ({@link ResultsFile}) has the percentiles over all measured commits, the full percentile curve and the
 * sender's own lag behind schedule ({@code send_lag_*}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ClusterLatencyBenchmark -p rate=20000,100000 -p durability=PAGE_CACHE
 * java -jar benchmarks/target/benchmarks.jar ClusterLatencyBenchmark -p rate=50000 -p lossPercent=1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {
    BenchFlags.AGRONA_MISC, BenchFlags.NIO_CH, BenchFlags.INTERNAL_REF, BenchFlags.INTERNAL_UTIL,
    BenchFlags.SUN_MISC, BenchFlags.OPEN_LANG, BenchFlags.OPEN_REFLECT, BenchFlags.OPEN_IO, BenchFlags.OPEN_UTIL,
    BenchFlags.NO_ANALYTICS, BenchFlags.NO_ANNOUNCER, BenchFlags.QUIET_LOG, BenchFlags.HEAP_MIN, BenchFlags.HEAP_MAX})
public class ClusterLatencyBenchmark {
    @Param({"3"})
    int nodes;

    @Param({"128"})
    int payloadBytes;

    @Param({"PAGE_CACHE", "SYNC"})
    Durability durability;

    /** Offered load, proposals per second (all sender threads together). */
    @Param({"10000", "50000", "100000"})
    long rate;

    /** Percent of frames dropped on send (see {@link ClusterFaultBenchmark}). */
    @Param({"0"})
    double lossPercent;

    /** Fixed delay added to every frame on send, microseconds. */
    @Param({"0"})
    long delayUs;

    LoadTrial trial;

    @Setup(Level.Trial)
    public void start() {
        final Map<String, String> load = new LinkedHashMap<>();
        load.put("rate", Long.toString(rate));
        load.put("inflight_max", Integer.toString(OpenLoopSender.MAX_IN_FLIGHT));
        load.put("clients", "1");
        trial = new LoadTrial("latency",
            new ClusterFixture.TrialSettings(nodes, payloadBytes, durability, lossPercent, delayUs), load);
    }

    @Setup(Level.Iteration)
    public void beginIteration(IterationParams params) {
        trial.beginIteration(params.getType() == IterationType.MEASUREMENT);
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        trial.endIteration();
    }

    @TearDown(Level.Trial)
    public void finish() {
        trial.finish();
    }

    @Benchmark
    public void propose(Sender sender) {
        sender.sender.sendNext();
    }

    /**
     * The sender thread's schedule. Its secondary results are the latency percentiles of the iteration just
     * finished, in microseconds (read by JMH after the iteration's tear-down).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Sender {
        OpenLoopSender sender;
        private LoadTrial trial;

        @Setup(Level.Trial)
        public void start(ClusterLatencyBenchmark bench, BenchmarkParams params) {
            trial = bench.trial;
            sender = new OpenLoopSender(trial.fixture(), trial.stats(), Math.max(1, bench.rate / params.getThreads()));
            trial.addResultFields(() -> {
                final Map<String, String> lag = new LinkedHashMap<>();
                LoadStats.percentiles(sender.measuredSendLagNs()).forEach((k, v) -> lag.put("send_lag_" + k, v));
                return lag;
            });
        }

        @Setup(Level.Iteration)
        public void beginIteration() {
            sender.restartSchedule();
        }

        @TearDown(Level.Iteration)
        public void endIteration() {
            sender.endIteration(trial.measuredIteration());
        }

        public double p50Us() {
            return trial.lastIterationMicros(50);
        }

        public double p99Us() {
            return trial.lastIterationMicros(99);
        }

        public double p999Us() {
            return trial.lastIterationMicros(99.9);
        }

        public double maxUs() {
            return trial.lastIterationMicros(100);
        }
    }
}
