package io.pontoon.protocol;

import io.pontoon.spi.Membership;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over one chunk of an InstallSnapshot (type {@link MessageType#INSTALL_SNAPSHOT}, thesis §5.3),
 * little-endian:
 * <pre>
 *   0  term               i64  leader's term
 *   8  lastIncludedIndex  i64  the snapshot covers the log up to this index ...
 *  16  lastIncludedTerm   i64  ... whose entry has this term
 *  24  totalBytes         i64  content length of the whole snapshot
 *  32  checksum           i64  CRC32C of the whole content (identifies the bytes; checked before install)
 *  40  offset             i64  where this chunk's data starts in the content
 *  48  configLength       u16  then the snapshot's configuration (Membership.encode(): voters, learners,
 *  50  configuration      u8 x configLength                           addresses)
 *  ..  dataLength         i32  then the chunk's bytes
 * </pre>
 * The chunk is the last one when {@code offset + dataLength == totalBytes}.
 */
public final class InstallSnapshotCodec {
    public static final int FIXED_LENGTH = 50;
    /** Largest encoded configuration a chunk carries. */
    public static final int MAX_CONFIGURATION_BYTES = Membership.MAX_ENCODED_BYTES;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    /** Wraps a received body for reading. Call {@link #validate()} before trusting it. */
    public InstallSnapshotCodec wrap(DirectBuffer buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Bytes a chunk with a configuration of {@code configLength} bytes and {@code dataLength} data bytes takes. */
    public static int lengthOf(int configLength, int dataLength) {
        return FIXED_LENGTH + configLength + 4 + dataLength;
    }

    /**
     * Encodes the header and the configuration ({@link Membership#encode()}); the caller then writes
     * {@code dataLength} data bytes at {@link #dataOffset(int)} relative to {@code o}. Returns the total length.
     */
    public static int encodeHeader(MutableDirectBuffer b, int o, long term, long lastIncludedIndex,
                                   long lastIncludedTerm, long totalBytes, long checksum, long chunkOffset,
                                   byte[] configuration, int dataLength) {
        if (configuration.length > MAX_CONFIGURATION_BYTES) {
            throw new IllegalArgumentException("a snapshot's configuration of " + configuration.length
                + " bytes does not fit an InstallSnapshot");
        }
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putLong(o + 8, lastIncludedIndex, LITTLE_ENDIAN);
        b.putLong(o + 16, lastIncludedTerm, LITTLE_ENDIAN);
        b.putLong(o + 24, totalBytes, LITTLE_ENDIAN);
        b.putLong(o + 32, checksum, LITTLE_ENDIAN);
        b.putLong(o + 40, chunkOffset, LITTLE_ENDIAN);
        b.putShort(o + 48, (short) configuration.length, LITTLE_ENDIAN);
        b.putBytes(o + FIXED_LENGTH, configuration);
        b.putInt(o + FIXED_LENGTH + configuration.length, dataLength, LITTLE_ENDIAN);
        return lengthOf(configuration.length, dataLength);
    }

    /** Offset of the data bytes from the start of a body whose configuration takes {@code configLength} bytes. */
    public static int dataOffset(int configLength) {
        return FIXED_LENGTH + configLength + 4;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    public long lastIncludedIndex() {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }

    public long lastIncludedTerm() {
        return buffer.getLong(offset + 16, LITTLE_ENDIAN);
    }

    public long totalBytes() {
        return buffer.getLong(offset + 24, LITTLE_ENDIAN);
    }

    public long checksum() {
        return buffer.getLong(offset + 32, LITTLE_ENDIAN);
    }

    public long chunkOffset() {
        return buffer.getLong(offset + 40, LITTLE_ENDIAN);
    }

    public int configLength() {
        return buffer.getShort(offset + 48, LITTLE_ENDIAN) & 0xFFFF;
    }

    /** The snapshot's configuration (decoded; call after {@link #validate()}). */
    public Membership membership() {
        return Membership.decode(buffer, offset + FIXED_LENGTH, configLength());
    }

    public int dataLength() {
        return buffer.getInt(offset + FIXED_LENGTH + configLength(), LITTLE_ENDIAN);
    }

    /** Absolute offset of the data in the wrapped buffer. */
    public int dataOffset() {
        return offset + dataOffset(configLength());
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    public boolean isLast() {
        return chunkOffset() + dataLength() == totalBytes();
    }

    /** Null if the wrapped body is well formed, else what is wrong with it. */
    public String validate() {
        if (length < FIXED_LENGTH + 4) {
            return "InstallSnapshot body is " + length + " bytes, shorter than its " + (FIXED_LENGTH + 4) + "-byte header";
        }
        final int config = configLength();
        if (length < FIXED_LENGTH + config + 4) {
            return "InstallSnapshot body is " + length + " bytes, too short for its " + config
                + "-byte configuration";
        }
        try {
            membership();
        } catch (IllegalArgumentException e) {
            return "InstallSnapshot has a malformed configuration: " + e.getMessage();
        }
        final int data = dataLength();
        if (data < 0 || data != length - dataOffset(config)) {
            return "InstallSnapshot data length " + data + " does not match the body (" + length + " bytes)";
        }
        if (term() < 0 || lastIncludedIndex() < 1 || lastIncludedTerm() < 1) {
            return "InstallSnapshot has term " + term() + ", last included index " + lastIncludedIndex()
                + " of term " + lastIncludedTerm() + " (a snapshot covers index >= 1 of term >= 1)";
        }
        if (lastIncludedTerm() > term()) {
            return "InstallSnapshot's last included term " + lastIncludedTerm() + " is above the leader's term " + term();
        }
        final long total = totalBytes();
        final long at = chunkOffset();
        if (total < 0 || at < 0 || at > total || data > total - at) {
            return "InstallSnapshot chunk [" + at + ", +" + data + ") does not fit a snapshot of " + total + " bytes";
        }
        return null;
    }
}
