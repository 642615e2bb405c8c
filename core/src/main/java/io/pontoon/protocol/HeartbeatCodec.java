package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over a heartbeat (type {@link MessageType#HEARTBEAT}) and its response
 * ({@link MessageType#HEARTBEAT_RESPONSE}), little-endian:
 * <pre>
 * HEARTBEAT:          0 term i64, 8 commitIndex i64  (commitIndex = min(leader commit, follower match))
 * HEARTBEAT_RESPONSE: 0 term i64, 8 lastLogIndex i64
 * </pre>
 */
public final class HeartbeatCodec {
    public static final int LENGTH = 16;

    private DirectBuffer buffer;
    private int offset;

    public HeartbeatCodec wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public static int encode(MutableDirectBuffer b, int o, long term, long secondField) {
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putLong(o + 8, secondField, LITTLE_ENDIAN);
        return LENGTH;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    /** HEARTBEAT: the commit index the follower may adopt. HEARTBEAT_RESPONSE: its last log index. */
    public long secondField() {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }

    public static String validate(int length) {
        return length == LENGTH ? null : "Heartbeat body must be " + LENGTH + " bytes, got " + length;
    }
}
