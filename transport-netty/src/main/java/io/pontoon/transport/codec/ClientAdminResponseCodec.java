package io.pontoon.transport.codec;

import io.pontoon.ResultCode;
import io.pontoon.spi.Membership;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_ADMIN_RESPONSE}, the outcome of a {@link ClientAdminRequestCodec} request,
 * little-endian:
 * <pre>
 *   0  correlationId        i64  the request's
 *   8  code                 u8   {@link ResultCode} ordinal (0 OK)
 *   9  value                i64  READ_INDEX when OK: the read index; else 0
 *  17  leaderId             i32  the leader the node knows (TRANSFER_LEADERSHIP when OK: the target), 0 if unknown
 *  The answer to a membership op (MEMBERS, ADD_LEARNER, ADD_VOTER, PROMOTE, REMOVE_MEMBER), and a refused FAULT, go
 *  on; the answer to any other op ends here (21 bytes):
 *  21  leaderAddressLength  u16  a (0 .. 255)
 *  23  leaderAddress        ASCII "host:port" of leaderId, empty if unknown
 *  23+a  configLength       u16  c (0 .. Membership.MAX_ENCODED_BYTES)
 *  25+a  configuration      Membership.encode(): when OK the resulting configuration (MEMBERS: the one in effect on
 *                           the node); when refused the one in effect on the node; empty if the node has none
 *  25+a+c  reasonLength     u16  r (0 .. 1024)
 *  27+a+c  reason           UTF-8, why a change or a FAULT was INVALID (e.g. "node 4 is already a member ..."), else
 *                           empty
 * </pre>
 * Stateless static accessors, any thread: no allocation except a failed validation's reason and the decoding
 * accessors of the membership tail ({@link #leaderAddress}, {@link #membership}, {@link #reason}), which only
 * clients call. {@link #validate} decodes the configuration to check it (admin answers are rare).
 */
public final class ClientAdminResponseCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int CODE_OFFSET = 8;
    public static final int VALUE_OFFSET = 9;
    public static final int LEADER_ID_OFFSET = 17;
    public static final int LENGTH = 21;
    public static final int LEADER_ADDRESS_LENGTH_OFFSET = 21;
    /** Smallest answer to a membership op: the three lengths, every field empty. */
    public static final int MIN_MEMBERSHIP_LENGTH = LENGTH + 6;
    public static final int MAX_ADDRESS_BYTES = 255;
    public static final int MAX_REASON_BYTES = 1024;

    private static final int RESULT_CODES = ResultCode.values().length;

    private ClientAdminResponseCodec() {
    }

    /** The 21-byte answer to TRANSFER_LEADERSHIP or READ_INDEX. Returns the body length. */
    public static int encode(MutableDirectBuffer b, int o, long correlationId, ResultCode code, long value, int leaderId) {
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putByte(o + CODE_OFFSET, (byte) code.ordinal());
        b.putLong(o + VALUE_OFFSET, value, LITTLE_ENDIAN);
        b.putInt(o + LEADER_ID_OFFSET, leaderId, LITTLE_ENDIAN);
        return LENGTH;
    }

    /**
     * The answer to a membership op. {@code leaderAddress} (ASCII), {@code configuration} ({@link Membership#encode})
     * and {@code reason} (UTF-8) may be null for empty; longer than their limits is a bug in the caller (see
     * {@link #reasonBytes} to cut a reason). Returns the body length, {@link #membershipLength}.
     */
    public static int encodeMembership(MutableDirectBuffer b, int o, long correlationId, ResultCode code, int leaderId,
                                       byte[] leaderAddress, byte[] configuration, byte[] reason) {
        encode(b, o, correlationId, code, 0, leaderId);
        int at = o + LEADER_ADDRESS_LENGTH_OFFSET;
        at = putField(b, at, leaderAddress, MAX_ADDRESS_BYTES, "leaderAddress");
        at = putField(b, at, configuration, Membership.MAX_ENCODED_BYTES, "configuration");
        at = putField(b, at, reason, MAX_REASON_BYTES, "reason");
        return at - o;
    }

    private static int putField(MutableDirectBuffer b, int at, byte[] field, int max, String name) {
        final int length = field == null ? 0 : field.length;
        if (length > max) {
            throw new IllegalArgumentException("ClientAdminResponse " + name + " of " + length + " bytes exceeds " + max);
        }
        b.putShort(at, (short) length, LITTLE_ENDIAN);
        if (length > 0) {
            b.putBytes(at + 2, field);
        }
        return at + 2 + length;
    }

    /** The body length of {@link #encodeMembership} with these fields (null for empty). */
    public static int membershipLength(byte[] leaderAddress, byte[] configuration, byte[] reason) {
        return MIN_MEMBERSHIP_LENGTH + (leaderAddress == null ? 0 : leaderAddress.length)
            + (configuration == null ? 0 : configuration.length) + (reason == null ? 0 : reason.length);
    }

    /** UTF-8 of {@code reason}, cut to at most {@link #MAX_REASON_BYTES} (on a character boundary); null for null. */
    public static byte[] reasonBytes(String reason) {
        if (reason == null) {
            return null;
        }
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        int end = reason.length();
        while (bytes.length > MAX_REASON_BYTES) {
            end -= Math.max(1, (bytes.length - MAX_REASON_BYTES) / 4); // a character takes at most 4 bytes
            if (Character.isHighSurrogate(reason.charAt(end - 1))) {
                end--;
            }
            bytes = (reason.substring(0, end) + "...").getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
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

    /** True when a validated body of {@code length} bytes is the answer to a membership op. */
    public static boolean hasMembershipTail(int length) {
        return length > LENGTH;
    }

    /** The leader's address in a validated membership answer, or null if empty. */
    public static String leaderAddress(DirectBuffer b, int o) {
        final int length = fieldLength(b, o, 0);
        return length == 0 ? null : b.getStringWithoutLengthAscii(fieldStart(b, o, 0) + 2, length);
    }

    /** The configuration in a validated membership answer, or null if empty. */
    public static Membership membership(DirectBuffer b, int o) {
        final int length = fieldLength(b, o, 1);
        return length == 0 ? null : Membership.decode(b, fieldStart(b, o, 1) + 2, length);
    }

    /** The reason in a validated membership answer, or null if empty. */
    public static String reason(DirectBuffer b, int o) {
        final int length = fieldLength(b, o, 2);
        if (length == 0) {
            return null;
        }
        final byte[] bytes = new byte[length];
        b.getBytes(fieldStart(b, o, 2) + 2, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Offset of the length prefix of tail field {@code index} (0 leaderAddress, 1 configuration, 2 reason). */
    private static int fieldStart(DirectBuffer b, int o, int index) {
        int at = o + LEADER_ADDRESS_LENGTH_OFFSET;
        for (int i = 0; i < index; i++) {
            at += 2 + (b.getShort(at, LITTLE_ENDIAN) & 0xFFFF);
        }
        return at;
    }

    private static int fieldLength(DirectBuffer b, int o, int index) {
        return b.getShort(fieldStart(b, o, index), LITTLE_ENDIAN) & 0xFFFF;
    }

    /** Null when the body is valid, else what is wrong. */
    public static String validate(DirectBuffer b, int o, int length) {
        if (length != LENGTH && length < MIN_MEMBERSHIP_LENGTH) {
            return "ClientAdminResponse body must be " + LENGTH + " bytes, or at least " + MIN_MEMBERSHIP_LENGTH
                + " for a membership answer, got " + length;
        }
        final int code = b.getByte(o + CODE_OFFSET) & 0xFF;
        if (code >= RESULT_CODES) {
            return "ClientAdminResponse has unknown result code " + code;
        }
        return length == LENGTH ? null : validateTail(b, o, length);
    }

    private static String validateTail(DirectBuffer b, int o, int length) {
        final String[] names = {"leaderAddressLength", "configLength", "reasonLength"};
        final int[] limits = {MAX_ADDRESS_BYTES, Membership.MAX_ENCODED_BYTES, MAX_REASON_BYTES};
        final int end = o + length;
        int at = o + LEADER_ADDRESS_LENGTH_OFFSET;
        for (int i = 0; i < names.length; i++) {
            if (end - at < 2) {
                return "ClientAdminResponse membership answer of " + length + " bytes ends before its " + names[i];
            }
            final int fieldLength = b.getShort(at, LITTLE_ENDIAN) & 0xFFFF;
            if (fieldLength > limits[i]) {
                return "ClientAdminResponse " + names[i] + " " + fieldLength + " exceeds " + limits[i];
            }
            if (end - at - 2 < fieldLength) {
                return "ClientAdminResponse " + names[i] + " " + fieldLength + " runs past the body's " + length
                    + " bytes";
            }
            at += 2 + fieldLength;
        }
        if (at != end) {
            return "ClientAdminResponse membership answer has " + (end - at) + " bytes after its reason";
        }
        final int configLength = fieldLength(b, o, 1);
        if (configLength > 0) {
            try {
                Membership.decode(b, fieldStart(b, o, 1) + 2, configLength);
            } catch (IllegalArgumentException e) {
                return "ClientAdminResponse configuration is malformed: " + e.getMessage();
            }
        }
        return null;
    }
}
