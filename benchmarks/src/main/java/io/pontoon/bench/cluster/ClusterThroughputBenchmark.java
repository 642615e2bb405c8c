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
 * End-to-end commit throughput of a real cluster: {@code nodes} Raft nodes in one JVM over Netty on loopback,
 * Chronicle journals in a temporary directory ({@link ClusterFixture}). Each JMH thread is a client that keeps
 * {@code inflight / threads} proposals in flight on the leader with the allocation-free propose
 * ({@link WindowClient}); one operation is one proposal.
 *
 * <p>Read the secondary result {@code committed} (commits acknowledged to the clients per second); the primary
 * score counts proposals sent, which equals it in steady state unless proposals fail ({@code failed}). Each
 * trial also prints and appends a {@code RESULT} line ({@link ResultsFile}) with the median commits/s of the
 * measurement iterations, the closed-loop commit latency percentiles (commit − send), payload, nodes,
 * durability, JDK and machine.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ClusterThroughputBenchmark -prof gc
 * java -jar benchmarks/target/benchmarks.jar ClusterThroughputBenchmark -p nodes=3 -p payloadBytes=128 \
 *      -p durability=PAGE_CACHE -p inflight=256 -t 2
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
public class ClusterThroughputBenchmark {
    @Param({"3", "5"})
    int nodes;

    @Param({"16", "128", "1024"})
    int payloadBytes;

    @Param({"PAGE_CACHE", "SYNC"})
    Durability durability;

    /** Proposals in flight across all client threads (each thread keeps its share, at least one). */
    @Param({"64", "256", "1024"})
    int inflight;

    /**
     * Issue 13: PontoonMetrics bound on every node and scraped once a second (true), or no metrics (false). Compare
     * both in one run: {@code -p nodes=3 -p payloadBytes=128 -p durability=PAGE_CACHE -p inflight=256
     * -p metrics=false,true}.
     */
    @Param({"false"})
    boolean metrics;

    LoadTrial trial;
    private int perClient;
    private Thread scraper;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) {
        perClient = Math.max(1, inflight / params.getThreads());
        trial = new LoadTrial("throughput", new ClusterFixture.TrialSettings(nodes, payloadBytes, durability, 0, 0),
            Map.of("inflight", Integer.toString(perClient * params.getThreads()),
                "clients", Integer.toString(params.getThreads()), "metrics", Boolean.toString(metrics)));
        if (metrics) {
            scraper = trial.fixture().bindMetrics();
        }
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
        if (scraper != null) {
            scraper.interrupt();
        }
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
        public void start(ClusterThroughputBenchmark bench) {
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
