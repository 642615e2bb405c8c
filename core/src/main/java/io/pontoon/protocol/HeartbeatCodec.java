package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over a heartbeat (type {@link MessageType#HEARTBEAT}) and its response
 * ({@link MessageType#HEARTBEAT_RESPONSE}), little-endian:
 * <pre>
 * HEARTBEAT:          0 term i64, 8 commitIndex i64, 16 round i64  (commitIndex = min(leader commit, follower match))
 * HEARTBEAT_RESPONSE: 0 term i64, 8 lastLogIndex i64, 16 round i64  (the round of the heartbeat it answers)
 * </pre>
 * Every heartbeat broadcast is a round, numbered by the leader; the answers that echo a round confirm
 * the leadership for the ReadIndex reads queued before it (thesis §6.4) and date the leader's lease.
 */
public final class HeartbeatCodec {
    public static final int LENGTH = 24;

    private DirectBuffer buffer;
    private int offset;

    public HeartbeatCodec wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** A heartbeat (or answer) of round 0: one that confirms no read. */
    public static int encode(MutableDirectBuffer b, int o, long term, long secondField) {
        return encode(b, o, term, secondField, 0);
    }

    public static int encode(MutableDirectBuffer b, int o, long term, long secondField, long round) {
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putLong(o + 8, secondField, LITTLE_ENDIAN);
        b.putLong(o + 16, round, LITTLE_ENDIAN);
        return LENGTH;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    /** HEARTBEAT: the commit index the follower may adopt. HEARTBEAT_RESPONSE: its last log index. */
    public long secondField() {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }

    /** The leader's round number (HEARTBEAT), or the one answered (HEARTBEAT_RESPONSE); never negative. */
    public long round() {
        return buffer.getLong(offset + 16, LITTLE_ENDIAN);
    }

    public static String validate(int length) {
        return length == LENGTH ? null : "Heartbeat body must be " + LENGTH + " bytes, got " + length;
    }
}
