package io.pontoon.storage;

import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.nio.file.Path;

/**
 * Immutable, validated settings of a {@link ChronicleLogStore}. Build with {@link #builder(Path)}; a bad value
 * fails in {@link Builder#build()} with a message naming the field and its allowed range.
 *
 * <p>Defaults: {@link Durability#SYNC}, {@link RollCycles#FAST_HOURLY}, a 16 MiB journal ring, a 16 MiB
 * recent-entry cache, group commits of at most 4096 ring commands, a commit-index hint record at most every 100 ms.
 */
public final class ChronicleLogStoreOptions {
    public static final int MIN_RING_CAPACITY_BYTES = 64 * 1024;
    public static final int MAX_RING_CAPACITY_BYTES = 1 << 30;
    public static final int DEFAULT_RING_CAPACITY_BYTES = 16 * 1024 * 1024;
    public static final int MAX_CACHE_CAPACITY_BYTES = 1 << 30;
    public static final int DEFAULT_CACHE_CAPACITY_BYTES = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH_RECORDS = 4096;
    public static final int MAX_MAX_BATCH_RECORDS = 1 << 20;
    public static final long DEFAULT_COMMIT_HINT_INTERVAL_NS = 100_000_000L;
    /** Pre-touch window when none is set and the durability is PAGE_CACHE; SYNC defaults to 0 (docs/STORAGE.md). */
    public static final int DEFAULT_PRETOUCH_WINDOW_BYTES = 8 * 1024 * 1024;
    public static final int MAX_PRETOUCH_WINDOW_BYTES = 256 * 1024 * 1024;

    private final Path directory;
    private final Durability durability;
    private final RollCycle rollCycle;
    private final int ringCapacityBytes;
    private final int cacheCapacityBytes;
    private final int maxBatchRecords;
    private final long commitHintIntervalNs;
    private final long slowSyncNs;
    private final int pretouchWindowBytes;
    private final boolean positionalWrites;
    private final TimeProvider timeProvider;

    private ChronicleLogStoreOptions(Builder b) {
        this.directory = b.directory;
        this.durability = b.durability;
        this.rollCycle = b.rollCycle;
        this.ringCapacityBytes = b.ringCapacityBytes;
        this.cacheCapacityBytes = b.cacheCapacityBytes;
        this.maxBatchRecords = b.maxBatchRecords;
        this.commitHintIntervalNs = b.commitHintIntervalNs;
        this.slowSyncNs = b.slowSyncNs;
        this.pretouchWindowBytes = b.pretouchWindowBytes != null ? b.pretouchWindowBytes
            : b.durability == Durability.PAGE_CACHE ? DEFAULT_PRETOUCH_WINDOW_BYTES : 0;
        this.positionalWrites = b.positionalWrites != null ? b.positionalWrites : b.durability == Durability.SYNC;
        this.timeProvider = b.timeProvider;
    }

    /** Starts a builder for a node's data directory (must exist; the journal goes in {@code directory/journal}). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** Node data directory; holds {@code journal/} (Chronicle files) and {@code journal.lock}. */
    public Path directory() {
        return directory;
    }

    public Durability durability() {
        return durability;
    }

    /** Chronicle roll cycle: the span of time one journal file covers; compaction deletes whole files. */
    public RollCycle rollCycle() {
        return rollCycle;
    }

    /** Bytes of the ring from the Raft thread to the journal thread; a power of two. */
    public int ringCapacityBytes() {
        return ringCapacityBytes;
    }

    /** Bytes of recent payloads kept on the Raft thread for replication reads; a power of two, or 0 for none. */
    public int cacheCapacityBytes() {
        return cacheCapacityBytes;
    }

    /**
     * Most ring commands (entries, truncations) the journal thread drains in one duty cycle, i.e. between two
     * sync requests (one group commit). The entries drained become BATCH records of at most 4,096 entries /
     * about 1 MiB each (JournalFormat).
     */
    public int maxBatchRecords() {
        return maxBatchRecords;
    }

    /** Least time between two COMMIT hint records in the journal. */
    /**
     * A sync that takes longer is recorded as a JFR event {@code pontoon.JournalSlowSync} (issue 13). Default
     * 50 ms; 0 records every sync.
     */
    public long slowSyncNs() {
        return slowSyncNs;
    }

    public long commitHintIntervalNs() {
        return commitHintIntervalNs;
    }

    /**
     * How far ahead of the journal's write position a separate thread pre-touches the cycle file's pages (so the
     * journal thread does not take their first-touch page faults); 0 turns the pre-toucher off. Unless set, it is
     * {@link #DEFAULT_PRETOUCH_WINDOW_BYTES} in {@link Durability#PAGE_CACHE} (1.5x store throughput measured) and 0
     * in {@link Durability#SYNC} (2-7% slower measured: the Raft thread, not the journal thread, is the limit there,
     * and the extra thread competes for the CPUs). See docs/STORAGE.md.
     */
    public int pretouchWindowBytes() {
        return pretouchWindowBytes;
    }

    /**
     * How a BATCH record's bytes reach the cycle file. True: assembled in a staging buffer and written with one
     * positional {@code FileChannel.write} (pwrite) into the space reserved in Chronicle's document; Chronicle
     * still writes its own header words through the mapping. False: copied straight into the mapped file.
     * Unless set, true in {@link Durability#SYNC} and false in {@link Durability#PAGE_CACHE}: an fdatasync has to
     * write-protect every page dirtied through a mapping again, which made each sync 2-3x slower on the
     * development VM (docs/STORAGE.md, "SYNC: pages dirtied through the mapping"); without a sync the extra
     * copy and system call buy nothing. The file format is the same either way.
     */
    public boolean positionalWrites() {
        return positionalWrites;
    }

