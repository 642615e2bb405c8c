package io.pontoon.bench.journal;

import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import org.agrona.concurrent.UnsafeBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Group-commit latency: time from appending a batch of {@code batchEntries} entries on the Raft thread until
 * {@code durableIndex()} covers the last of them (journal thread wake-up, write, fdatasync on the sync thread in SYNC, publication).
 * Sample mode, so JMH prints p50/p90/p99/p99.9 per batch. 128-byte payloads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {
    JournalBenchSupport.AGRONA_MISC, JournalBenchSupport.NIO_CH, JournalBenchSupport.INTERNAL_REF,
    JournalBenchSupport.INTERNAL_UTIL, JournalBenchSupport.SUN_MISC, JournalBenchSupport.OPEN_LANG,
    JournalBenchSupport.OPEN_REFLECT, JournalBenchSupport.OPEN_IO, JournalBenchSupport.OPEN_UTIL,
    JournalBenchSupport.NO_ANALYTICS, JournalBenchSupport.NO_ANNOUNCER, JournalBenchSupport.QUIET_LOG})
public class GroupCommitLatencyBenchmark {
    @Param({"1", "100", "1000"})
    int batchEntries;

    @Param({"SYNC", "PAGE_CACHE"})
    Durability durability;

    /**
     * How batches reach the file (ChronicleLogStoreOptions.positionalWrites): "default" is the durability's own
     * choice (pwrite in SYNC, mapped in PAGE_CACHE); "mapped" and "pwrite" force one. In SYNC, compare the two
     * to see what an fdatasync of pages dirtied through the mapping costs.
     */
    @Param({"default"})
    String writes;

    private Path dir;
    private ChronicleLogStore store;
    private UnsafeBuffer payload;

    @Setup(Level.Trial)
    public void open() {
        dir = JournalBenchSupport.scratchDirectory("pontoon-commit-latency-bench");
        final ChronicleLogStoreOptions.Builder options = JournalBenchSupport.options(dir, durability);
        switch (writes) {
            case "default" -> { }
            case "mapped" -> options.positionalWrites(false);
            case "pwrite" -> options.positionalWrites(true);
            default -> throw new IllegalArgumentException("writes must be default, mapped or pwrite, was " + writes);
        }
        store = ChronicleLogStore.open(options.build());
        payload = JournalBenchSupport.payload(128);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        JournalBenchSupport.deleteRecursively(dir);
    }

    @Benchmark
    public long appendUntilDurable() {
        return JournalBenchSupport.appendAndAwaitDurable(store, payload, batchEntries);
    }
}
