package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;

/**
 * Rebuilds the log from the journal at open: applies BATCH, TRUNCATE and RESET records in order (each entry with
 * its kind, from bit 31 of its table length), keeps the highest COMMIT hint, and sorts damage into the two cases
 * the recovery rules distinguish.
 *
 * <ul>
 *   <li>Damaged records at the very end (a torn write, bytes flipped in the tail): every intact record before
 *   them is kept, they are dropped, and {@link Result#damagedTail} describes them so the caller can log a
 *   warning and write a DISCARD record (so the next replay skips them even though records follow).</li>
 *   <li>A damaged record followed by an intact one that is not a DISCARD covering it, or records that
 *   contradict each other (a BATCH that does not follow the last index): {@link JournalCorruptedException}.</li>
 * </ul>
 */
final class JournalReplay {
    /** What the journal holds. */
    static final class Result {
        final LogIndex index;
        long commitIndex;
        long recordCount;
        /** Queue index of the last excerpt read, intact or not; NULL_VALUE for an empty journal. */
        long lastQueueIndex = LogStore.NULL_VALUE;
        /** Non-null if a damaged tail was dropped: names file, byte position, queue index and reason. */
        String damagedTail;
        long firstBadQueueIndex = LogStore.NULL_VALUE;
        long lastBadQueueIndex = LogStore.NULL_VALUE;
        /** The last RESET record applied (index and term), or NULL_VALUE if none is left in the journal. */
        long resetIndex = LogStore.NULL_VALUE;
        long resetTerm = LogStore.NULL_VALUE;
        /**
         * False until a BATCH or RESET fixed where the log ends: until then the first BATCH may start anywhere (the
         * first remaining file of a compacted journal); afterwards every BATCH starts at lastIndex + 1.
         */
        boolean positioned;

        Result(LogIndex index) {
            this.index = index;
        }
    }

    private JournalReplay() {
    }

