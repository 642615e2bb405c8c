package io.pontoon.bench.journal;

import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.Durability;
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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Journal append throughput through the whole {@link ChronicleLogStore} path: the Raft thread (the benchmark
 * thread) appends {@value JournalBenchSupport#BATCH} entries, then waits until the journal thread reports them
 * durable. One op = one entry, so the score is entries/s; MB/s = score x payloadBytes / 1e6.
 * {@link FileChannelBaselineBenchmark} measures the same batches through a raw FileChannel in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    JournalBenchSupport.AGRONA_MISC, JournalBenchSupport.NIO_CH, JournalBenchSupport.INTERNAL_REF,
    JournalBenchSupport.INTERNAL_UTIL, JournalBenchSupport.SUN_MISC, JournalBenchSupport.OPEN_LANG,
    JournalBenchSupport.OPEN_REFLECT, JournalBenchSupport.OPEN_IO, JournalBenchSupport.OPEN_UTIL,
    JournalBenchSupport.NO_ANALYTICS, JournalBenchSupport.NO_ANNOUNCER, JournalBenchSupport.QUIET_LOG})
public class JournalAppendBenchmark {
    @Param({"16", "128", "1024"})
    int payloadBytes;

    @Param({"SYNC", "PAGE_CACHE"})
    Durability durability;

    private Path dir;
    private ChronicleLogStore store;
    private UnsafeBuffer payload;

    @Setup(Level.Trial)
    public void open() {
        dir = JournalBenchSupport.scratchDirectory("pontoon-journal-bench");
        store = JournalBenchSupport.openStore(dir, durability);
        payload = JournalBenchSupport.payload(payloadBytes);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        JournalBenchSupport.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(JournalBenchSupport.BATCH)
    public long appendBatchUntilDurable() {
        return JournalBenchSupport.appendAndAwaitDurable(store, payload, JournalBenchSupport.BATCH);
    }
}
