package io.pontoon.transport.codec;

import io.pontoon.ReadPolicy;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_ADMIN_REQUEST}: one operation on the node a client is connected to, little-endian:
 * <pre>
 *   0  correlationId  i64
 *   8  op             u8   1 TRANSFER_LEADERSHIP, 2 READ_INDEX, 3 MEMBERS, 4 ADD_LEARNER, 5 ADD_VOTER, 6 PROMOTE,
 *                          7 REMOVE_MEMBER
 *   9  arg            i64  TRANSFER_LEADERSHIP: the target node id, 1 .. 2^31-1;
 *                          READ_INDEX: the {@link ReadPolicy}, 0 LINEARIZABLE, 1 LEASE;
 *                          MEMBERS: 0; ADD_LEARNER, ADD_VOTER, PROMOTE, REMOVE_MEMBER: the node id, 1 .. 2^31-1
 *  ADD_LEARNER and ADD_VOTER only (the body is 17 bytes for every other op):
 *  17  addressLength  u16  1 .. 255
 *  19  address        ASCII "host:port" where the new member listens (printable, no spaces)
 * </pre>
 * An unknown op, an arg out of its op's range or a body length that does not fit the op is a malformed frame
 * ({@link #validate}). Stateless static accessors: no allocation except a failed validation's reason and
 * {@link #address}, any thread.
 */
public final class ClientAdminRequestCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int OP_OFFSET = 8;
    public static final int ARG_OFFSET = 9;
    public static final int LENGTH = 17;
    public static final int ADDRESS_LENGTH_OFFSET = 17;
    public static final int ADDRESS_OFFSET = 19;
    /** Longest member address an ADD request carries. */
    public static final int MAX_ADDRESS_BYTES = 255;

    /** Hand leadership to node {@code arg} (thesis §3.10); answered once the node sees the target lead. */
    public static final int OP_TRANSFER_LEADERSHIP = 1;
    /** A read index (thesis §6.4) with the read policy {@code arg}; answered with the index. */
    public static final int OP_READ_INDEX = 2;
    /** The configuration in effect on the node (thesis §4): voters, learners, addresses. */
    public static final int OP_MEMBERS = 3;
    /** Leader: add node {@code arg}, listening at the address, as a learner. */
    public static final int OP_ADD_LEARNER = 4;
    /** Leader: add node {@code arg}, listening at the address, as a voter. */
    public static final int OP_ADD_VOTER = 5;
    /** Leader: make learner {@code arg} a voter. */
    public static final int OP_PROMOTE = 6;
    /** Leader: remove member {@code arg}, voter or learner. */
    public static final int OP_REMOVE_MEMBER = 7;

    public static final long READ_INDEX_LINEARIZABLE = 0;
    public static final long READ_INDEX_LEASE = 1;

    private ClientAdminRequestCodec() {
    }

    /** A request of 17 bytes (every op but ADD_LEARNER and ADD_VOTER). Returns the body length. */
    public static int encode(MutableDirectBuffer b, int o, long correlationId, int op, long arg) {
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putByte(o + OP_OFFSET, (byte) op);
        b.putLong(o + ARG_OFFSET, arg, LITTLE_ENDIAN);
        return LENGTH;
    }

    /** An ADD_LEARNER or ADD_VOTER request: node {@code nodeId} at {@code address} (ASCII). Returns the body length. */
    public static int encodeAdd(MutableDirectBuffer b, int o, long correlationId, int op, int nodeId, byte[] address) {
        encode(b, o, correlationId, op, nodeId);
        b.putShort(o + ADDRESS_LENGTH_OFFSET, (short) address.length, LITTLE_ENDIAN);
        b.putBytes(o + ADDRESS_OFFSET, address);
        return ADDRESS_OFFSET + address.length;
    }

    /** The body length of a request for {@code op}; {@code address} is ignored except for the ADD ops. */
    public static int lengthOf(int op, byte[] address) {
        return isAdd(op) ? ADDRESS_OFFSET + address.length : LENGTH;
    }

    public static long correlationId(DirectBuffer b, int o) {
        return b.getLong(o + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static int op(DirectBuffer b, int o) {
        return b.getByte(o + OP_OFFSET) & 0xFF;
    }

    public static long arg(DirectBuffer b, int o) {
        return b.getLong(o + ARG_OFFSET, LITTLE_ENDIAN);
    }

    /** The address of a validated ADD_LEARNER or ADD_VOTER request (allocates). */
    public static String address(DirectBuffer b, int o) {
        final int length = b.getShort(o + ADDRESS_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        return b.getStringWithoutLengthAscii(o + ADDRESS_OFFSET, length);
    }

    /** ASCII bytes of an address for {@link #encodeAdd}. */
    public static byte[] addressBytes(String address) {
        return address.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Null when {@code address} is where a new member can listen, else what is wrong with it: {@code host:port}
     * ({@code [v6]:port} for IPv6) with a port in 1 .. 65535, printable ASCII, at most 255 characters. No name lookup.
     */
    public static String checkAddress(String address) {
        if (address == null || address.isEmpty()) {
            return "the address is empty";
        }
        if (address.length() > MAX_ADDRESS_BYTES) {
            return "the address is " + address.length() + " characters long, at most " + MAX_ADDRESS_BYTES;
        }
        for (int i = 0; i < address.length(); i++) {
            final char c = address.charAt(i);
            if (c <= ' ' || c > '~') {
                return "the address '" + address + "' has a character that is not printable ASCII at " + i;
            }
        }
        final int colon = address.lastIndexOf(':');
        final String host = colon < 0 ? "" : address.substring(0, colon);
        if (host.isEmpty() || (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]")))) {
            return "the address '" + address + "' is not host:port ([v6]:port for IPv6)";
        }
        final String port = address.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
            || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return "the address '" + address + "' has port '" + port + "', not in [1, 65535]";
        }
        return null;
    }

    /** True for the ops that change the configuration (ADD_LEARNER, ADD_VOTER, PROMOTE, REMOVE_MEMBER). */
    public static boolean isMembershipChange(int op) {
        return op >= OP_ADD_LEARNER && op <= OP_REMOVE_MEMBER;
    }

    /** True for MEMBERS and the membership changes: their responses carry a configuration. */
    public static boolean isMembershipOp(int op) {
        return op == OP_MEMBERS || isMembershipChange(op);
    }

    private static boolean isAdd(int op) {
        return op == OP_ADD_LEARNER || op == OP_ADD_VOTER;
    }

    /** The READ_INDEX arg of {@code policy}. */
    public static long readIndexArg(ReadPolicy policy) {
        return policy == ReadPolicy.LEASE ? READ_INDEX_LEASE : READ_INDEX_LINEARIZABLE;
    }

    /** The policy of a validated READ_INDEX arg. */
    public static ReadPolicy readPolicy(long arg) {
        return arg == READ_INDEX_LEASE ? ReadPolicy.LEASE : ReadPolicy.LINEARIZABLE;
    }

    public static String opName(int op) {
        switch (op) {
            case OP_TRANSFER_LEADERSHIP: return "TRANSFER_LEADERSHIP";
            case OP_READ_INDEX: return "READ_INDEX";
            case OP_MEMBERS: return "MEMBERS";
            case OP_ADD_LEARNER: return "ADD_LEARNER";
            case OP_ADD_VOTER: return "ADD_VOTER";
            case OP_PROMOTE: return "PROMOTE";
            case OP_REMOVE_MEMBER: return "REMOVE_MEMBER";
            default: return "UNKNOWN(" + op + ")";
        }
    }

    /** Null when the body is valid, else what is wrong. */
    public static String validate(DirectBuffer b, int o, int length) {
        if (length < LENGTH) {
            return "ClientAdminRequest body must be at least " + LENGTH + " bytes, got " + length;
        }
        final int op = op(b, o);
        if (op < OP_TRANSFER_LEADERSHIP || op > OP_REMOVE_MEMBER) {
            return "ClientAdminRequest has unknown op " + op + " (1 TRANSFER_LEADERSHIP, 2 READ_INDEX, 3 MEMBERS, "
                + "4 ADD_LEARNER, 5 ADD_VOTER, 6 PROMOTE, 7 REMOVE_MEMBER)";
        }
        final String lengthProblem = isAdd(op) ? validateAddress(b, o, length) : length == LENGTH ? null
            : "ClientAdminRequest " + opName(op) + " body must be " + LENGTH + " bytes, got " + length;
        if (lengthProblem != null) {
            return lengthProblem;
        }
        final long arg = arg(b, o);
        switch (op) {
            case OP_READ_INDEX:
                return arg == READ_INDEX_LINEARIZABLE || arg == READ_INDEX_LEASE ? null
                    : "ClientAdminRequest READ_INDEX policy " + arg + " is neither 0 (LINEARIZABLE) nor 1 (LEASE)";
            case OP_MEMBERS:
                return arg == 0 ? null : "ClientAdminRequest MEMBERS arg must be 0, got " + arg;
            default:
                return arg >= 1 && arg <= Integer.MAX_VALUE ? null
                    : "ClientAdminRequest " + opName(op) + " node id " + arg + " is not in [1, " + Integer.MAX_VALUE
                        + "]";
        }
    }

    private static String validateAddress(DirectBuffer b, int o, int length) {
        if (length < ADDRESS_OFFSET) {
            return "ClientAdminRequest " + opName(op(b, o)) + " body of " + length + " bytes has no room for its "
                + "address length (at least " + (ADDRESS_OFFSET + 1) + " bytes)";
        }
        final int addressLength = b.getShort(o + ADDRESS_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (addressLength < 1 || addressLength > MAX_ADDRESS_BYTES) {
            return "ClientAdminRequest " + opName(op(b, o)) + " addressLength " + addressLength + " is not in [1, "
                + MAX_ADDRESS_BYTES + "]";
        }
        if (ADDRESS_OFFSET + addressLength != length) {
            return "ClientAdminRequest " + opName(op(b, o)) + " addressLength " + addressLength
                + " does not match the body's " + (length - ADDRESS_OFFSET) + " trailing bytes";
        }
        for (int i = 0; i < addressLength; i++) {
            final int c = b.getByte(o + ADDRESS_OFFSET + i) & 0xFF;
            if (c <= ' ' || c > '~') {
                return "ClientAdminRequest " + opName(op(b, o)) + " address byte " + i + " (0x"
                    + Integer.toHexString(c) + ") is not printable ASCII";
            }
        }
        return null;
    }
}
