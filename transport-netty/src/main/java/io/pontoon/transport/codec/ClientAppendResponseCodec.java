package io.pontoon.transport.codec;

import io.pontoon.ResultCode;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_APPEND_RESPONSE}, little-endian:
 * <pre>
 *   0  correlationId        i64  the request's
 *   8  lsn                  i64  log index when OK (also LEADERSHIP_LOST/TIMEOUT: the index it had), else -1
 *  16  leaderId             i32  known leader node id, 0 if unknown
 *  20  resultCode           u8   {@link ResultCode} ordinal: 0 OK, 1 NOT_LEADER, 2 REJECTED_BUSY,
 *                                3 LEADERSHIP_LOST, 4 TIMEOUT, 5 INVALID, 6 CLOSED
 *  21  reserved             u8   0
 *  22  leaderAddressLength  u16  0 if unknown
 *  24  leaderAddress        ASCII "host:port" of the leader, for redirects
 * </pre>
 */
public final class ClientAppendResponseCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int LSN_OFFSET = 8;
    public static final int LEADER_ID_OFFSET = 16;
    public static final int RESULT_CODE_OFFSET = 20;
    public static final int LEADER_ADDRESS_LENGTH_OFFSET = 22;
    public static final int LEADER_ADDRESS_OFFSET = 24;
    public static final int HEADER_LENGTH = 24;
    public static final int MAX_ADDRESS_LENGTH = 255;

    private static final int RESULT_CODES = ResultCode.values().length;

    private ClientAppendResponseCodec() {
    }

    /** {@code leaderAddress} is ASCII bytes (may be null). Returns the body length. */
    public static int encode(MutableDirectBuffer b, int o, long correlationId, ResultCode code, long lsn, int leaderId,
                             byte[] leaderAddress) {
        final int addressLength = leaderAddress == null ? 0 : leaderAddress.length;
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putLong(o + LSN_OFFSET, lsn, LITTLE_ENDIAN);
        b.putInt(o + LEADER_ID_OFFSET, leaderId, LITTLE_ENDIAN);
        b.putByte(o + RESULT_CODE_OFFSET, (byte) code.ordinal());
        b.putByte(o + RESULT_CODE_OFFSET + 1, (byte) 0);
        b.putShort(o + LEADER_ADDRESS_LENGTH_OFFSET, (short) addressLength, LITTLE_ENDIAN);
        if (addressLength > 0) {
            b.putBytes(o + LEADER_ADDRESS_OFFSET, leaderAddress);
        }
        return HEADER_LENGTH + addressLength;
    }

    public static int encodedLength(byte[] leaderAddress) {
        return HEADER_LENGTH + (leaderAddress == null ? 0 : leaderAddress.length);
    }

    public static long correlationId(DirectBuffer b, int o) {
        return b.getLong(o + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static long lsn(DirectBuffer b, int o) {
        return b.getLong(o + LSN_OFFSET, LITTLE_ENDIAN);
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

    public static String validate(DirectBuffer b, int o, int length) {
        if (length < HEADER_LENGTH) {
            return "ClientAppendResponse body of " + length + " bytes is shorter than its " + HEADER_LENGTH + "-byte header";
        }
        final int code = b.getByte(o + RESULT_CODE_OFFSET) & 0xFF;
        if (code >= RESULT_CODES) {
            return "ClientAppendResponse has unknown result code " + code;
        }
        final int addressLength = leaderAddressLength(b, o);
        if (addressLength != length - HEADER_LENGTH) {
            return "ClientAppendResponse leaderAddressLength " + addressLength + " does not match the body's "
                + (length - HEADER_LENGTH) + " trailing bytes";
        }
        return null;
    }

    /** ASCII bytes of "host:port", or null when {@code address} is null. */
    public static byte[] addressBytes(String address) {
        if (address == null) {
            return null;
        }
        final byte[] bytes = address.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_ADDRESS_LENGTH) {
            throw new IllegalArgumentException("leader address longer than " + MAX_ADDRESS_LENGTH + " bytes: " + address);
        }
        return bytes;
    }
}