    /**
     * Replays {@code queue} into {@code index} (empty; the caller owns and closes it, also on failure).
     *
     * @throws StorageException if the journal was written in the old per-entry format
     */
    static Result replay(SingleChronicleQueue queue, LogIndex index) {
        final Result result = new Result(index);
        final UnsafeBuffer record = new UnsafeBuffer(0, 0);
        final JournalFormat.Checksum checksum = new JournalFormat.Checksum();
        String firstBadWhere = null;
        final RollCycle rollCycle = queue.rollCycle();
        try (ExcerptTailer tailer = queue.createTailer()) {
            // File by file from the directory listing: a cycle file without Chronicle's end-of-cycle marker (a
            // node stopped or killed, restarted in a later cycle) would otherwise stop the tailer early.
            // Where the markers are present the tailer crosses into the next file by itself.
            for (final int cycle : new JournalFiles(queue).cycles()) {
                if (result.lastQueueIndex != LogStore.NULL_VALUE && rollCycle.toCycle(result.lastQueueIndex) >= cycle
                    || !tailer.moveToCycle(cycle)) {
                    continue;
                }
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        final long queueIndex = dc.index();
                        final Bytes<?> bytes = dc.wire().bytes();
                        final long position = bytes.readPosition();
                        final int length = (int) bytes.readRemaining();
                        record.wrap(bytes.addressForRead(position), length);
                        result.lastQueueIndex = queueIndex;
                        result.recordCount++;

                        final String damage = JournalFormat.validate(record, length, checksum);
                        if (damage == JournalFormat.LEGACY_REASON) {
                            throw new StorageException("journal record at " + where(tailer.currentFile(), position,
                                queueIndex) + " is a " + JournalFormat.LEGACY_REASON + " of the old per-entry journal "
                                + "format, written by an older Pontoon. This version reads only the batch format "
                                + "(BATCH records, see docs/STORAGE.md) and cannot open this journal. Move "
                                + queue.file() + " away (or wipe the node's directory and let it catch up from the "
                                + "leader).");
                        }
                        if (damage != null) {
                            if (result.firstBadQueueIndex == LogStore.NULL_VALUE) {
                                result.firstBadQueueIndex = queueIndex;
                                firstBadWhere = where(tailer.currentFile(), position, queueIndex) + ": " + damage;
                            }
                            result.lastBadQueueIndex = queueIndex;
                            continue;
                        }
                        final byte type = record.getByte(JournalFormat.TYPE_OFFSET);
                        if (type == JournalFormat.TYPE_DISCARD) {
                            final long first = record.getLong(JournalFormat.DISCARD_FIRST_OFFSET, JournalFormat.ORDER);
                            final long last = record.getLong(JournalFormat.DISCARD_LAST_OFFSET, JournalFormat.ORDER);
                            if (result.firstBadQueueIndex != LogStore.NULL_VALUE
                                && first <= result.firstBadQueueIndex && last >= result.lastBadQueueIndex) {
                                // A previous recovery already dropped this damaged tail; records after it are valid.
                                result.firstBadQueueIndex = LogStore.NULL_VALUE;
                                result.lastBadQueueIndex = LogStore.NULL_VALUE;
                                firstBadWhere = null;
                            }
                            continue;
                        }
                        if (result.firstBadQueueIndex != LogStore.NULL_VALUE) {
                            throw new JournalCorruptedException("journal record at " + firstBadWhere
                                + ", but an intact record follows it at " + where(tailer.currentFile(), position, queueIndex)
                                + ". This is damage inside the journal, not a torn write at its end; refusing to start "
                                + "rather than lose entries that may be committed. Restore this node's directory "
                                + "(or wipe it and let the node catch up from the leader).");
                        }
                        apply(type, record, length, queueIndex, index, result, tailer.currentFile(), position);
                    }
                }
            }
            if (result.firstBadQueueIndex != LogStore.NULL_VALUE) {
                result.damagedTail = firstBadWhere;
            }
        }
        // A writer killed inside writingDocument() leaves an unfinished excerpt that Chronicle has not indexed and
        // that the next appender overwrites. If Chronicle's index counts excerpts the reader could not reach, the
        // reader stopped early: either an excerpt header was damaged after it was written, or an unfinished one is
        // already indexed. Anything appended after it would be invisible to the next replay, so refuse.
        final long chronicleLast = queue.lastIndex();
        final long readLast = result.lastQueueIndex;
        if (chronicleLast != LogStore.NULL_VALUE && chronicleLast > readLast) {
            throw new JournalCorruptedException("journal in " + queue.file() + " indexes excerpts up to queue index 0x"
                + Long.toHexString(chronicleLast) + " but only 0x" + Long.toHexString(readLast)
                + " and earlier can be read: the excerpt after it is unfinished or its header is damaged, and "
                + "entries written after it would be lost on the next restart. Refusing to start.");
        }
        return result;
    }

    private static void apply(byte type, UnsafeBuffer record, int length, long queueIndex, LogIndex index,
                              Result result, File file, long position) {
        switch (type) {
            case JournalFormat.TYPE_BATCH: {
                final long first = record.getLong(JournalFormat.BATCH_FIRST_INDEX_OFFSET, JournalFormat.ORDER);
                if ((result.positioned || !index.isEmpty()) && first != index.lastIndex() + 1) {
                    throw new JournalCorruptedException("journal record at " + where(file, position, queueIndex)
                        + " is a BATCH starting at index " + first + " but the log ends at " + index.lastIndex()
                        + "; the journal contradicts itself. Refusing to start.");
                }
                result.positioned = true;
                final int count = JournalFormat.batchCount(record, length);
                final int table = JournalFormat.batchTableOffset(length, count);
                int payloadOffset = JournalFormat.BATCH_PAYLOAD_OFFSET;
                for (int k = 0; k < count; k++) {
                    final int at = table + k * JournalFormat.BATCH_TABLE_ENTRY_LENGTH;
                    final long term = record.getLong(at + JournalFormat.BATCH_TABLE_TERM_OFFSET, JournalFormat.ORDER);
                    // The length field as it is, kind bit included: the index keeps both.
                    final int lengthAndKind = record.getInt(at + JournalFormat.BATCH_TABLE_LENGTH_OFFSET,
                        JournalFormat.ORDER);
                    index.add(first + k, term, lengthAndKind, queueIndex, payloadOffset, 0, LogStore.NULL_VALUE);
                    payloadOffset += JournalFormat.payloadLength(lengthAndKind);
                }
                break;
            }
            case JournalFormat.TYPE_TRUNCATE:
                index.truncateFrom(record.getLong(JournalFormat.VALUE_OFFSET, JournalFormat.ORDER));
                break;
            case JournalFormat.TYPE_RESET: {
                final long resetIndex = record.getLong(JournalFormat.RESET_INDEX_OFFSET, JournalFormat.ORDER);
                final long resetTerm = record.getLong(JournalFormat.RESET_TERM_OFFSET, JournalFormat.ORDER);
                if (resetIndex < 1 || resetIndex == Long.MAX_VALUE || resetTerm < 1) {
                    throw new JournalCorruptedException("journal record at " + where(file, position, queueIndex)
                        + " is an intact RESET to index " + resetIndex + " of term " + resetTerm
                        + ", which no writer produces; the journal contradicts itself. Refusing to start.");
                }
                // Every entry before it is gone, whatever the old log held: the next BATCH starts at resetIndex + 1.
                index.resetTo(resetIndex, resetTerm);
                result.resetIndex = resetIndex;
                result.resetTerm = resetTerm;
                result.positioned = true;
                break;
            }
            case JournalFormat.TYPE_COMMIT:
                result.commitIndex = Math.max(result.commitIndex,
                    record.getLong(JournalFormat.VALUE_OFFSET, JournalFormat.ORDER));
                break;
            default:
                throw new IllegalStateException("validated record has unknown type " + type);
        }
    }

    static String where(File file, long position, long queueIndex) {
        return "file " + file + " byte offset " + position + " (queue index 0x" + Long.toHexString(queueIndex) + ")";
    }
}
