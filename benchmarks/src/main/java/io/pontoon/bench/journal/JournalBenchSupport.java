package io.pontoon.bench.journal;

import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Shared pieces of the journal benchmarks: the JVM flags every fork needs (the same as the parent pom's
 * {@code agrona.jvm.flags} and {@code chronicle.jvm.flags}), a scratch directory on the real disk, and the
 * append-a-batch-then-wait-for-durable step.
 */
final class JournalBenchSupport {
    static final String AGRONA_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String INTERNAL_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String INTERNAL_UTIL = "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED";
    static final String SUN_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    static final String OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    static final String NO_ANNOUNCER = "-Dchronicle.announcer.disable=true";
    static final String QUIET_LOG = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn";

    /** Entries appended per benchmark invocation: the proposals pending when the journal thread group-commits. */
    static final int BATCH = 1000;
    /** Journal kept behind the tail; older one-second files are deleted so a run does not fill the disk. */
    static final long RETAINED_ENTRIES = 200_000;

    private JournalBenchSupport() {
    }

    static Path scratchDirectory(String prefix) {
        try {
            // Under the working directory (the real disk), not /dev/shm: msync cost is what is measured.
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChronicleLogStore openStore(Path dir, Durability durability) {
        return ChronicleLogStore.open(options(dir, durability).build());
    }

    static ChronicleLogStoreOptions.Builder options(Path dir, Durability durability) {
        return ChronicleLogStoreOptions.builder(dir)
            .durability(durability)
            // One file per second, so deleteBefore can keep the journal small during long runs.
            .rollCycle(TestRollCycles.TEST_SECONDLY);
    }

    static UnsafeBuffer payload(int bytes) {
        final byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        return new UnsafeBuffer(data);
    }

    /** Appends {@code count} entries after the store's last one, then spins until they are durable. */
    static long appendAndAwaitDurable(ChronicleLogStore store, UnsafeBuffer payload, int count) {
        long index = store.lastIndex();
        for (int i = 0; i < count; i++) {
            store.append(++index, 1, payload, 0, payload.capacity());
        }
        // Spin briefly, then yield: on a small shared machine a pure spin starves the journal thread it waits for.
        for (int spins = 0; store.durableIndex() < index; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        if (index % (50 * BATCH) < count) {
            store.deleteBefore(index - RETAINED_ENTRIES);
        }
        return index;
    }

    static void deleteRecursively(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
