package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Raft thread's view of the log: for each held index its term, payload length, where it sits in the
 * journal (the Chronicle queue index of its BATCH record and the payload's offset inside that record, known once
 * the journal thread reports it) and in the recent-entry cache, and its kind (data or configuration).
 * termAt/lastIndex/payloadLength/kind are a table lookup and one read of mapped memory, with no system call.
 *
 * <p>Memory: nothing here grows with the log on the Java heap or in direct memory. Each entry has a fixed
 * {@value #SLOT_LENGTH}-byte slot in a memory-mapped side file; slots live in segment files of
 * {@value #SEGMENT_ENTRIES} entries ({@code index/<segment number in hex>.idx}, 2.5 MiB, sparse) that are
 * created and mapped as the log reaches them and unmapped and deleted whole when compaction or a truncation to
 * empty or a reset leaves them behind. Nothing is ever copied or doubled. The segment table is a fixed array of
 * {@value #MAX_SEGMENTS} references (the held range may span at most that many segments, about 4.3 G
 * entries: an hour of log at 1 M entries/s, the span of one FAST_HOURLY file, fits).
 *
 * <p>The side files are a cache of the journal, not a second source of truth: opening the store deletes any
 * left behind and rebuilds them from the journal during replay; closing deletes them.
 *
 * <pre>
 * slot (little-endian, native order of the mapping)
 *   term:i64 queueIndex:i64 appendSeq:i64 cachePosition:i64 length:i32 offsetInRecord:i32
 * </pre>
 * {@code length} is as in a BATCH record's table ({@link JournalFormat}): bit 31 marks a configuration entry, bits
 * 0..30 are the payload length. Every slot is written whole by {@link #add}, so a slot reused after a truncation
 * or a reset never keeps the old entry's kind.
 *
 * <p>Owned by one thread (the Raft thread, or the opening thread during replay); not thread-safe.
 */
final class LogIndex implements AutoCloseable {
    static final int SLOT_LENGTH = 40;
    private static final int TERM = 0;
    private static final int QUEUE_INDEX = 8;
    private static final int APPEND_SEQ = 16;
    private static final int CACHE_POSITION = 24;
    private static final int LENGTH = 32;
    private static final int OFFSET = 36;

    static final int SEGMENT_SHIFT = 16;
    static final int SEGMENT_ENTRIES = 1 << SEGMENT_SHIFT;
    private static final int SEGMENT_MASK = SEGMENT_ENTRIES - 1;
    static final int SEGMENT_BYTES = SEGMENT_ENTRIES * SLOT_LENGTH;
    static final int MAX_SEGMENTS = 1 << 16;
    private static final int TABLE_MASK = MAX_SEGMENTS - 1;
    static final String SUFFIX = ".idx";

    private final Path dir;
    private final boolean deleteDirOnClose;
    private final UnsafeBuffer[] buffers = new UnsafeBuffer[MAX_SEGMENTS];
    private final MappedByteBuffer[] maps = new MappedByteBuffer[MAX_SEGMENTS];
    private final long[] segmentNumbers = new long[MAX_SEGMENTS];

    private long firstIndex = 1;
    private long lastIndex;
    /**
     * Term of the entry at firstIndex - 1 when known (after compaction in this session, or the reset point after
     * a reset), else NULL_VALUE.
     */
    private long compactedTerm = LogStore.NULL_VALUE;

    /**
     * Opens an empty index whose segment files go in {@code dir} (created if missing; stale {@code *.idx} files
     * from an earlier run are deleted, since replay rebuilds them).
     */
    LogIndex(Path dir, boolean deleteDirOnClose) {
        this.dir = dir;
        this.deleteDirOnClose = deleteDirOnClose;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create log index directory " + dir.toAbsolutePath() + ": " + e, e);
        }
        deleteSegmentFiles(dir, Long.MAX_VALUE);
        java.util.Arrays.fill(segmentNumbers, -1L);
    }

    /** An index in a fresh temporary directory, removed on close (offline tools: they must not write the node's directory). */
    static LogIndex temporary() {
        try {
            return new LogIndex(Files.createTempDirectory("pontoon-log-index"), true);
        } catch (IOException e) {
            throw new StorageException("cannot create a temporary log index directory: " + e, e);
        }
    }

    Path directory() {
        return dir;
    }

    long firstIndex() {
        return firstIndex;
    }

    long lastIndex() {
        return lastIndex;
    }

    boolean isEmpty() {
        return lastIndex < firstIndex;
    }

    boolean holds(long index) {
        return index >= firstIndex && index <= lastIndex;
    }

    long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (holds(index)) {
            return buffer(index).getLong(slot(index) + TERM);
        }
        if (index == firstIndex - 1 && index <= lastIndex) {
            return compactedTerm;
        }
        return LogStore.NULL_VALUE;
    }

    /** Payload length of a held entry. */
    int length(long index) {
        return JournalFormat.payloadLength(buffer(index).getInt(slot(index) + LENGTH));
    }

    /** Kind of a held entry: {@link LogStore#KIND_DATA} or {@link LogStore#KIND_CONFIGURATION}. */
    int kind(long index) {
        return JournalFormat.kind(buffer(index).getInt(slot(index) + LENGTH));
    }

    long queueIndex(long index) {
        return buffer(index).getLong(slot(index) + QUEUE_INDEX);
    }

    int offsetInRecord(long index) {
        return buffer(index).getInt(slot(index) + OFFSET);
    }

    long appendSeq(long index) {
        return buffer(index).getLong(slot(index) + APPEND_SEQ);
    }

    long cachePosition(long index) {
        return buffer(index).getLong(slot(index) + CACHE_POSITION);
    }

    /** Records where a held entry landed in the journal. */
    void location(long index, long queueIndex, int offsetInRecord) {
        final UnsafeBuffer buffer = buffer(index);
        final int slot = slot(index);
        buffer.putInt(slot + OFFSET, offsetInRecord);
        buffer.putLong(slot + QUEUE_INDEX, queueIndex);
    }

    /**
     * Adds the entry after the last one. If the log is empty the entry may start anywhere (replay of a compacted
     * journal); otherwise {@code index} must be {@code lastIndex + 1}, which the caller checks.
     *
     * @param lengthAndKind the payload length, with bit 31 set for a configuration entry (a BATCH table's length
     *                      field, {@link JournalFormat#tableLength})
     */
    void add(long index, long term, int lengthAndKind, long queueIndex, int offsetInRecord, long appendSeq,
             long cachePosition) {
        if (isEmpty()) {
            // The log restarts here: segments of the old range are left behind.
            releaseAllExcept(index >>> SEGMENT_SHIFT);
            if (index != lastIndex + 1) {
                // Not where the empty log ended (the first BATCH of a compacted journal): the term below is unknown.
                // At lastIndex + 1 (after a reset, or a truncation to empty) it is still the one already known.
                compactedTerm = LogStore.NULL_VALUE;
            }
            firstIndex = index;
        }
        final int tableSlot = (int) ((index >>> SEGMENT_SHIFT) & TABLE_MASK);
        if (segmentNumbers[tableSlot] != index >>> SEGMENT_SHIFT) {
            mapSegment(index >>> SEGMENT_SHIFT);
        }
        final UnsafeBuffer buffer = buffers[tableSlot];
        final int slot = slot(index);
        buffer.putLong(slot + TERM, term);
        buffer.putLong(slot + QUEUE_INDEX, queueIndex);
        buffer.putLong(slot + APPEND_SEQ, appendSeq);
        buffer.putLong(slot + CACHE_POSITION, cachePosition);
        buffer.putInt(slot + LENGTH, lengthAndKind);
        buffer.putInt(slot + OFFSET, offsetInRecord);
        lastIndex = index;
    }

    /** Drops every entry {@code >= fromIndex}; if that is all of them the empty log restarts at fromIndex. */
    void truncateFrom(long fromIndex) {
        if (fromIndex > lastIndex) {
            return;
        }
        if (fromIndex < firstIndex) {
            // Only replay gets here (a TRUNCATE below the oldest retained file): the log restarts empty.
            firstIndex = fromIndex;
            compactedTerm = LogStore.NULL_VALUE;
        }
        lastIndex = fromIndex - 1;
    }

    /**
     * Forgets entries below {@code newFirstIndex} (held, and at most lastIndex), remembering the term below, and
     * unmaps the segments wholly below it. Returns the segment number below which segment files may now be
     * deleted (the caller deletes them off the Raft thread with {@link #deleteSegmentFiles}).
     */
    long dropBefore(long newFirstIndex) {
        compactedTerm = termAt(newFirstIndex - 1);
        firstIndex = newFirstIndex;
        final long keepFrom = newFirstIndex >>> SEGMENT_SHIFT;
        for (int i = 0; i < MAX_SEGMENTS; i++) {
            if (segmentNumbers[i] >= 0 && segmentNumbers[i] < keepFrom) {
                unmap(i);
            }
        }
        return keepFrom;
    }

    /**
     * Discards every entry: the log is empty with last index {@code index}, {@code termAt(index)} is {@code term}
     * and the next entry is {@code index + 1} (LogStore.resetTo, or a RESET record in replay). Every segment but
     * the one that will hold {@code index + 1} is unmapped and its file deleted on the calling thread (a reset is
     * rare: it installs a snapshot); that one keeps its mapping, whose stale slots are rewritten before being read.
     */
    void resetTo(long index, long term) {
        releaseAllExcept((index + 1) >>> SEGMENT_SHIFT);
        firstIndex = index + 1;
        lastIndex = index;
        compactedTerm = term;
    }

    /** Deletes the segment files in {@code dir} numbered below {@code belowSegment}; best effort. */
    static int deleteSegmentFiles(Path dir, long belowSegment) {
        final File[] files = dir.toFile().listFiles((d, n) -> n.endsWith(SUFFIX));
        int deleted = 0;
        if (files != null) {
            for (final File file : files) {
                final String name = file.getName();
                long number;
                try {
                    number = Long.parseUnsignedLong(name.substring(0, name.length() - SUFFIX.length()), 16);
                } catch (NumberFormatException notOurs) {
                    continue;
                }
                if (number < belowSegment && file.delete()) {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /** Mapped segments right now (for tests). */
    int mappedSegments() {
        int n = 0;
        for (final long number : segmentNumbers) {
            if (number >= 0) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        for (int i = 0; i < MAX_SEGMENTS; i++) {
            if (segmentNumbers[i] >= 0) {
                unmap(i);
            }
        }
        deleteSegmentFiles(dir, Long.MAX_VALUE);
        if (deleteDirOnClose) {
            dir.toFile().delete();
        }
    }

    private void mapSegment(long segment) {
        final long firstSegment = isEmpty() ? segment : firstIndex >>> SEGMENT_SHIFT;
        if (segment - firstSegment >= MAX_SEGMENTS) {
            throw new StorageException("the log holds entries " + firstIndex + " to " + lastIndex
                + ": more than " + ((long) MAX_SEGMENTS * SEGMENT_ENTRIES) + " entries, the most one store "
                + "indexes; compact it (deleteBefore)");
        }
        final int tableSlot = (int) (segment & TABLE_MASK);
        if (segmentNumbers[tableSlot] >= 0) {
            // Outside the held range (checked above): a segment left above lastIndex by a truncation.
            final long stale = segmentNumbers[tableSlot];
            unmap(tableSlot);
            new File(dir.toFile(), name(stale)).delete();
        }
        final File file = new File(dir.toFile(), name(segment));
        // A file of this segment may still exist, unmapped: compaction unmapped it and the journal thread has not
        // deleted it yet, and a reset then moved the log back into its range. A new segment starts from a new file
        // (mapNewFile refuses an existing one). Should that pending deletion still run after this, it unlinks the
        // new file, which stays valid through its mapping until unmapped (rebuilt from the journal at every open).
        if (!file.delete() && file.exists()) {
            throw new StorageException("cannot replace stale log index segment " + file.getAbsolutePath());
        }
        final MappedByteBuffer map;
        try {
            // Sparse: pages are allocated when first written, so a fresh segment costs no I/O up front.
            map = IoUtil.mapNewFile(file, SEGMENT_BYTES, false);
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new StorageException("cannot create log index segment " + file.getAbsolutePath() + ": " + e, e);
        }
        maps[tableSlot] = map;
        buffers[tableSlot] = new UnsafeBuffer(map);
        segmentNumbers[tableSlot] = segment;
    }

    private void releaseAllExcept(long segment) {
        for (int i = 0; i < MAX_SEGMENTS; i++) {
            final long number = segmentNumbers[i];
            if (number >= 0 && number != segment) {
                unmap(i);
                new File(dir.toFile(), name(number)).delete();
            }
        }
    }

    private void unmap(int tableSlot) {
        IoUtil.unmap(maps[tableSlot]);
        maps[tableSlot] = null;
        buffers[tableSlot] = null;
        segmentNumbers[tableSlot] = -1;
    }

    private static String name(long segment) {
        return String.format("%016x%s", segment, SUFFIX);
    }

    private UnsafeBuffer buffer(long index) {
        return buffers[(int) ((index >>> SEGMENT_SHIFT) & TABLE_MASK)];
    }

    private static int slot(long index) {
        return (int) (index & SEGMENT_MASK) * SLOT_LENGTH;
    }
}
