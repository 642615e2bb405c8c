package io.pontoon.transport.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_APPEND_REQUEST}, little-endian:
 * <pre>
 *   0  correlationId  i64  chosen by the client, echoed in the response
 *   8  payloadLength  i32  must equal body length - 12
 *  12  payload        u8[payloadLength]
 * </pre>
 * Static accessors, no allocation.
 */
public final class ClientAppendRequestCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 8;
    public static final int PAYLOAD_OFFSET = 12;
    public static final int HEADER_LENGTH = 12;

    private ClientAppendRequestCodec() {
    }

    /** Writes the header; the caller writes the payload at {@code o + PAYLOAD_OFFSET}. Returns the body length. */
    public static int encodeHeader(MutableDirectBuffer b, int o, long correlationId, int payloadLength) {
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putInt(o + PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        return HEADER_LENGTH + payloadLength;
    }

    public static long correlationId(DirectBuffer b, int o) {
        return b.getLong(o + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static int payloadLength(DirectBuffer b, int o) {
        return b.getInt(o + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    /** Null when the body at {@code o} of {@code length} bytes is well formed, else the reason. */
    public static String validate(DirectBuffer b, int o, int length) {
        if (length < HEADER_LENGTH) {
            return "ClientAppendRequest body of " + length + " bytes is shorter than its " + HEADER_LENGTH + "-byte header";
        }
        final int payloadLength = payloadLength(b, o);
        if (payloadLength != length - HEADER_LENGTH) {
            return "ClientAppendRequest payloadLength " + payloadLength + " does not match the body's "
                + (length - HEADER_LENGTH) + " payload bytes";
        }
        return null;
    }
}
