package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over a follower's ReadIndex request (type {@link MessageType#READ_INDEX}) and the leader's answer
 * ({@link MessageType#READ_INDEX_RESPONSE}), little-endian:
 * <pre>
 * READ_INDEX:          0 term i64, 8 requestId i64
 * READ_INDEX_RESPONSE: 0 term i64, 8 requestId i64, 16 readIndex i64, 24 code i32
 * </pre>
 * A follower serves a linearizable read through the leader (thesis §6.4): it asks for a read index, the leader
 * confirms its leadership with a heartbeat round and answers with its commit index of that moment, and the
 * follower serves the read once it has applied that index. {@code code} is a {@code ResultCode} ordinal: OK, or
 * why there is no index (NOT_LEADER, TIMEOUT). One request stands for every read the follower queued before it.
 */
public final class ReadIndexCodec {
    public static final int REQUEST_LENGTH = 16;
    public static final int RESPONSE_LENGTH = 28;

    private DirectBuffer buffer;
    private int offset;

    public ReadIndexCodec wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public static int encodeRequest(MutableDirectBuffer b, int o, long term, long requestId) {
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putLong(o + 8, requestId, LITTLE_ENDIAN);
        return REQUEST_LENGTH;
    }

    public static int encodeResponse(MutableDirectBuffer b, int o, long term, long requestId, long readIndex,
                                     int code) {
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putLong(o + 8, requestId, LITTLE_ENDIAN);
        b.putLong(o + 16, readIndex, LITTLE_ENDIAN);
        b.putInt(o + 24, code, LITTLE_ENDIAN);
        return RESPONSE_LENGTH;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    public long requestId() {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }

    /** READ_INDEX_RESPONSE only. */
    public long readIndex() {
        return buffer.getLong(offset + 16, LITTLE_ENDIAN);
    }

    /** READ_INDEX_RESPONSE only. */
    public int code() {
        return buffer.getInt(offset + 24, LITTLE_ENDIAN);
    }

    public static String validateRequest(int length) {
        return length == REQUEST_LENGTH ? null
            : "ReadIndex request body must be " + REQUEST_LENGTH + " bytes, got " + length;
    }

    /** Length, then the fields: a negative id or index, or an unknown code, is malformed. */
    public String validateResponse(int length, int codes) {
        if (length != RESPONSE_LENGTH) {
            return "ReadIndex response body must be " + RESPONSE_LENGTH + " bytes, got " + length;
        }
        if (requestId() < 0 || readIndex() < 0) {
            return "ReadIndex response has negative request id " + requestId() + " or index " + readIndex();
        }
        if (code() < 0 || code() >= codes) {
            return "ReadIndex response has unknown result code " + code();
        }
        return null;
    }
}
