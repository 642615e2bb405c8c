package io.pontoon.transport.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_APP_REQUEST}, an application's request (opaque to Pontoon), little-endian:
 * <pre>
 *   0  correlationId  i64  chosen by the client, echoed in the response
 *   8  payloadLength  i32  must equal body length - 12
 *  12  payload        u8[payloadLength]  the application's request bytes
 * </pre>
 * Static accessors, no allocation.
 */
public final class ClientAppRequestCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 8;
    public static final int PAYLOAD_OFFSET = 12;
    public static final int HEADER_LENGTH = 12;

    private ClientAppRequestCodec() {
    }

    /** Writes the header and {@code payload}. Returns the body length. */
    public static int encode(MutableDirectBuffer b, int o, long correlationId, byte[] payload) {
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putInt(o + PAYLOAD_LENGTH_OFFSET, payload.length, LITTLE_ENDIAN);
        b.putBytes(o + PAYLOAD_OFFSET, payload);
        return HEADER_LENGTH + payload.length;
    }

    public static int encodedLength(byte[] payload) {
        return HEADER_LENGTH + payload.length;
    }

    public static long correlationId(DirectBuffer b, int o) {
        return b.getLong(o + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static int payloadLength(DirectBuffer b, int o) {
        return b.getInt(o + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    /** The payload as a new array. */
    public static byte[] payload(DirectBuffer b, int o) {
        final byte[] copy = new byte[payloadLength(b, o)];
        b.getBytes(o + PAYLOAD_OFFSET, copy);
        return copy;
    }

    /** Null when the body at {@code o} of {@code length} bytes is well formed, else the reason. */
    public static String validate(DirectBuffer b, int o, int length) {
        if (length < HEADER_LENGTH) {
            return "ClientAppRequest body of " + length + " bytes is shorter than its " + HEADER_LENGTH
                + "-byte header";
        }
        final int payloadLength = payloadLength(b, o);
        if (payloadLength != length - HEADER_LENGTH) {
            return "ClientAppRequest payloadLength " + payloadLength + " does not match the body's "
                + (length - HEADER_LENGTH) + " payload bytes";
        }
        return null;
    }
}
