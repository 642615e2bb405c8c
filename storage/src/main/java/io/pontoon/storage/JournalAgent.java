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
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The journal thread: the only owner of the Chronicle appender. Each duty cycle it drains up to
 * {@code maxBatchRecords} commands from the Raft thread's ring into the journal, syncs once (group commit, in
 * {@link Durability#SYNC}), then publishes the durable index and reports where the entries landed.
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
    private final boolean syncEachBatch;
    private final int maxBatchRecords;
    private final long commitHintIntervalNs;
    private final String name;
    private final MessageHandler commandHandler = this::onCommand;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64]);
    /** Record header (or a whole small record) is assembled here, checksummed, then copied to the journal. */
    private static final int CRC_SCRATCH_OFFSET = 32;
    private final byte[] recordBytes = new byte[64];
    private final UnsafeBuffer record = new UnsafeBuffer(recordBytes);
    private final CRC32C crc = new CRC32C();
    /** A view of the command ring for the JDK's intrinsic CRC32C (which takes a ByteBuffer, not an address). */
    private final ByteBuffer commandView;
    private final JournalFiles files;

    final AtomicLong durableIndex = new AtomicLong();
    final AtomicLong durableTruncations = new AtomicLong();
    /** Written by the Raft thread (onCommitIndex), read here; a hint only. */
    final AtomicLong commitHint = new AtomicLong();
    volatile Throwable failure;
    volatile boolean closing;
    /** Set once by the runtime (LogStore.durableIndexWakeup); run after each publication that moved anything. */
    volatile Runnable durableWakeup;
    /** Counters for benchmarks and metrics: written by the journal thread only, read by any thread. */
    volatile long entriesWritten;
    volatile long recordsWritten;
    volatile long syncsCompleted;

    private ExcerptAppender appender;
    private long journalLastIndex;
    private long appendSeq;
    private long truncationsWritten;
    private long discardFirst;
    private long discardLast;

    private long runSeq;
    private long runIndex;
    private long runQueueIndex;
    private int runCount;

    private long commitWritten;
    private long commitWrittenNs;

    JournalAgent(SingleChronicleQueue queue, OneToOneRingBuffer commands, OneToOneRingBuffer feedback,
                 ChronicleLogStoreOptions options, JournalReplay.Result replay) {
        this.queue = queue;
        this.commands = commands;
        this.commandView = commands.buffer().byteBuffer().duplicate();
        this.files = new JournalFiles(queue);
        this.feedback = feedback;
        this.syncEachBatch = options.durability() == Durability.SYNC;
        this.maxBatchRecords = options.maxBatchRecords();
        this.commitHintIntervalNs = options.commitHintIntervalNs();
        this.name = "pontoon-journal[" + options.directory() + "]";
        this.journalLastIndex = replay.index.lastIndex();
        this.durableIndex.set(journalLastIndex);
        this.commitWritten = replay.commitIndex;
        this.commitHint.set(replay.commitIndex);
        this.discardFirst = replay.damagedTail == null ? LogStore.NULL_VALUE : replay.firstBadQueueIndex;
        this.discardLast = replay.lastBadQueueIndex;
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

    private void start() {
        if (appender == null) {
            appender = queue.createAppender();
            if (discardFirst != LogStore.NULL_VALUE) {
                // Mark the dropped tail before anything follows it, so the next replay does not mistake it for
                // damage in the middle of the journal.
                writeValues(JournalFormat.TYPE_DISCARD, discardFirst, discardLast);
                appender.sync();
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
                endBatch();
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
                while (commands.read(commandHandler, maxBatchRecords) > 0) {
                    endBatch();
                }
                if (writeCommitHint(true) > 0) {
                    endBatch();
                }
            }
        } catch (Throwable t) {
            fail(t);
        } finally {
            if (appender != null) {
                appender.close();
            }
        }
    }

    private void endBatch() {
        flushRun();
        if (syncEachBatch) {
            appender.sync();
            syncsCompleted++;
        }
        final boolean moved = durableIndex.get() != journalLastIndex || durableTruncations.get() != truncationsWritten;
        durableIndex.setRelease(journalLastIndex);
        durableTruncations.setRelease(truncationsWritten);
        final Runnable wakeup = durableWakeup;
        if (moved && wakeup != null) {
            wakeup.run();
        }
    }

    private void onCommand(int msgTypeId, MutableDirectBuffer buffer, int offset, int length) {
        switch (msgTypeId) {
            case JournalRing.MSG_ENTRY:
                writeEntry(buffer, offset, length);
                break;
            case JournalRing.MSG_TRUNCATE: {
                final long fromIndex = buffer.getLong(offset);
                writeValues(JournalFormat.TYPE_TRUNCATE, fromIndex, LogStore.NULL_VALUE);
                journalLastIndex = Math.min(journalLastIndex, fromIndex - 1);
                truncationsWritten++;
                break;
            }
            case JournalRing.MSG_DELETE_BEFORE:
                deleteCyclesBelow(buffer.getInt(offset));
                break;
            default:
                throw new IllegalStateException("unknown journal command type " + msgTypeId);
        }
    }

    private void writeEntry(MutableDirectBuffer buffer, int offset, int length) {
        final long index = buffer.getLong(offset + JournalRing.ENTRY_INDEX_OFFSET);
        final long term = buffer.getLong(offset + JournalRing.ENTRY_TERM_OFFSET);
        final int payloadOffset = offset + JournalRing.ENTRY_HEADER_LENGTH;
        final int payloadLength = length - JournalRing.ENTRY_HEADER_LENGTH;
        record.putByte(JournalFormat.TYPE_OFFSET, JournalFormat.TYPE_ENTRY);
        record.putLong(JournalFormat.ENTRY_INDEX_OFFSET, index, JournalFormat.ORDER);
        record.putLong(JournalFormat.ENTRY_TERM_OFFSET, term, JournalFormat.ORDER);
        record.putInt(JournalFormat.ENTRY_LENGTH_OFFSET, payloadLength, JournalFormat.ORDER);
        crc.reset();
        crc.update(recordBytes, 0, JournalFormat.ENTRY_PAYLOAD_OFFSET);
        commandView.limit(payloadOffset + payloadLength).position(payloadOffset);
        crc.update(commandView);
        // The CRC trails the payload, so it is staged past the header in the scratch array.
        record.putInt(CRC_SCRATCH_OFFSET, (int) crc.getValue(), JournalFormat.ORDER);
        try (DocumentContext dc = appender.writingDocument()) {
            final Bytes<?> bytes = dc.wire().bytes();
            bytes.write(recordBytes, 0, JournalFormat.ENTRY_PAYLOAD_OFFSET);
            bytes.unsafeWrite(buffer.addressOffset() + payloadOffset, payloadLength);
            bytes.write(recordBytes, CRC_SCRATCH_OFFSET, JournalFormat.CRC_LENGTH);
        }
        final long queueIndex = appender.lastIndexAppended();
        entriesWritten++;
        recordsWritten++;
        final long seq = ++appendSeq;
        journalLastIndex = index;
        if (runCount > 0 && seq == runSeq + runCount && index == runIndex + runCount
            && queueIndex == runQueueIndex + runCount) {
            runCount++;
        } else {
            flushRun();
            runSeq = seq;
            runIndex = index;
            runQueueIndex = queueIndex;
            runCount = 1;
        }
    }

    /** TRUNCATE/COMMIT carry one value (second is ignored); DISCARD carries two. */
    private void writeValues(byte type, long first, long second) {
        record.putByte(JournalFormat.TYPE_OFFSET, type);
        record.putLong(JournalFormat.VALUE_OFFSET, first, JournalFormat.ORDER);
        int bodyLength = JournalFormat.VALUE_RECORD_LENGTH - JournalFormat.CRC_LENGTH;
        if (type == JournalFormat.TYPE_DISCARD) {
            record.putLong(JournalFormat.DISCARD_LAST_OFFSET, second, JournalFormat.ORDER);
            bodyLength = JournalFormat.DISCARD_RECORD_LENGTH - JournalFormat.CRC_LENGTH;
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

    private void flushRun() {
        if (runCount == 0) {
            return;
        }
        scratch.putLong(JournalRing.WRITTEN_SEQ_OFFSET, runSeq);
        scratch.putLong(JournalRing.WRITTEN_INDEX_OFFSET, runIndex);
        scratch.putLong(JournalRing.WRITTEN_QUEUE_INDEX_OFFSET, runQueueIndex);
        scratch.putInt(JournalRing.WRITTEN_COUNT_OFFSET, runCount);
        runCount = 0;
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

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
            LOG.error("{}: journal thread failed; the store stops accepting entries", name, t);
        }
    }
}
