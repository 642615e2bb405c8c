package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentRunner;
import io.pontoon.util.WakeableIdleStrategy;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link LogStore} on a Chronicle Queue journal (format: {@link JournalFormat}).
 *
 * <p>Threads. Every {@link LogStore} method is called on the Raft thread and does no I/O of its own: appends,
 * truncations and resets are copied into a ring that the journal thread ({@link JournalAgent}) drains into the
 * journal in BATCH records, one per duty cycle, and makes them durable (in {@link Durability#SYNC} through a
 * separate sync thread, pipelined with the next writes). {@code termAt}/{@code lastIndex}/{@code kindAt} come from a
 * memory-mapped side index ({@link LogIndex}, nothing on the heap per entry); {@link #read} serves recent entries from
 * an in-memory cache ({@link EntryCache}) and older ones straight from the mapped journal, without copying.
 *
 * <p>Entry kinds: a configuration entry ({@link #KIND_CONFIGURATION}) is stored like a data entry, with bit 31 of its
 * BATCH table length set ({@link JournalFormat}); journals from before that bit read as all-data.
 *
 * <p>Back-pressure: if the journal ring is full (the journal thread is {@code ringCapacityBytes} behind),
 * {@link #append} waits for space. The LogStore SPI has no way to refuse an append; see docs/STORAGE.md.
 *
 * <p>Lifecycle: {@link #open(ChronicleLogStoreOptions)} checks the directory and JVM flags, takes the directory
 * lock, replays the journal and starts the journal thread; {@link #close()} drains the ring, writes a final
 * commit hint, syncs and releases everything. One store per directory per host; a second open is refused.
 */
public final class ChronicleLogStore implements LogStore, io.pontoon.spi.LogStoreStats {
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleLogStore.class);

    private final ChronicleLogStoreOptions options;
    private final FileChannel lockChannel;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final LogIndex index;
    private final EntryCache cache;
    private final OneToOneRingBuffer commands;
    private final OneToOneRingBuffer feedback;
    private final JournalAgent agent;
    private final AgentRunner runner;
    private final int maxPayloadBytes;
    private final IdleStrategy waitIdle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
    private final WakeableIdleStrategy journalIdle;
    private final UnsafeBuffer journalView = new UnsafeBuffer(0, 0);
    private final MessageHandler feedbackHandler = this::onWritten;

    private ExcerptTailer readTailer;
    private long appendSeq;
    /** Truncations and resets handed to the journal thread (it counts both in durableTruncations). */
    private long truncationsRequested;
    /**
     * While a truncation (or reset) is not yet durable the durable index may not exceed this (LogStore contract:
     * {@code fromIndex - 1} for a truncation, the reset index for a reset).
     */
    private long truncationCap = Long.MAX_VALUE;
    private long commitIndexHint;
    private final String droppedTail;
    private final long recoveredCommitIndex;
    private boolean closed;

    private ChronicleLogStore(ChronicleLogStoreOptions options, FileChannel lockChannel, SingleChronicleQueue queue,
                              JournalReplay.Result replay) {
        this.options = options;
        this.lockChannel = lockChannel;
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.index = replay.index;
        this.cache = new EntryCache(options.cacheCapacityBytes());
        this.commands = new OneToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(JournalRing.totalLength(options.ringCapacityBytes()), 64)));
        this.feedback = new OneToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(JournalRing.totalLength(JournalRing.FEEDBACK_CAPACITY_BYTES), 64)));
        this.maxPayloadBytes = Math.min(options.maxPayloadBytes(), commands.maxMsgLength() - JournalRing.ENTRY_HEADER_LENGTH);
        this.commitIndexHint = replay.commitIndex;
        this.droppedTail = replay.damagedTail;
        this.recoveredCommitIndex = replay.commitIndex;
        this.agent = new JournalAgent(queue, commands, feedback, options, replay, replay.index.directory());
        // The Raft thread wakes the journal thread after handing it work, so it can park between group
        // commits instead of polling: on a 2-core machine, several nodes' journal threads share the CPUs.
        this.journalIdle = new WakeableIdleStrategy(20, 10, 1_000_000L, () -> commands.size() > 0);
        this.runner = new AgentRunner(journalIdle,
            t -> LOG.error("journal thread error", t), null, agent);
        AgentRunner.startOnThread(runner, r -> {
            final Thread thread = new Thread(r, agent.roleName());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens (or creates) the journal in {@code options.directory()/journal}, replaying it. Call from any thread;
     * afterwards use the store from one Raft thread only.
     *
     * @throws StorageException if the directory is missing, a file or not writable, another process holds the
     *                          lock, or the JVM lacks {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}
     * @throws JournalCorruptedException if the journal is damaged other than at its tail
     */
    public static ChronicleLogStore open(ChronicleLogStoreOptions options) {
        final Path dir = options.directory();
        DataDirectory.check(dir, "data directory");
        DataDirectory.requireChronicleExports();
        final FileChannel lock = DataDirectory.lock(dir);
        SingleChronicleQueue queue = null;
        LogIndex index = null;
        try {
            final Path journalDir = dir.resolve(DataDirectory.JOURNAL_DIR);
            Files.createDirectories(journalDir);
            queue = openQueue(journalDir, options, false);
            index = new LogIndex(dir.resolve(DataDirectory.INDEX_DIR), false);
            final JournalReplay.Result replay = JournalReplay.replay(queue, index);
            if (replay.damagedTail != null) {
                LOG.warn("Journal {}: dropped damaged tail at {}; every intact record before it is kept",
                    journalDir, replay.damagedTail);
            }
            LOG.info("Journal {} opened ({}): entries [{}, {}], commit hint {}, {} records replayed",
                journalDir, options.durability(), replay.index.firstIndex(), replay.index.lastIndex(),
                replay.commitIndex, replay.recordCount);
            return new ChronicleLogStore(options, lock, queue, replay);
        } catch (IOException e) {
            DataDirectory.closeQuietly(index);
            DataDirectory.closeQuietly(queue);
            DataDirectory.closeQuietly(lock);
            throw new StorageException("cannot create journal directory in " + dir.toAbsolutePath() + ": " + e, e);
        } catch (RuntimeException | Error e) {
            DataDirectory.closeQuietly(index);
            DataDirectory.closeQuietly(queue);
            DataDirectory.closeQuietly(lock);
            throw e;
        }
    }

    static SingleChronicleQueue openQueue(Path journalDir, ChronicleLogStoreOptions options, boolean readOnly) {
        return SingleChronicleQueueBuilder.binary(journalDir)
            .rollCycle(options.rollCycle())
            .timeProvider(options.timeProvider())
            // Never Chronicle's msync: it only logs a failure, and with SyncMode.SYNC releasing a chunk msyncs it
            // on the writing thread. SYNC durability is JournalSyncer's fdatasync, which throws.
            .syncMode(SyncMode.NONE)
            // The journal thread is stopped by AgentRunner, which may interrupt it; an interrupt must not close
            // Chronicle's file channels under it.
            .checkInterrupts(false)
            .readOnly(readOnly)
            .build();
    }

    public ChronicleLogStoreOptions options() {
        return options;
    }

    /**
     * If opening dropped a damaged journal tail (torn write, CRC mismatch), where it was and why; else null.
     * The same text was logged as a warning. For operators and tests; safe from any thread.
     */
    public String droppedTailDescription() {
        return droppedTail;
    }

    /** Highest COMMIT hint found in the journal at open (0 if none); what {@code ./pontoon dump} reports. */
    public long recoveredCommitIndex() {
        return recoveredCommitIndex;
    }

    /** Log entries written to the journal since open (monotonic; any thread). For benchmarks and metrics. */
    public long entriesWritten() {
        return agent.entriesWritten;
    }

    /** Journal records (Chronicle excerpts) written since open, of every type (monotonic; any thread). */
    public long recordsWritten() {
        return agent.recordsWritten;
    }

    /** Completed syncs since open; 0 unless {@link Durability#SYNC} (monotonic; any thread). */
    public long syncsCompleted() {
        return agent.syncsCompleted;
    }

    @Override
    public long syncs() {
        return agent.syncsCompleted;
    }

    @Override
    public long syncTotalNs() {
        return agent.syncTotalNs;
    }

    @Override
    public long syncMaxNs() {
        return agent.syncMaxNs;
    }

    @Override
    public long syncsInBucket(int bucket) {
        return agent.syncBuckets.get(bucket);
    }

    @Override
    public int syncBuckets() {
        return JournalAgent.SYNC_BUCKETS;
    }

    /** Pages the pre-toucher has touched since open; 0 when it is off (monotonic; any thread). */
    public long pagesPretouched() {
        return agent.pretoucher == null ? 0 : agent.pretoucher.pagesTouched;
    }

    /** The pre-toucher, or null when it is off; for tests. */
    JournalPretoucher pretoucher() {
        return agent.pretoucher;
    }

    /** The SYNC-mode syncer, for tests that make its fsync fail. */
    JournalSyncer syncer() {
        return agent.syncer;
    }

    @Override
    public long firstIndex() {
        return index.firstIndex();
    }

    @Override
    public long lastIndex() {
        return index.lastIndex();
    }

    @Override
    public long lastTerm() {
        return index.termAt(index.lastIndex());
    }

    @Override
    public long termAt(long logIndex) {
        return index.termAt(logIndex);
    }

    @Override
    public int payloadLength(long logIndex) {
        return index.holds(logIndex) ? index.length(logIndex) : -1;
    }

    @Override
    public void append(long logIndex, long term, DirectBuffer src, int offset, int length) {
        appendEntry(logIndex, term, KIND_DATA, src, offset, length);
    }

    /**
     * Appends an entry of either kind; a configuration entry takes the data path, marked as such on the ring
     * (MSG_CONFIG_ENTRY), in the journal (bit 31 of its BATCH table length) and in the log index, so
     * {@link #kindAt} returns its kind after a restart too.
     *
     * @throws IllegalArgumentException if {@code kind} is neither {@link #KIND_DATA} nor {@link #KIND_CONFIGURATION}
     */
    @Override
    public void append(long logIndex, long term, int kind, DirectBuffer src, int offset, int length) {
        if (kind != KIND_DATA && kind != KIND_CONFIGURATION) {
            throw new IllegalArgumentException("entry " + logIndex + " has kind " + kind + ", neither KIND_DATA ("
                + KIND_DATA + ") nor KIND_CONFIGURATION (" + KIND_CONFIGURATION + ")");
        }
        appendEntry(logIndex, term, kind, src, offset, length);
    }

    /** From the log index (one read of the entry's mapped slot, no journal read, no allocation). */
    @Override
    public int kindAt(long logIndex) {
        return index.holds(logIndex) ? index.kind(logIndex) : KIND_DATA;
    }

    private void appendEntry(long logIndex, long term, int kind, DirectBuffer src, int offset, int length) {
        checkOpen();
        if (logIndex != index.lastIndex() + 1) {
            throw new IllegalStateException("append at index " + logIndex + " but lastIndex is " + index.lastIndex());
        }
        if (length < 0 || length > maxPayloadBytes) {
            throw new IllegalArgumentException("payload of " + length + " bytes at index " + logIndex
                + " is outside [0, " + maxPayloadBytes + "] (an eighth of ringCapacityBytes="
                + options.ringCapacityBytes() + ")");
        }
        // Wake the journal thread only for the first entry of what will be its next batch: while the ring is
        // not empty, the journal thread either still drains it or sees it in the check it makes before parking
        // (WakeableIdleStrategy's hasPendingWork), so a wake-up per entry (an unpark each) would be wasted.
        final boolean ringWasEmpty = commands.size() == 0;
        final int claimed = claim(kind == KIND_DATA ? JournalRing.MSG_ENTRY : JournalRing.MSG_CONFIG_ENTRY,
            JournalRing.ENTRY_HEADER_LENGTH + length);
        final MutableDirectBuffer ring = commands.buffer();
        ring.putLong(claimed + JournalRing.ENTRY_INDEX_OFFSET, logIndex);
        ring.putLong(claimed + JournalRing.ENTRY_TERM_OFFSET, term);
        ring.putBytes(claimed + JournalRing.ENTRY_HEADER_LENGTH, src, offset, length);
        commands.commit(claimed);
        if (ringWasEmpty) {
            journalIdle.wake();
        }
        final long cachePosition = cache.put(src, offset, length);
        try {
            index.add(logIndex, term, JournalFormat.tableLength(length, kind), NULL_VALUE, 0, ++appendSeq,
                cachePosition);
        } catch (InternalError e) {
            // A write to a mapped index segment that the disk cannot back (SIGBUS): name it for the operator.
            throw StorageException.of("appending entry " + logIndex + " to the log index", options.directory(), e);
        }
    }

    @Override
    public void truncateFrom(long fromIndex) {
        checkOpen();
        if (fromIndex > index.lastIndex()) {
            return;
        }
        if (fromIndex < index.firstIndex()) {
            throw new IllegalStateException("truncateFrom(" + fromIndex + ") below first held index " + index.firstIndex());
        }
        cache.rewindTo(index.cachePosition(fromIndex));
        index.truncateFrom(fromIndex);
        truncationCap = Math.min(truncationCap, fromIndex - 1);
        truncationsRequested++;
        final int claimed = claim(JournalRing.MSG_TRUNCATE, JournalRing.TRUNCATE_LENGTH);
        commands.buffer().putLong(claimed, fromIndex);
        commands.commit(claimed);
        journalIdle.wake();
    }

    /**
     * Discards every entry and restarts the log after a snapshot at {@code logIndex} of {@code term} (see
     * {@link LogStore#resetTo}). Raft thread; the log index and the cache change at once, and the journal thread
     * writes a RESET record in ring order, after everything handed over before. Counted like a truncation: until
     * that record is durable {@link #durableIndex()} is at most {@code logIndex} (a crash before that leaves the
     * old log); then it reaches {@code logIndex} and follows the entries appended after it.
     *
     * @throws IllegalArgumentException if {@code logIndex} or {@code term} is below 1
     */
    @Override
    public void resetTo(long logIndex, long term) {
        checkOpen();
        if (logIndex < 1 || logIndex == Long.MAX_VALUE || term < 1) {
            throw new IllegalArgumentException("resetTo(" + logIndex + ", " + term
                + "): index must be in [1, " + (Long.MAX_VALUE - 1) + "] and term >= 1");
        }
        cache.clear();
        index.resetTo(logIndex, term);
        truncationCap = Math.min(truncationCap, logIndex);
        truncationsRequested++;
        final int claimed = claim(JournalRing.MSG_RESET, JournalRing.RESET_LENGTH);
        commands.buffer().putLong(claimed + JournalRing.RESET_INDEX_OFFSET, logIndex);
        commands.buffer().putLong(claimed + JournalRing.RESET_TERM_OFFSET, term);
        commands.commit(claimed);
        journalIdle.wake();
    }

    @Override
    public boolean read(long logIndex, EntryReader reader) {
        checkOpen();
        if (!index.holds(logIndex)) {
            return false;
        }
        final long term = index.termAt(logIndex);
        final int length = index.length(logIndex);
        final long cachePosition = index.cachePosition(logIndex);
        if (cache.isValid(cachePosition)) {
            reader.onEntry(logIndex, term, cache.buffer(), cache.offsetOf(cachePosition), length);
            return true;
        }
        long queueIndex = index.queueIndex(logIndex);
        if (queueIndex == NULL_VALUE) {
            queueIndex = awaitQueueIndex(logIndex);
        }
        readFromJournal(logIndex, term, length, queueIndex, index.offsetInRecord(logIndex), reader);
        return true;
    }

    @Override
    public long durableIndex() {
        checkOpen();
        feedback.read(feedbackHandler);
        // Read the truncation count (resets included) before the index (the journal thread writes them in the
        // other order).
        final long truncations = agent.durableTruncations.getAcquire();
        final long journalDurable = agent.durableIndex.getAcquire();
        if (truncations >= truncationsRequested) {
            truncationCap = Long.MAX_VALUE;
        }
        return Math.min(Math.min(journalDurable, truncationCap), index.lastIndex());
    }

    @Override
    public void deleteBefore(long logIndex) {
        checkOpen();
        long target = Math.min(logIndex, index.lastIndex());
        if (target <= index.firstIndex()) {
            return;
        }
        feedback.read(feedbackHandler);
        // Entries whose journal position is not yet reported are a suffix; compact below the written part only.
        while (target > index.firstIndex() && index.queueIndex(target) == NULL_VALUE) {
            target--;
        }
        if (target <= index.firstIndex()) {
            return;
        }
        final int cycle = rollCycle.toCycle(index.queueIndex(target));
        long low = index.firstIndex();
        long high = target;
        while (low < high) {
            final long mid = (low + high) >>> 1;
            if (rollCycle.toCycle(index.queueIndex(mid)) >= cycle) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        if (low <= index.firstIndex()) {
            return;
        }
        // Whole files only: every held entry below `low` lives in a cycle below `cycle`, and nothing at or above
        // `low` does. The index segments wholly below `low` are unmapped here; their files go with the journal's.
        final long segment = index.dropBefore(low);
        final int claimed = claim(JournalRing.MSG_DELETE_BEFORE, JournalRing.DELETE_BEFORE_LENGTH);
        commands.buffer().putLong(claimed + JournalRing.DELETE_BEFORE_SEGMENT_OFFSET, segment);
        commands.buffer().putInt(claimed + JournalRing.DELETE_BEFORE_CYCLE_OFFSET, cycle);
        commands.commit(claimed);
        journalIdle.wake();
    }

    /** The journal thread runs {@code wakeup} after each group commit that moved the durable index. */
    @Override
    public void durableIndexWakeup(Runnable wakeup) {
        agent.durableWakeup = wakeup;
    }

    @Override
    public void onCommitIndex(long commitIndex) {
        if (commitIndex > commitIndexHint) {
            commitIndexHint = commitIndex;
            agent.commitHint.lazySet(commitIndex);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            runner.close();
        } finally {
            DataDirectory.closeQuietly(readTailer);
            DataDirectory.closeQuietly(queue);
            DataDirectory.closeQuietly(index);
            DataDirectory.closeQuietly(lockChannel);
        }
        final Throwable failure = agent.failure;
        if (failure != null) {
            throw new StorageException("journal " + options.directory() + " failed before close; entries after "
                + "durable index " + agent.durableIndex.get() + " may be lost: " + failure, failure);
        }
        LOG.info("Journal {} closed at last index {}", options.directory(), index.lastIndex());
    }

    /**
     * False when the hand-over ring to the journal thread has less than a quarter of its capacity free: a
     * leader then answers REJECTED_BUSY rather than let the Raft thread wait for the journal.
     */
    @Override
    public boolean hasCapacity(int payloadLength) {
        return commands.capacity() - commands.size() > commands.capacity() / 4 + payloadLength + JournalRing.ENTRY_HEADER_LENGTH;
    }

    private int claim(int msgTypeId, int length) {
        int claimed;
        while ((claimed = commands.tryClaim(msgTypeId, length)) < 0) {
            // Ring full: the journal thread is a whole ring behind. Keep draining its reports (it may be waiting
            // for feedback space) and wait for room.
            feedback.read(feedbackHandler);
            checkOpen();
            waitIdle.idle();
        }
        waitIdle.reset();
        return claimed;
    }

    private long awaitQueueIndex(long logIndex) {
        long queueIndex;
        while ((queueIndex = index.queueIndex(logIndex)) == NULL_VALUE) {
            if (feedback.read(feedbackHandler) == 0) {
                checkOpen();
                waitIdle.idle();
            }
        }
        waitIdle.reset();
        return queueIndex;
    }

    private void readFromJournal(long logIndex, long term, int length, long queueIndex, int offset,
                                 EntryReader reader) {
        if (readTailer == null) {
            readTailer = queue.createTailer();
            // Only the Raft thread uses it.
            readTailer.singleThreadedCheckDisabled(true);
        }
        if (readTailer.index() != queueIndex && !readTailer.moveToIndex(queueIndex)) {
            throw new StorageException("entry " + logIndex + " should be at journal queue index 0x"
                + Long.toHexString(queueIndex) + " in " + queue.file() + " but that excerpt is missing");
        }
        try (DocumentContext dc = readTailer.readingDocument()) {
            final Bytes<?> bytes = dc.isPresent() ? dc.wire().bytes() : null;
            if (bytes == null || dc.index() != queueIndex) {
                throw new StorageException("entry " + logIndex + ": journal excerpt at queue index 0x"
                    + Long.toHexString(queueIndex) + " in " + queue.file() + " could not be read");
            }
            // Stay on this record: the next read is most likely the next entry of the same batch.
            dc.rollbackOnClose();
            final int recordLength = (int) bytes.readRemaining();
            journalView.wrap(bytes.addressForRead(bytes.readPosition()), recordLength);
            final long first = journalView.getLong(JournalFormat.BATCH_FIRST_INDEX_OFFSET, JournalFormat.ORDER);
            if (journalView.getByte(JournalFormat.TYPE_OFFSET) != JournalFormat.TYPE_BATCH
                || logIndex < first || offset < JournalFormat.BATCH_PAYLOAD_OFFSET
                || (long) offset + length > recordLength - JournalFormat.BATCH_TRAILER_LENGTH) {
                throw new StorageException("journal excerpt at queue index 0x" + Long.toHexString(queueIndex)
                    + " in " + queue.file() + " is not a BATCH holding entry " + logIndex);
            }
            reader.onEntry(logIndex, term, journalView, offset, length);
        }
    }

    /** MSG_WRITTEN from the journal thread: where a BATCH landed; record it for entries still held from it. */
    private void onWritten(int msgTypeId, MutableDirectBuffer buffer, int offset, int length) {
        final long firstSeq = buffer.getLong(offset + JournalRing.WRITTEN_SEQ_OFFSET);
        final long firstIndex = buffer.getLong(offset + JournalRing.WRITTEN_INDEX_OFFSET);
        final long queueIndex = buffer.getLong(offset + JournalRing.WRITTEN_QUEUE_INDEX_OFFSET);
        final int count = buffer.getInt(offset + JournalRing.WRITTEN_COUNT_OFFSET);
        int offsetInRecord = JournalFormat.BATCH_PAYLOAD_OFFSET;
        for (int k = 0; k < count; k++) {
            final long logIndex = firstIndex + k;
            // A truncated-and-replaced entry has a newer append sequence; the report is for the old one, and so
            // is the rest of the batch (a truncation removes a suffix). Entries below firstIndex are never
            // compacted before their report arrived (deleteBefore stops at the first unreported entry).
            if (!index.holds(logIndex) || index.appendSeq(logIndex) != firstSeq + k) {
                break;
            }
            index.location(logIndex, queueIndex, offsetInRecord);
            offsetInRecord += index.length(logIndex);
        }
    }

    /**
     * An {@code InternalError} from a mapped access on the Raft thread (the log index, a journal read) is this
     * store's disk failing to back a page: named as such, with the directory.
     */
    @Override
    public Throwable explain(Throwable failure) {
        if (failure instanceof InternalError && String.valueOf(failure.getMessage()).contains("unsafe memory access")) {
            return StorageException.of("a memory-mapped write of the log", options.directory(), failure);
        }
        return failure;
    }

    /** An eighth of the journal ring, less its entry header (ChronicleLogStoreOptions.maxPayloadBytes()). */
    @Override
    public int maxPayloadBytes() {
        return options.maxPayloadBytes();
    }

    /** The journal's failure (a failed fsync or write, a full disk), or null; the node fail-stops on it. */
    @Override
    public Throwable failure() {
        return agent.failure;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ChronicleLogStore for " + options.directory() + " is closed");
        }
        final Throwable failure = agent.failure;
        if (failure != null) {
            throw new StorageException("journal thread for " + options.directory() + " failed: " + failure, failure);
        }
    }
}