    /** Clock Chronicle uses to choose the roll cycle; tests substitute a settable one to force rolls. */
    public TimeProvider timeProvider() {
        return timeProvider;
    }

    /** Largest payload an append accepts: a journal ring message (16-byte header + payload) is at most an eighth of the ring. */
    public int maxPayloadBytes() {
        return ringCapacityBytes / 8 - JournalRing.ENTRY_HEADER_LENGTH;
    }

    @Override
    public String toString() {
        return "ChronicleLogStoreOptions{directory=" + directory + ", durability=" + durability
            + ", rollCycle=" + rollCycle + ", ringCapacityBytes=" + ringCapacityBytes
            + ", cacheCapacityBytes=" + cacheCapacityBytes + ", maxBatchRecords=" + maxBatchRecords
            + ", commitHintIntervalNs=" + commitHintIntervalNs + ", pretouchWindowBytes=" + pretouchWindowBytes
            + ", positionalWrites=" + positionalWrites + '}';
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private Durability durability = Durability.SYNC;
        private RollCycle rollCycle = RollCycles.FAST_HOURLY;
        private int ringCapacityBytes = DEFAULT_RING_CAPACITY_BYTES;
        private int cacheCapacityBytes = DEFAULT_CACHE_CAPACITY_BYTES;
        private int maxBatchRecords = DEFAULT_MAX_BATCH_RECORDS;
        private long commitHintIntervalNs = DEFAULT_COMMIT_HINT_INTERVAL_NS;
        private long slowSyncNs = 50_000_000L;
        /** Null: the durability's default (see {@link ChronicleLogStoreOptions#pretouchWindowBytes()}). */
        private Integer pretouchWindowBytes;
        /** Null: the durability's default (see {@link ChronicleLogStoreOptions#positionalWrites()}). */
        private Boolean positionalWrites;
        private TimeProvider timeProvider = SystemTimeProvider.INSTANCE;

        private Builder(Path directory) {
            this.directory = directory;
        }

        public Builder durability(Durability durability) {
            this.durability = durability;
            return this;
        }

        public Builder rollCycle(RollCycle rollCycle) {
            this.rollCycle = rollCycle;
            return this;
        }

        public Builder ringCapacityBytes(int ringCapacityBytes) {
            this.ringCapacityBytes = ringCapacityBytes;
            return this;
        }

        public Builder cacheCapacityBytes(int cacheCapacityBytes) {
            this.cacheCapacityBytes = cacheCapacityBytes;
            return this;
        }

        public Builder maxBatchRecords(int maxBatchRecords) {
            this.maxBatchRecords = maxBatchRecords;
            return this;
        }

        /** See {@link ChronicleLogStoreOptions#slowSyncNs()}. */
        public Builder slowSyncThreshold(java.time.Duration threshold) {
            this.slowSyncNs = threshold.toNanos();
            return this;
        }

        public Builder commitHintIntervalNs(long commitHintIntervalNs) {
            this.commitHintIntervalNs = commitHintIntervalNs;
            return this;
        }

        public Builder pretouchWindowBytes(int pretouchWindowBytes) {
            this.pretouchWindowBytes = pretouchWindowBytes;
            return this;
        }

        public Builder positionalWrites(boolean positionalWrites) {
            this.positionalWrites = positionalWrites;
            return this;
        }

        public Builder timeProvider(TimeProvider timeProvider) {
            this.timeProvider = timeProvider;
            return this;
        }

        /** Validates every field; the exception message names the field and its allowed range. */
        public ChronicleLogStoreOptions build() {
            require(directory != null, "directory must not be null");
            require(durability != null, "durability must not be null (SYNC or PAGE_CACHE)");
            require(rollCycle != null, "rollCycle must not be null");
            require(timeProvider != null, "timeProvider must not be null");
            require(isPowerOfTwoIn(ringCapacityBytes, MIN_RING_CAPACITY_BYTES, MAX_RING_CAPACITY_BYTES),
                "ringCapacityBytes must be a power of two in [" + MIN_RING_CAPACITY_BYTES + ", "
                    + MAX_RING_CAPACITY_BYTES + "], was " + ringCapacityBytes);
            require(cacheCapacityBytes == 0 || isPowerOfTwoIn(cacheCapacityBytes, 1024, MAX_CACHE_CAPACITY_BYTES),
                "cacheCapacityBytes must be 0 or a power of two in [1024, " + MAX_CACHE_CAPACITY_BYTES
                    + "], was " + cacheCapacityBytes);
            require(maxBatchRecords >= 1 && maxBatchRecords <= MAX_MAX_BATCH_RECORDS,
                "maxBatchRecords must be in [1, " + MAX_MAX_BATCH_RECORDS + "], was " + maxBatchRecords);
            require(slowSyncNs >= 0, "slowSyncThreshold must be >= 0, was " + slowSyncNs + " ns");
            require(commitHintIntervalNs >= 0, "commitHintIntervalNs must be >= 0, was " + commitHintIntervalNs);
            require(pretouchWindowBytes == null || pretouchWindowBytes == 0 || (pretouchWindowBytes >= 64 * 1024
                    && pretouchWindowBytes <= MAX_PRETOUCH_WINDOW_BYTES && pretouchWindowBytes % 4096 == 0),
                "pretouchWindowBytes must be 0 (off) or a multiple of 4096 in [65536, " + MAX_PRETOUCH_WINDOW_BYTES
                    + "], was " + pretouchWindowBytes);
            return new ChronicleLogStoreOptions(this);
        }

        private static boolean isPowerOfTwoIn(int value, int min, int max) {
            return value >= min && value <= max && Integer.bitCount(value) == 1;
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException("ChronicleLogStoreOptions: " + message);
            }
        }
    }
}
