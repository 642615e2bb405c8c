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

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link ClusterThroughputBenchmark}'s load under network faults: every frame a node sends is dropped with
 * probability {@code lossPercent}% and/or delayed by {@code delayUs} by the Netty fault-injection handler
 * ({@code NettyLoopbackFabric.dropProbability/delay}), switched on after the leader's first commit. TCP does not
 * resend a dropped frame (it never reaches the socket): Raft must notice the gap and resend, as over a lossy
 * network. Read the secondary result {@code committed}; the RESULT line adds {@code dropped_frames} to show the
 * loss happened.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ClusterFaultBenchmark
 * java -jar benchmarks/target/benchmarks.jar ClusterFaultBenchmark -p lossPercent=1 -p delayUs=0
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 2)
@Threads(2)
@Fork(value = 1, jvmArgsAppend = {
    BenchFlags.AGRONA_MISC, BenchFlags.NIO_CH, BenchFlags.INTERNAL_REF, BenchFlags.INTERNAL_UTIL,
    BenchFlags.SUN_MISC, BenchFlags.OPEN_LANG, BenchFlags.OPEN_REFLECT, BenchFlags.OPEN_IO, BenchFlags.OPEN_UTIL,
    BenchFlags.NO_ANALYTICS, BenchFlags.NO_ANNOUNCER, BenchFlags.QUIET_LOG, BenchFlags.HEAP_MIN, BenchFlags.HEAP_MAX})
public class ClusterFaultBenchmark {
    @Param({"3"})
    int nodes;

    @Param({"128"})
    int payloadBytes;

    @Param({"PAGE_CACHE"})
    Durability durability;

    /** Proposals in flight across all client threads (each thread keeps its share, at least one). */
    @Param({"256"})
    int inflight;

    /** Percent of frames each node's fault handler drops on send (every link, both directions). */
    @Param({"0", "1", "5"})
    double lossPercent;

    /** Fixed delay added to every frame on send, microseconds (no jitter, so frames stay in order). */
    @Param({"0", "1000"})
    long delayUs;

    LoadTrial trial;
    private int perClient;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) {
        perClient = Math.max(1, inflight / params.getThreads());
        trial = new LoadTrial("fault",
            new ClusterFixture.TrialSettings(nodes, payloadBytes, durability, lossPercent, delayUs),
            Map.of("inflight", Integer.toString(perClient * params.getThreads()),
                "clients", Integer.toString(params.getThreads())));
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
    public void propose(Client client) {
        client.client.proposeOne();
    }

    /** One client thread's proposals; its counters are JMH secondary results (per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Client {
        WindowClient client;
        private long committedAtStart;
        private long failedAtStart;

        @Setup(Level.Trial)
        public void start(ClusterFaultBenchmark bench) {
            client = bench.trial.newWindowClient(bench.perClient);
        }

        @Setup(Level.Iteration)
        public void beginIteration() {
            committedAtStart = client.committed();
            failedAtStart = client.failed();
        }

        /** Proposals committed (acknowledged OK) during the iteration. */
        public long committed() {
            return client.committed() - committedAtStart;
        }

        /** Proposals that failed (NOT_LEADER, REJECTED_BUSY, ...) during the iteration. */
        public long failed() {
            return client.failed() - failedAtStart;
        }
    }
}
