package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over the answer to an InstallSnapshot chunk (type {@link MessageType#INSTALL_SNAPSHOT_RESPONSE}),
 * little-endian:
 * <pre>
 *   0  term               i64  responder's current term
 *   8  lastIncludedIndex  i64  the snapshot being answered
 *  16  nextOffset         i64  content bytes received in order so far: the leader goes on from here
 *                              (0 after the follower lost or refused a partial transfer)
 *  24  flags              u8   bit 0 INSTALLED: the snapshot is installed (or not needed), go on with
 *                              AppendEntries; bit 1 REFUSED: the chunk did not start at nextOffset (a gap),
 *                              resend from nextOffset
 * </pre>
 */
public final class InstallSnapshotResponseCodec {
    public static final int LENGTH = 25;

    private DirectBuffer buffer;
    private int offset;

    public InstallSnapshotResponseCodec wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public static final int INSTALLED = 1;
    public static final int REFUSED = 2;

    public static int encode(MutableDirectBuffer b, int o, long term, long lastIncludedIndex, long nextOffset,
                             int flags) {
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putLong(o + 8, lastIncludedIndex, LITTLE_ENDIAN);
        b.putLong(o + 16, nextOffset, LITTLE_ENDIAN);
        b.putByte(o + 24, (byte) flags);
        return LENGTH;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    public long lastIncludedIndex() {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }

    public long nextOffset() {
        return buffer.getLong(offset + 16, LITTLE_ENDIAN);
    }

    public boolean installed() {
        return (buffer.getByte(offset + 24) & INSTALLED) != 0;
    }

    public boolean refused() {
        return (buffer.getByte(offset + 24) & REFUSED) != 0;
    }

    public static String validate(int length) {
        return length == LENGTH ? null : "InstallSnapshotResponse body must be " + LENGTH + " bytes, got " + length;
    }
}
