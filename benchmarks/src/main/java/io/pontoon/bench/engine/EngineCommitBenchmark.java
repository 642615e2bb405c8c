package io.pontoon.bench.engine;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.engine.RaftEngine;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Committed entries per second of the Raft engine alone: three {@link RaftEngine}s wired in one thread
 * (no runtime, no threads, no I/O), in-memory logs durable on append. One operation = one entry: each
 * invocation proposes {@link #BATCH} entries on the leader, then runs duty cycles and delivers messages
 * until the leader has committed the last one. Logs are compacted as entries are applied everywhere, so
 * memory stays bounded and steady state should allocate nothing ({@code -prof gc}: gc.alloc.rate.norm).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar EngineCommitBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// The Agrona flag (parent pom property agrona.jvm.flags).
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
public class EngineCommitBenchmark {
    static final int BATCH = 1000;
    private static final int NODES = 3;

    @Param({"16", "128"})
    int entryBytes;

    private EngineCluster cluster;
    private RaftEngine leader;
    private UnsafeBuffer payload;
    private long tag;

    @Setup(Level.Trial)
    public void setUp() {
        cluster = new EngineCluster(NODES, RaftConfig.defaults(), 42);
        leader = cluster.electLeader();
        payload = new UnsafeBuffer(new byte[entryBytes]);
        for (int i = 0; i < entryBytes; i++) {
            payload.putByte(i, (byte) i);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long proposeAndCommit() {
        long lastIndex = 0;
        for (int i = 0; i < BATCH; i++) {
            lastIndex = propose();
        }
        cluster.commitThrough(leader, lastIndex);
        cluster.compact();
        return lastIndex;
    }

    /** Proposes one entry on the leader; on back-pressure or a leader change, runs rounds and retries. */
    private long propose() {
        while (true) {
            final long index = leader.propose(payload, 0, entryBytes, ++tag);
            if (index > 0) {
                return index;
            }
            if (index == -ResultCode.NOT_LEADER.ordinal()) {
                leader = cluster.electLeader();
            } else if (index == -ResultCode.REJECTED_BUSY.ordinal()) {
                cluster.commitThrough(leader, leader.commitIndex() + 1);
            } else {
                throw new IllegalStateException("propose failed: " + ResultCode.of((int) -index));
            }
        }
    }

    /** Guards against a benchmark that measures nothing: every proposal committed and applied everywhere. */
    @TearDown(Level.Trial)
    public void check() {
        if (cluster.failedProposals() != 0) {
            throw new IllegalStateException(cluster.failedProposals() + " proposals failed");
        }
        final long appliedOnLeader = leader.lastApplied();
        if (appliedOnLeader < tag || cluster.committedEntries() < 2 * tag) {
            throw new IllegalStateException("proposed " + tag + " entries but the leader applied up to "
                + appliedOnLeader + " and the listeners saw " + cluster.committedEntries() + " commits");
        }
        System.out.printf("%n[check] %d entries proposed, %d commits seen on %d nodes, %d messages delivered%n",
            tag, cluster.committedEntries(), NODES, cluster.messagesDelivered());
    }
}
