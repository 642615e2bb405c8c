package io.pontoon.transport.codec;

import io.pontoon.ResultCode;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_ADMIN_RESPONSE}, the outcome of a {@link ClientAdminRequestCodec} request,
 * little-endian:
 * <pre>
 *   0  correlationId  i64  the request's
 *   8  code           u8   {@link ResultCode} ordinal (0 OK)
 *   9  value          i64  READ_INDEX when OK: the read index; else 0
 *  17  leaderId       i32  the leader the node knows (TRANSFER_LEADERSHIP when OK: the target), 0 if unknown
 * </pre>
 * Stateless static accessors: no allocation except a failed validation's reason, any thread.
 */
public final class ClientAdminResponseCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int CODE_OFFSET = 8;
    public static final int VALUE_OFFSET = 9;
    public static final int LEADER_ID_OFFSET = 17;
    public static final int LENGTH = 21;

    private static final int RESULT_CODES = ResultCode.values().length;

    private ClientAdminResponseCodec() {
    }

    public static int encode(MutableDirectBuffer b, int o, long correlationId, ResultCode code, long value, int leaderId) {
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putByte(o + CODE_OFFSET, (byte) code.ordinal());
        b.putLong(o + VALUE_OFFSET, value, LITTLE_ENDIAN);
        b.putInt(o + LEADER_ID_OFFSET, leaderId, LITTLE_ENDIAN);
        return LENGTH;
    }

    public static long correlationId(DirectBuffer b, int o) {
        return b.getLong(o + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static ResultCode code(DirectBuffer b, int o) {
        return ResultCode.of(b.getByte(o + CODE_OFFSET) & 0xFF);
    }

    public static long value(DirectBuffer b, int o) {
        return b.getLong(o + VALUE_OFFSET, LITTLE_ENDIAN);
    }

    public static int leaderId(DirectBuffer b, int o) {
        return b.getInt(o + LEADER_ID_OFFSET, LITTLE_ENDIAN);
    }

    /** Null when the body is valid, else what is wrong. */
    public static String validate(DirectBuffer b, int o, int length) {
        if (length != LENGTH) {
            return "ClientAdminResponse body must be " + LENGTH + " bytes, got " + length;
        }
        final int code = b.getByte(o + CODE_OFFSET) & 0xFF;
        if (code >= RESULT_CODES) {
            return "ClientAdminResponse has unknown result code " + code;
        }
        return null;
    }
}
