package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over an AppendEntries body (type {@link MessageType#APPEND_ENTRIES}), little-endian:
 * <pre>
 *   0  term           i64
 *   8  prevLogIndex   i64
 *  16  prevLogTerm    i64
 *  24  leaderCommit   i64
 *  32  entryCount     i32
 *  36  entries: entryCount x { term i64, length i32, payload[length] }   (indices prevLogIndex+1 ...)
 * </pre>
 * Bit 31 of an entry's {@code length} field marks a configuration entry (a membership change); bits 0..30 are the
 * payload length.
 * An AppendEntries with no entries is a probe. Reuse one instance per thread; no allocation.
 */
public final class AppendEntriesCodec {
    public static final int TERM_OFFSET = 0;
    public static final int PREV_LOG_INDEX_OFFSET = 8;
    public static final int PREV_LOG_TERM_OFFSET = 16;
    public static final int LEADER_COMMIT_OFFSET = 24;
    public static final int ENTRY_COUNT_OFFSET = 32;
    public static final int HEADER_LENGTH = 36;
    public static final int ENTRY_HEADER_LENGTH = 12;
    /** Bit of an entry's length field that marks a configuration entry. */
    public static final int CONFIGURATION_FLAG = 0x8000_0000;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutable;
    private int offset;
    private int length;
    private int writeOffset;

    /** Wraps a received body for reading. Call {@link #validate()} before trusting it. */
    public AppendEntriesCodec wrap(DirectBuffer buffer, int offset, int length) {
        this.buffer = buffer;
        this.mutable = null;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Starts encoding a body at {@code offset}; append entries with {@link #appendEntry}. */
    public AppendEntriesCodec encode(MutableDirectBuffer buffer, int offset, long term, long prevLogIndex,
                                     long prevLogTerm, long leaderCommit) {
        this.buffer = buffer;
        this.mutable = buffer;
        this.offset = offset;
        buffer.putLong(offset + TERM_OFFSET, term, LITTLE_ENDIAN);
        buffer.putLong(offset + PREV_LOG_INDEX_OFFSET, prevLogIndex, LITTLE_ENDIAN);
        buffer.putLong(offset + PREV_LOG_TERM_OFFSET, prevLogTerm, LITTLE_ENDIAN);
        buffer.putLong(offset + LEADER_COMMIT_OFFSET, leaderCommit, LITTLE_ENDIAN);
        buffer.putInt(offset + ENTRY_COUNT_OFFSET, 0, LITTLE_ENDIAN);
        this.writeOffset = offset + HEADER_LENGTH;
        this.length = HEADER_LENGTH;
        return this;
    }

    /** Appends one data entry to the body being encoded; the caller ensures capacity. */
    public void appendEntry(long term, DirectBuffer src, int srcOffset, int srcLength) {
        appendEntry(term, false, src, srcOffset, srcLength);
    }

    /** Appends one entry, a configuration entry if {@code configuration}; the caller ensures capacity. */
    public void appendEntry(long term, boolean configuration, DirectBuffer src, int srcOffset, int srcLength) {
        mutable.putLong(writeOffset, term, LITTLE_ENDIAN);
        mutable.putInt(writeOffset + 8, configuration ? srcLength | CONFIGURATION_FLAG : srcLength, LITTLE_ENDIAN);
        mutable.putBytes(writeOffset + ENTRY_HEADER_LENGTH, src, srcOffset, srcLength);
        writeOffset += ENTRY_HEADER_LENGTH + srcLength;
        length = writeOffset - offset;
        mutable.putInt(offset + ENTRY_COUNT_OFFSET, entryCount() + 1, LITTLE_ENDIAN);
    }

    /** Encoded length so far (or the wrapped length when reading). */
    public int length() {
        return length;
    }

    public long term() {
        return buffer.getLong(offset + TERM_OFFSET, LITTLE_ENDIAN);
    }

    public long prevLogIndex() {
        return buffer.getLong(offset + PREV_LOG_INDEX_OFFSET, LITTLE_ENDIAN);
    }

    public long prevLogTerm() {
        return buffer.getLong(offset + PREV_LOG_TERM_OFFSET, LITTLE_ENDIAN);
    }

    public long leaderCommit() {
        return buffer.getLong(offset + LEADER_COMMIT_OFFSET, LITTLE_ENDIAN);
    }

    public int entryCount() {
        return buffer.getInt(offset + ENTRY_COUNT_OFFSET, LITTLE_ENDIAN);
    }

    /** Offset (absolute, in the wrapped buffer) of the first entry header. */
    public int firstEntryOffset() {
        return offset + HEADER_LENGTH;
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    /** Term of the entry whose header starts at {@code entryOffset}. */
    public long entryTerm(int entryOffset) {
        return buffer.getLong(entryOffset, LITTLE_ENDIAN);
    }

    public int entryLength(int entryOffset) {
        return buffer.getInt(entryOffset + 8, LITTLE_ENDIAN) & ~CONFIGURATION_FLAG;
    }

    /** Whether the entry whose header starts at {@code entryOffset} is a configuration entry. */
    public boolean entryIsConfiguration(int entryOffset) {
        return (buffer.getInt(entryOffset + 8, LITTLE_ENDIAN) & CONFIGURATION_FLAG) != 0;
    }

    public static int entryPayloadOffset(int entryOffset) {
        return entryOffset + ENTRY_HEADER_LENGTH;
    }

    public int nextEntryOffset(int entryOffset) {
        return entryOffset + ENTRY_HEADER_LENGTH + entryLength(entryOffset);
    }

    /**
     * Checks that the wrapped body is well formed: header present, counts and lengths consistent with
     * the body length, no negative values. Returns null when valid, else a reason naming what is wrong.
     */
    public String validate() {
        if (length < HEADER_LENGTH) {
            return "AppendEntries body of " + length + " bytes is shorter than its " + HEADER_LENGTH + "-byte header";
        }
        if (term() < 0 || prevLogIndex() < 0 || prevLogTerm() < 0 || leaderCommit() < 0) {
            return "AppendEntries has a negative term or index";
        }
        final int count = entryCount();
        if (count < 0) {
            return "AppendEntries has negative entry count " + count;
        }
        int pos = offset + HEADER_LENGTH;
        final int end = offset + length;
        for (int i = 0; i < count; i++) {
            if (end - pos < ENTRY_HEADER_LENGTH) {
                return "AppendEntries entry " + i + " header runs past the body end";
            }
            final int len = entryLength(pos);
            if (len < 0 || len > end - pos - ENTRY_HEADER_LENGTH) {
                return "AppendEntries entry " + i + " has bad length " + len;
            }
            if (entryTerm(pos) < 0) {
                return "AppendEntries entry " + i + " has negative term";
            }
            if (entryIsConfiguration(pos)) {
                try {
                    io.pontoon.spi.Membership.decode(buffer, entryPayloadOffset(pos), len);
                } catch (IllegalArgumentException e) {
                    return "AppendEntries entry " + i + " is a malformed configuration entry: " + e.getMessage();
                }
            }
            pos += ENTRY_HEADER_LENGTH + len;
        }
        if (pos != end) {
            return "AppendEntries has " + (end - pos) + " trailing bytes";
        }
        return null;
    }
}
