package io.pontoon.transport.codec;

import io.pontoon.ResultCode;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_APP_RESPONSE}, the answer to an application request, little-endian:
 * <pre>
 *   0     correlationId        i64  the request's
 *   8     leaderId             i32  known leader node id, 0 if unknown
 *  12     resultCode           u8   {@link ResultCode} ordinal
 *  13     reserved             u8   0
 *  14     leaderAddressLength  u16  a, 0..255 (NOT_LEADER with a known leader: its address)
 *  16     leaderAddress        ASCII "host:port"
 *  16+a   payloadLength        i32  must equal body length - 20 - a
 *  20+a   payload              OK: the application's response; INVALID: a UTF-8 reason; else empty
 * </pre>
 */
public final class ClientAppResponseCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int LEADER_ID_OFFSET = 8;
    public static final int RESULT_CODE_OFFSET = 12;
    public static final int RESERVED_OFFSET = 13;
    public static final int LEADER_ADDRESS_LENGTH_OFFSET = 14;
    public static final int LEADER_ADDRESS_OFFSET = 16;
    /** The fixed part: the fields above without the address and the payload. */
    public static final int FIXED_LENGTH = 20;
    public static final int MAX_ADDRESS_LENGTH = 255;
    /** A reason longer than this (in UTF-8 bytes) is cut. */
    public static final int MAX_REASON_BYTES = 1024;

    private static final int RESULT_CODES = ResultCode.values().length;

    private ClientAppResponseCodec() {
    }

    /** {@code leaderAddress}: ASCII bytes, at most 255, or null; {@code payload} may be null (empty). */
    public static int encode(MutableDirectBuffer b, int o, long correlationId, ResultCode code, int leaderId,
                             byte[] leaderAddress, byte[] payload) {
        final int a = leaderAddress == null ? 0 : leaderAddress.length;
        final int n = payload == null ? 0 : payload.length;
        if (a > MAX_ADDRESS_LENGTH) {
            throw new IllegalArgumentException("leader address of " + a + " bytes; at most " + MAX_ADDRESS_LENGTH);
        }
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putInt(o + LEADER_ID_OFFSET, leaderId, LITTLE_ENDIAN);
        b.putByte(o + RESULT_CODE_OFFSET, (byte) code.ordinal());
        b.putByte(o + RESERVED_OFFSET, (byte) 0);
        b.putShort(o + LEADER_ADDRESS_LENGTH_OFFSET, (short) a, LITTLE_ENDIAN);
        if (a > 0) {
            b.putBytes(o + LEADER_ADDRESS_OFFSET, leaderAddress);
        }
        b.putInt(o + LEADER_ADDRESS_OFFSET + a, n, LITTLE_ENDIAN);
        if (n > 0) {
            b.putBytes(o + FIXED_LENGTH + a, payload);
        }
        return FIXED_LENGTH + a + n;
    }

    public static int encodedLength(byte[] leaderAddress, byte[] payload) {
        return FIXED_LENGTH + (leaderAddress == null ? 0 : leaderAddress.length)
            + (payload == null ? 0 : payload.length);
    }

    public static long correlationId(DirectBuffer b, int o) {
        return b.getLong(o + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static int leaderId(DirectBuffer b, int o) {
        return b.getInt(o + LEADER_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static ResultCode resultCode(DirectBuffer b, int o) {
        return ResultCode.of(b.getByte(o + RESULT_CODE_OFFSET) & 0xFF);
    }

    public static int leaderAddressLength(DirectBuffer b, int o) {
        return b.getShort(o + LEADER_ADDRESS_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /** The leader address, or null when none was sent. Allocates (client side only). */
    public static String leaderAddress(DirectBuffer b, int o) {
        final int length = leaderAddressLength(b, o);
        return length == 0 ? null : b.getStringWithoutLengthAscii(o + LEADER_ADDRESS_OFFSET, length);
    }

    public static int payloadLength(DirectBuffer b, int o) {
        return b.getInt(o + LEADER_ADDRESS_OFFSET + leaderAddressLength(b, o), LITTLE_ENDIAN);
    }

    /** The payload as a new array (client side). */
    public static byte[] payload(DirectBuffer b, int o) {
        final byte[] copy = new byte[payloadLength(b, o)];
        b.getBytes(o + FIXED_LENGTH + leaderAddressLength(b, o), copy);
        return copy;
    }

    /** A reason as payload bytes: UTF-8, cut to {@link #MAX_REASON_BYTES}; null stays null. */
    public static byte[] reasonBytes(String reason) {
        if (reason == null) {
            return null;
        }
        final byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_REASON_BYTES ? bytes : java.util.Arrays.copyOf(bytes, MAX_REASON_BYTES);
    }

    /** Null when the body at {@code o} of {@code length} bytes is well formed, else the reason. */
    public static String validate(DirectBuffer b, int o, int length) {
        if (length < FIXED_LENGTH) {
            return "ClientAppResponse body of " + length + " bytes is shorter than its " + FIXED_LENGTH
                + " fixed bytes";
        }
        final int code = b.getByte(o + RESULT_CODE_OFFSET) & 0xFF;
        if (code >= RESULT_CODES) {
            return "ClientAppResponse has unknown result code " + code;
        }
        final int reserved = b.getByte(o + RESERVED_OFFSET) & 0xFF;
        if (reserved != 0) {
            return "ClientAppResponse reserved byte is " + reserved + ", must be 0";
        }
        final int a = leaderAddressLength(b, o);
        if (a > MAX_ADDRESS_LENGTH || FIXED_LENGTH + a > length) {
            return "ClientAppResponse leaderAddressLength " + a + " does not fit the body's " + (length - FIXED_LENGTH)
                + " bytes after the fixed part (at most " + MAX_ADDRESS_LENGTH + ")";
        }
        final int n = b.getInt(o + LEADER_ADDRESS_OFFSET + a, LITTLE_ENDIAN);
        if (n != length - FIXED_LENGTH - a) {
            return "ClientAppResponse payloadLength " + n + " does not match the body's " + (length - FIXED_LENGTH - a)
                + " payload bytes";
        }
        return null;
    }
}
