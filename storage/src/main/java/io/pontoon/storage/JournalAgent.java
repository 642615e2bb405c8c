package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The journal thread: the only owner of the Chronicle appender. Each duty cycle it drains up to
 * {@code maxBatchRecords} commands from the Raft thread's ring; consecutive entries become one BATCH record
 * ({@link JournalFormat}), each payload copied once from the ring into the mapped journal while a CRC32C runs
 * over it. At the end of the duty cycle it reports where each batch landed (one MSG_WRITTEN per batch) and then
 * either publishes the durable index itself ({@link Durability#PAGE_CACHE}) or posts a sync request to the
 * {@link JournalSyncer} thread ({@link Durability#SYNC}), which publishes after its fsync succeeded, while this
 * thread goes on writing.
 *
 * <p>Publication order matters: {@link #durableIndex} is written before {@link #durableTruncations}, and the
 * Raft thread reads them in the opposite order, so a reader that sees a truncation counted also sees a durable
 * index computed after it.
 */
final class JournalAgent implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(JournalAgent.class);

    private final SingleChronicleQueue queue;
    private final OneToOneRingBuffer commands;
    private final OneToOneRingBuffer feedback;
    private final boolean sync;
    private final long slowSyncNs;
    private final int maxBatchRecords;
    private final long commitHintIntervalNs;
    private final String name;
    private final Path directory;
    private final MessageHandler commandHandler = this::onCommand;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64]);
    /** A small record (or a batch header) is assembled here, checksummed, then copied to the journal. */
    private final byte[] recordBytes = new byte[64];
    private final UnsafeBuffer record = new UnsafeBuffer(recordBytes);
    /** The open batch's entry table and count, assembled here and checksummed in one call at the end. */
    private final byte[] tableBytes =
        new byte[JournalFormat.BATCH_MAX_ENTRIES * JournalFormat.BATCH_TABLE_ENTRY_LENGTH + JournalFormat.BATCH_TRAILER_LENGTH];
    private final UnsafeBuffer table = new UnsafeBuffer(tableBytes);
    private final CRC32C crc = new CRC32C();
    /** A view of the command ring for the JDK's intrinsic CRC32C (which takes a ByteBuffer, not an address). */
    private final ByteBuffer commandView;
    private final JournalFiles files;
    private final Path indexDir;
    final JournalSyncer syncer;
    /** Null when pretouchWindowBytes is 0. */
    final JournalPretoucher pretoucher;

    final AtomicLong durableIndex = new AtomicLong();
    final AtomicLong durableTruncations = new AtomicLong();
    /** Written by the Raft thread (onCommitIndex), read here; a hint only. */
    final AtomicLong commitHint = new AtomicLong();
    volatile Throwable failure;
    volatile boolean closing;
    /** Set once by the runtime (LogStore.durableIndexWakeup); run after each publication that moved anything. */
    volatile Runnable durableWakeup;
    /** Counters for benchmarks and metrics: written by one thread each, read by any thread. */
    volatile long entriesWritten;
    volatile long recordsWritten;
    volatile long syncsCompleted;

    private ExcerptAppender appender;
    private long journalLastIndex;
    private long appendSeq;
    private long truncationsWritten;
    private long discardFirst;
    private long discardLast;

    // The open BATCH record (batchContext != null): entries firstIndex .. firstIndex + count - 1.
    private DocumentContext batchContext;
    private Bytes<?> batchBytes;
    private long batchFirstIndex;
    private long batchFirstSeq;
    private int batchCount;
    private long batchPayloadBytes;

    // Positional writes (options.positionalWrites()): the open batch is assembled in staging, then written with
    // one pwrite at batchFilePos, the offset in the cycle file where Chronicle's document content starts.
    private final ByteBuffer staging;
    private final UnsafeBuffer stagingBuffer;
    private int stagingLength;
    private long batchFilePos;
    private FileChannel writeChannel;
    private int writeChannelCycle = Integer.MIN_VALUE;

    /** Cycle of the last sync request (or the appender's first cycle); the next request starts there. */
    private int requestedCycle = Integer.MIN_VALUE;

    private long commitWritten;
    private long commitWrittenNs;

    JournalAgent(SingleChronicleQueue queue, OneToOneRingBuffer commands, OneToOneRingBuffer feedback,
                 ChronicleLogStoreOptions options, JournalReplay.Result replay, Path indexDir) {
        this.queue = queue;
        this.commands = commands;
        this.commandView = commands.buffer().byteBuffer().duplicate();
        this.files = new JournalFiles(queue);
        this.indexDir = indexDir;
        this.feedback = feedback;
        this.sync = options.durability() == Durability.SYNC;
        this.slowSyncNs = options.slowSyncNs();
        this.maxBatchRecords = options.maxBatchRecords();
        this.commitHintIntervalNs = options.commitHintIntervalNs();
        this.name = "pontoon-journal[" + options.directory() + "]";
        this.directory = options.directory();
        this.journalLastIndex = replay.index.lastIndex();
        this.durableIndex.set(journalLastIndex);
        this.commitWritten = replay.commitIndex;
        this.commitHint.set(replay.commitIndex);
        this.discardFirst = replay.damagedTail == null ? LogStore.NULL_VALUE : replay.firstBadQueueIndex;
        this.discardLast = replay.lastBadQueueIndex;
        this.syncer = new JournalSyncer(this, queue);
        if (options.positionalWrites()) {
            // The largest batch: it closes once past BATCH_MAX_BYTES, so one more entry of the largest payload fits.
            final int capacity = JournalFormat.BATCH_PAYLOAD_OFFSET + JournalFormat.BATCH_MAX_BYTES + options.maxPayloadBytes()
                + tableBytes.length;
            this.staging = ByteBuffer.allocateDirect(capacity);
            this.stagingBuffer = new UnsafeBuffer(staging);
        } else {
            this.staging = null;
            this.stagingBuffer = null;
        }
        if (options.pretouchWindowBytes() > 0) {
            // Its own JournalFiles: Chronicle's name cache is not shared between threads.
            final JournalFiles pretouchFiles = new JournalFiles(queue);
            this.pretoucher = new JournalPretoucher(cycle -> pretouchFiles.fileFor(cycle).toPath(),
                options.pretouchWindowBytes(), name.replace("pontoon-journal", "pontoon-journal-pretouch"));
        } else {
            this.pretoucher = null;
        }
    }

    @Override
    public String roleName() {
        return name;
    }

    @Override
    public void onStart() {
        try {
            start();
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void start() throws IOException {
        if (appender == null) {
            appender = queue.createAppender();
            // This thread is the appender's only user (and onClose's caller after it stopped).
            appender.singleThreadedCheckDisabled(true);
            if (discardFirst != LogStore.NULL_VALUE) {
                // Mark the dropped tail before anything follows it, so the next replay does not mistake it for
                // damage in the middle of the journal; durable before any new record, in either mode.
                writeValues(JournalFormat.TYPE_DISCARD, discardFirst, discardLast);
                syncer.syncNow(appender.cycle(), appender.cycle());
            }
            if (sync) {
                syncer.start(name.replace("pontoon-journal", "pontoon-journal-sync"));
            }
            if (pretoucher != null && !closing) {
                pretoucher.start();
            }
        }
    }

    @Override
    public int doWork() {
        if (failure != null) {
            return 0;
        }
        try {
            final int records = commands.read(commandHandler, maxBatchRecords);
            if (records > 0) {
                endDutyCycle();
            }
            return records + writeCommitHint(false);
        } catch (Throwable t) {
            fail(t);
            return 0;
        }
    }

    @Override
    public void onClose() {
        closing = true;
        try {
            if (failure == null) {
                // AgentRunner calls onClose on the closing thread if the journal thread never got to run; the
                // ring may still hold accepted entries, so start the appender here in that case.
                start();
                // Until the ring is empty, not until a read returns 0: Agrona's read returns 0 when the record
                // at the head is the padding before a wrap, with messages still behind it.
                while (commands.size() > 0) {
                    commands.read(commandHandler, maxBatchRecords);
                    endDutyCycle();
                }
                writeCommitHint(true);
                closeBatch();
            }
            syncer.stop();
            if (pretoucher != null) {
                pretoucher.stop();
            }
            if (failure == null && sync) {
                // Everything written is made durable once more on this thread, the sync thread having stopped.
                final int cycle = appender.cycle();
                syncer.syncNow(lowCycle(cycle), cycle);
                publishDurable(journalLastIndex, truncationsWritten);
                syncsCompleted++;
            }
        } catch (Throwable t) {
            fail(t);
        } finally {
            syncer.closeChannel();
            closeWriteChannel();
            try {
                if (batchContext != null) {
                    batchContext.rollbackOnClose();
                    batchContext.close();
                    batchContext = null;
                }
                if (appender != null) {
                    appender.close();
                }
            } catch (Throwable t) {
                // A rollback writes through the mapping too; on a full disk that fails like the write it undoes.
                if (failure == null) {
                    fail(t);
                } else {
                    LOG.debug("{}: closing the appender after the failure also failed", name, t);
                }
            }
        }
    }

    /** After the ring was drained once: close the batch, report positions, then make durable (or ask to). */
    private void endDutyCycle() {
        closeBatch();
        if (sync) {
            final int cycle = appender.cycle();
            syncer.request(journalLastIndex, truncationsWritten, lowCycle(cycle), cycle);
            requestedCycle = cycle;
        } else {
            publishDurable(journalLastIndex, truncationsWritten);
        }
    }

    /** First cycle the next sync must cover: the previous request's (a roll writes an end marker into it). */
    private int lowCycle(int cycle) {
        return requestedCycle == Integer.MIN_VALUE ? cycle : Math.min(requestedCycle, cycle);
    }

    /** Sync latency by power-of-two microsecond bucket (LogStoreStats); written by the sync thread only. */
    static final int SYNC_BUCKETS = 24;
    final java.util.concurrent.atomic.AtomicLongArray syncBuckets = new java.util.concurrent.atomic.AtomicLongArray(SYNC_BUCKETS);
    volatile long syncTotalNs;
    volatile long syncMaxNs;

    /** Sync thread: one sync of cycles [low, high] took {@code ns}; a slow one is a JFR event (issue 13). */
    void onSyncTimed(long ns, int low, int high) {
        final long us = ns / 1000;
        final int bucket = Math.min(SYNC_BUCKETS - 1, 64 - Long.numberOfLeadingZeros(us));
        syncBuckets.lazySet(bucket, syncBuckets.get(bucket) + 1);
        syncTotalNs += ns; // one writer
        if (ns > syncMaxNs) {
            syncMaxNs = ns;
        }
        if (ns >= slowSyncNs) {
            final SlowSyncEvent e = new SlowSyncEvent();
            if (e.isEnabled()) {
                e.durationNs = ns;
                e.lowCycle = low;
                e.highCycle = high;
                e.commit();
            }
        }
    }

    /** Sync thread (SYNC mode): a sync that covered everything up to {@code index} succeeded. */
    void onSyncCompleted(long index, long truncations) {
        syncsCompleted++;
        publishDurable(index, truncations);
    }

    /** Publishes the durable index (then the truncation count) and wakes the Raft thread if either moved. */
    void publishDurable(long index, long truncations) {
        final boolean moved = durableIndex.get() != index || durableTruncations.get() != truncations;
        durableIndex.setRelease(index);
        durableTruncations.setRelease(truncations);
        final Runnable wakeup = durableWakeup;
        if (moved && wakeup != null) {
            wakeup.run();
        }
    }

    private void onCommand(int msgTypeId, MutableDirectBuffer buffer, int offset, int length) {
        switch (msgTypeId) {
            case JournalRing.MSG_ENTRY:
                writeEntry(buffer, offset, length, LogStore.KIND_DATA);
                break;
            case JournalRing.MSG_CONFIG_ENTRY:
                writeEntry(buffer, offset, length, LogStore.KIND_CONFIGURATION);
                break;
            case JournalRing.MSG_TRUNCATE: {
                closeBatch();
                final long fromIndex = buffer.getLong(offset);
                writeValues(JournalFormat.TYPE_TRUNCATE, fromIndex, LogStore.NULL_VALUE);
                journalLastIndex = Math.min(journalLastIndex, fromIndex - 1);
                truncationsWritten++;
                break;
            }
            case JournalRing.MSG_RESET: {
                closeBatch();
                final long index = buffer.getLong(offset + JournalRing.RESET_INDEX_OFFSET);
                writeValues(JournalFormat.TYPE_RESET, index, buffer.getLong(offset + JournalRing.RESET_TERM_OFFSET));
                // Published like a truncation: the Raft thread keeps the durable index at most `index` until the
                // count published with an index computed after this record covers it.
                journalLastIndex = index;
                truncationsWritten++;
                break;
            }
            case JournalRing.MSG_DELETE_BEFORE:
                closeBatch();
                deleteCyclesBelow(buffer.getInt(offset + JournalRing.DELETE_BEFORE_CYCLE_OFFSET));
                LogIndex.deleteSegmentFiles(indexDir, buffer.getLong(offset + JournalRing.DELETE_BEFORE_SEGMENT_OFFSET));
                break;
            default:
                throw new IllegalStateException("unknown journal command type " + msgTypeId);
        }
    }

    private void writeEntry(MutableDirectBuffer buffer, int offset, int length, int kind) {
        final long index = buffer.getLong(offset + JournalRing.ENTRY_INDEX_OFFSET);
        final long term = buffer.getLong(offset + JournalRing.ENTRY_TERM_OFFSET);
        final int payloadOffset = offset + JournalRing.ENTRY_HEADER_LENGTH;
        final int payloadLength = length - JournalRing.ENTRY_HEADER_LENGTH;
        final long seq = ++appendSeq;
        if (batchContext != null && (index != batchFirstIndex + batchCount
            || batchCount == JournalFormat.BATCH_MAX_ENTRIES || batchPayloadBytes >= JournalFormat.BATCH_MAX_BYTES)) {
            closeBatch();
        }
        if (batchContext == null) {
            openBatch(index, seq);
        }
        // One copy, ring to mapped journal; the CRC runs over the same bytes through a ByteBuffer view.
        if (staging != null) {
            stagingBuffer.putBytes(stagingLength, buffer, payloadOffset, payloadLength);
            stagingLength += payloadLength;
        } else {
            batchBytes.unsafeWrite(buffer.addressOffset() + payloadOffset, payloadLength);
        }
        commandView.limit(payloadOffset + payloadLength).position(payloadOffset);
        crc.update(commandView);
        final int at = batchCount * JournalFormat.BATCH_TABLE_ENTRY_LENGTH;
        table.putLong(at + JournalFormat.BATCH_TABLE_TERM_OFFSET, term, JournalFormat.ORDER);
        table.putInt(at + JournalFormat.BATCH_TABLE_LENGTH_OFFSET, JournalFormat.tableLength(payloadLength, kind),
            JournalFormat.ORDER);
        batchCount++;
        batchPayloadBytes += payloadLength;
        journalLastIndex = index;
    }

    private void openBatch(long firstIndex, long firstSeq) {
        record.putByte(JournalFormat.TYPE_OFFSET, JournalFormat.TYPE_BATCH);
        record.putLong(JournalFormat.BATCH_FIRST_INDEX_OFFSET, firstIndex, JournalFormat.ORDER);
        crc.reset();
        crc.update(recordBytes, 0, JournalFormat.BATCH_PAYLOAD_OFFSET);
        batchContext = appender.writingDocument();
        batchBytes = batchContext.wire().bytes();
        if (staging != null) {
            batchFilePos = batchBytes.writePosition();
            stagingBuffer.putBytes(0, recordBytes, 0, JournalFormat.BATCH_PAYLOAD_OFFSET);
            stagingLength = JournalFormat.BATCH_PAYLOAD_OFFSET;
        } else {
            batchBytes.write(recordBytes, 0, JournalFormat.BATCH_PAYLOAD_OFFSET);
        }
        batchFirstIndex = firstIndex;
        batchFirstSeq = firstSeq;
        batchCount = 0;
        batchPayloadBytes = 0;
    }

    /** Writes the open batch's table, count and CRC, ends the excerpt and reports where it landed. */
    private void closeBatch() {
        if (batchContext == null) {
            return;
        }
        final int tableLength = batchCount * JournalFormat.BATCH_TABLE_ENTRY_LENGTH;
        table.putInt(tableLength, batchCount, JournalFormat.ORDER);
        crc.update(tableBytes, 0, tableLength + 4);
        table.putInt(tableLength + 4, (int) crc.getValue(), JournalFormat.ORDER);
        if (staging != null) {
            stagingBuffer.putBytes(stagingLength, tableBytes, 0, tableLength + JournalFormat.BATCH_TRAILER_LENGTH);
            stagingLength += tableLength + JournalFormat.BATCH_TRAILER_LENGTH;
            writeStaged();
        } else {
            batchBytes.write(tableBytes, 0, tableLength + JournalFormat.BATCH_TRAILER_LENGTH);
        }
        if (pretoucher != null) {
            // The mapped journal's write position is the byte offset in the cycle file.
            pretoucher.onWritten(appender.cycle(), batchBytes.writePosition());
        }
        final DocumentContext context = batchContext;
        batchContext = null;
        batchBytes = null;
        context.close();
        final long queueIndex = appender.lastIndexAppended();
        entriesWritten += batchCount;
        recordsWritten++;
        report(batchFirstSeq, batchFirstIndex, queueIndex, batchCount);
    }

    /**
     * Positional writes: reserves the staged record's length in Chronicle's document (nothing is written through
     * the mapping), then writes the bytes there with pwrite. Mapping and file share the page cache, so a tailer
     * reads them once the document's header is written, as before; a crash before that leaves the document
     * incomplete, which replay already treats as the torn tail.
     */
    private void writeStaged() {
        batchBytes.writeSkip(stagingLength);
        final FileChannel channel = writeChannel(appender.cycle());
        staging.limit(stagingLength).position(0);
        long position = batchFilePos;
        try {
            while (staging.hasRemaining()) {
                position += channel.write(staging, position);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to journal file " + files.fileFor(writeChannelCycle)
                + " at offset " + position, e);
        }
    }

    /** The write channel of the cycle file the appender writes to now; reopened when the cycle rolls. */
    private FileChannel writeChannel(int cycle) {
        if (cycle != writeChannelCycle) {
            closeWriteChannel();
            try {
                writeChannel = FileChannel.open(files.fileFor(cycle).toPath(), StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open journal file " + files.fileFor(cycle) + " for writing", e);
            }
            writeChannelCycle = cycle;
        }
        return writeChannel;
    }

    private void closeWriteChannel() {
        if (writeChannel != null) {
            DataDirectory.closeQuietly(writeChannel);
            writeChannel = null;
            writeChannelCycle = Integer.MIN_VALUE;
        }
    }

    /** TRUNCATE/COMMIT carry one value (second is ignored); DISCARD and RESET carry two. */
    private void writeValues(byte type, long first, long second) {
        record.putByte(JournalFormat.TYPE_OFFSET, type);
        record.putLong(JournalFormat.VALUE_OFFSET, first, JournalFormat.ORDER);
        int bodyLength = JournalFormat.VALUE_RECORD_LENGTH - JournalFormat.CRC_LENGTH;
        if (type == JournalFormat.TYPE_DISCARD) {
            record.putLong(JournalFormat.DISCARD_LAST_OFFSET, second, JournalFormat.ORDER);
            bodyLength = JournalFormat.DISCARD_RECORD_LENGTH - JournalFormat.CRC_LENGTH;
        } else if (type == JournalFormat.TYPE_RESET) {
            record.putLong(JournalFormat.RESET_TERM_OFFSET, second, JournalFormat.ORDER);
            bodyLength = JournalFormat.RESET_RECORD_LENGTH - JournalFormat.CRC_LENGTH;
        }
        crc.reset();
        crc.update(recordBytes, 0, bodyLength);
        record.putInt(bodyLength, (int) crc.getValue(), JournalFormat.ORDER);
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(recordBytes, 0, bodyLength + JournalFormat.CRC_LENGTH);
        }
        recordsWritten++;
    }

    /** Writes a COMMIT hint if the commit index moved and the interval passed (or on close); returns records. */
    private int writeCommitHint(boolean force) {
        final long hint = commitHint.getAcquire();
        if (hint <= commitWritten) {
            return 0;
        }
        final long nowNs = System.nanoTime();
        if (!force && nowNs - commitWrittenNs < commitHintIntervalNs) {
            return 0;
        }
        // The hint may run ahead of this node's own log (a follower learns the leader's commit index); offline
        // tools cap it at the last entry.
        writeValues(JournalFormat.TYPE_COMMIT, hint, LogStore.NULL_VALUE);
        commitWritten = hint;
        commitWrittenNs = nowNs;
        return 1;
    }

    private void report(long firstSeq, long firstIndex, long queueIndex, int count) {
        scratch.putLong(JournalRing.WRITTEN_SEQ_OFFSET, firstSeq);
        scratch.putLong(JournalRing.WRITTEN_INDEX_OFFSET, firstIndex);
        scratch.putLong(JournalRing.WRITTEN_QUEUE_INDEX_OFFSET, queueIndex);
        scratch.putInt(JournalRing.WRITTEN_COUNT_OFFSET, count);
        // The Raft thread drains this ring every duty cycle, and also while it waits for ring space, so this
        // wait ends unless the store is closing (then the positions are no longer needed).
        while (!feedback.write(JournalRing.MSG_WRITTEN, scratch, 0, JournalRing.WRITTEN_LENGTH)) {
            if (closing) {
                return;
            }
            LockSupport.parkNanos(10_000);
        }
    }

    /**
     * Deletes the journal files of cycles below {@code cycle}. Best effort: compaction may keep more than asked,
     * so a file that cannot be deleted is logged and left, never fatal.
     */
    private void deleteCyclesBelow(int cycle) {
        try {
            int deleted = 0;
            for (final int fileCycle : files.cycles()) {
                if (fileCycle >= cycle) {
                    break;
                }
                final File file = files.fileFor(fileCycle);
                if (file.delete()) {
                    deleted++;
                } else if (file.exists()) {
                    LOG.warn("{}: could not delete compacted journal file {}", name, file);
                }
            }
            queue.refreshDirectoryListing();
            LOG.debug("{}: deleted {} journal file(s) of cycles below {}", name, deleted, cycle);
        } catch (RuntimeException e) {
            LOG.warn("{}: compaction below cycle {} failed; files are kept", name, cycle, e);
        }
    }

    /** Any of the store's threads: the first failure stops the store for good and wakes the Raft thread to see it. */
    void fail(Throwable t) {
        if (failure == null) {
            failure = StorageException.of("the journal", directory, t);
            LOG.error("{}: journal failed; the store stops accepting entries", name, t);
            final Runnable wakeup = durableWakeup;
            if (wakeup != null) {
                wakeup.run(); // the Raft thread reads LogStore.failure() and fail-stops the node
            }
        }
    }
}
