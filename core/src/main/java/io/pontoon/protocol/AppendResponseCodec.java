package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over an AppendEntries response (type {@link MessageType#APPEND_RESPONSE}), little-endian:
 * <pre>
 *   0  term           i64  responder's current term
 *   8  matchIndex     i64  on success: highest index known to match the leader AND durable here
 *  16  rejectedIndex  i64  on failure: prevLogIndex of the rejected request; -1 on success
 *  24  conflictTerm   i64  on failure: term of the responder's entry at rejectedIndex, -1 if it has none
 *  32  conflictIndex  i64  on failure: first index of conflictTerm here, or lastLogIndex + 1 if none
 *  40  lastLogIndex   i64  on success: highest index verified to match the leader (received, maybe not yet
 *                          durable; frees the leader's in-flight window); on failure: responder's last index
 *  48  success        u8   1 = accepted, 0 = rejected
 * </pre>
 */
public final class AppendResponseCodec {
    public static final int LENGTH = 49;

    private DirectBuffer buffer;
    private int offset;

    public AppendResponseCodec wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public static int encode(MutableDirectBuffer b, int o, long term, boolean success, long matchIndex,
                             long rejectedIndex, long conflictTerm, long conflictIndex, long lastLogIndex) {
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putLong(o + 8, matchIndex, LITTLE_ENDIAN);
        b.putLong(o + 16, rejectedIndex, LITTLE_ENDIAN);
        b.putLong(o + 24, conflictTerm, LITTLE_ENDIAN);
        b.putLong(o + 32, conflictIndex, LITTLE_ENDIAN);
        b.putLong(o + 40, lastLogIndex, LITTLE_ENDIAN);
        b.putByte(o + 48, (byte) (success ? 1 : 0));
        return LENGTH;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    public long matchIndex() {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }

    public long rejectedIndex() {
        return buffer.getLong(offset + 16, LITTLE_ENDIAN);
    }

    public long conflictTerm() {
        return buffer.getLong(offset + 24, LITTLE_ENDIAN);
    }

    public long conflictIndex() {
        return buffer.getLong(offset + 32, LITTLE_ENDIAN);
    }

    public long lastLogIndex() {
        return buffer.getLong(offset + 40, LITTLE_ENDIAN);
    }

    public boolean success() {
        return buffer.getByte(offset + 48) != 0;
    }

    public static String validate(int length) {
        return length == LENGTH ? null : "AppendResponse body must be " + LENGTH + " bytes, got " + length;
    }

    /** Null if the wrapped body's indexes can come from a correct follower, else what is wrong. */
    public String validateIndexes() {
        if (success() ? matchIndex() < 0 || lastLogIndex() < 0 : rejectedIndex() < 0) {
            return "AppendResponse names a negative index (match " + matchIndex() + ", last " + lastLogIndex()
                + ", rejected " + rejectedIndex() + ")";
        }
        return null;
    }
}
