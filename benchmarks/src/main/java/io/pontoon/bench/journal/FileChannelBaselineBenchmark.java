package io.pontoon.bench.journal;

import io.pontoon.storage.Durability;
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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The baseline for {@link JournalAppendBenchmark}: the same batches of {@value JournalBenchSupport#BATCH}
 * entries (a 16-byte index/term header plus the payload each) framed into one buffer and written with one
 * {@code FileChannel.write}; in SYNC mode followed by {@code force(false)} (fdatasync), in PAGE_CACHE mode not.
 * Single-threaded, no checksum, no index: the cost of the disk alone. Score: entries/s.
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
public class FileChannelBaselineBenchmark {
    /** The file restarts (truncate to 0) past this size, so a long run does not fill the disk. */
    private static final long MAX_FILE_BYTES = 256L << 20;

    @Param({"16", "128", "1024"})
    int payloadBytes;

    @Param({"SYNC", "PAGE_CACHE"})
    Durability durability;

    private Path dir;
    private FileChannel channel;
    private ByteBuffer batch;
    private long index;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = JournalBenchSupport.scratchDirectory("pontoon-filechannel-bench");
        channel = FileChannel.open(dir.resolve("baseline.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        batch = ByteBuffer.allocateDirect(JournalBenchSupport.BATCH * (16 + payloadBytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
        JournalBenchSupport.deleteRecursively(dir);
    }

    @Benchmark
    @OperationsPerInvocation(JournalBenchSupport.BATCH)
    public long writeBatch() throws IOException {
        batch.clear();
        for (int i = 0; i < JournalBenchSupport.BATCH; i++) {
            batch.putLong(++index).putLong(1);
            for (int b = 0; b < payloadBytes; b += 8) {
                if (payloadBytes - b >= 8) {
                    batch.putLong(index + b);
                } else {
                    for (int r = b; r < payloadBytes; r++) {
                        batch.put((byte) r);
                    }
                }
            }
        }
        batch.flip();
        while (batch.hasRemaining()) {
            channel.write(batch);
        }
        if (durability == Durability.SYNC) {
            channel.force(false);
        }
        if (channel.position() > MAX_FILE_BYTES) {
            channel.truncate(0);
            channel.position(0);
        }
        return index;
    }
}
