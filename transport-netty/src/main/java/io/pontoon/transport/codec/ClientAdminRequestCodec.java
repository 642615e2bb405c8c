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
 *                          7 REMOVE_MEMBER, 8 FAULT
 *   9  arg            i64  TRANSFER_LEADERSHIP: the target node id, 1 .. 2^31-1;
 *                          READ_INDEX: the {@link ReadPolicy}, 0 LINEARIZABLE, 1 LEASE;
 *                          MEMBERS: 0; ADD_LEARNER, ADD_VOTER, PROMOTE, REMOVE_MEMBER, FAULT: the node id, 1 .. 2^31-1
 *  ADD_LEARNER and ADD_VOTER only (the body is 17 bytes for every op but these and FAULT):
 *  17  addressLength  u16  1 .. 255
 *  19  address        ASCII "host:port" where the new member listens (printable, no spaces)
 *  FAULT only: the whole fault plan of node {@code arg}'s peer links (it replaces the node's rules; all zero clears them)
 *  17  flags          u8   bit 0 PARTITION; other bits 0
 *  18  dropPpm        u32  chance, in millionths, that the node drops a frame it sends to a peer: 0 .. 1,000,000
 *  22  delayNs        i64  added to every frame the node sends to a peer: 0 .. 60 s
 *  30  jitterNs       i64  plus a random 0 .. jitterNs: 0 .. 60 s
 *  38  groupSize      u16  PARTITION: g, 0 .. 1024, the node's group; else 0
 *  40  group          i32 x g  node ids 1 .. 2^31-1: the node keeps its links to these and cuts every other peer link
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
    public static final int FAULT_FLAGS_OFFSET = 17;
    public static final int FAULT_DROP_PPM_OFFSET = 18;
    public static final int FAULT_DELAY_NS_OFFSET = 22;
    public static final int FAULT_JITTER_NS_OFFSET = 30;
    public static final int FAULT_GROUP_SIZE_OFFSET = 38;
    public static final int FAULT_GROUP_OFFSET = 40;
    /** FAULT flags bit 0: the request carries the node's partition group. */
    public static final int FAULT_FLAG_PARTITION = 1;
    public static final int MAX_FAULT_DROP_PPM = 1_000_000;
    public static final long MAX_FAULT_DELAY_NS = 60_000_000_000L;
    public static final int MAX_FAULT_GROUP = 1024;

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
    /** Node {@code arg} (the one asked, no redirect): replace its fault plan. Needs the admin credential. */
    public static final int OP_FAULT = 8;

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

    /**
     * A FAULT request for node {@code nodeId}: drop chance in millionths, delay and jitter of the frames it sends to
     * peers, and its partition group ({@code null}: no partition). Values are the caller's to check (see
     * {@link #validate}). Returns the body length.
     */
    public static int encodeFault(MutableDirectBuffer b, int o, long correlationId, int nodeId, int dropPpm,
                                  long delayNs, long jitterNs, int[] partitionGroup) {
        encode(b, o, correlationId, OP_FAULT, nodeId);
        b.putByte(o + FAULT_FLAGS_OFFSET, (byte) (partitionGroup == null ? 0 : FAULT_FLAG_PARTITION));
        b.putInt(o + FAULT_DROP_PPM_OFFSET, dropPpm, LITTLE_ENDIAN);
        b.putLong(o + FAULT_DELAY_NS_OFFSET, delayNs, LITTLE_ENDIAN);
        b.putLong(o + FAULT_JITTER_NS_OFFSET, jitterNs, LITTLE_ENDIAN);
        final int groupSize = partitionGroup == null ? 0 : partitionGroup.length;
        b.putShort(o + FAULT_GROUP_SIZE_OFFSET, (short) groupSize, LITTLE_ENDIAN);
        for (int i = 0; i < groupSize; i++) {
            b.putInt(o + FAULT_GROUP_OFFSET + 4 * i, partitionGroup[i], LITTLE_ENDIAN);
        }
        return FAULT_GROUP_OFFSET + 4 * groupSize;
    }

    /** The body length of a FAULT request whose partition group has {@code groupSize} ids. */
    public static int faultLength(int groupSize) {
        return FAULT_GROUP_OFFSET + 4 * groupSize;
    }

    public static boolean faultPartition(DirectBuffer b, int o) {
        return (b.getByte(o + FAULT_FLAGS_OFFSET) & FAULT_FLAG_PARTITION) != 0;
    }

    public static int faultDropPpm(DirectBuffer b, int o) {
        return b.getInt(o + FAULT_DROP_PPM_OFFSET, LITTLE_ENDIAN);
    }

    public static long faultDelayNs(DirectBuffer b, int o) {
        return b.getLong(o + FAULT_DELAY_NS_OFFSET, LITTLE_ENDIAN);
    }

    public static long faultJitterNs(DirectBuffer b, int o) {
        return b.getLong(o + FAULT_JITTER_NS_OFFSET, LITTLE_ENDIAN);
    }

    public static int faultGroupSize(DirectBuffer b, int o) {
        return b.getShort(o + FAULT_GROUP_SIZE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /** Node id {@code i} of a validated FAULT request's partition group. */
    public static int faultGroupMember(DirectBuffer b, int o, int i) {
        return b.getInt(o + FAULT_GROUP_OFFSET + 4 * i, LITTLE_ENDIAN);
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
            case OP_FAULT: return "FAULT";
            default: return "UNKNOWN(" + op + ")";
        }
    }

    /** Null when the body is valid, else what is wrong. */
    public static String validate(DirectBuffer b, int o, int length) {
        if (length < LENGTH) {
            return "ClientAdminRequest body must be at least " + LENGTH + " bytes, got " + length;
        }
        final int op = op(b, o);
        if (op < OP_TRANSFER_LEADERSHIP || op > OP_FAULT) {
            return "ClientAdminRequest has unknown op " + op + " (1 TRANSFER_LEADERSHIP, 2 READ_INDEX, 3 MEMBERS, "
                + "4 ADD_LEARNER, 5 ADD_VOTER, 6 PROMOTE, 7 REMOVE_MEMBER, 8 FAULT)";
        }
        final String lengthProblem = isAdd(op) ? validateAddress(b, o, length)
            : op == OP_FAULT ? validateFault(b, o, length) : length == LENGTH ? null
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

    private static String validateFault(DirectBuffer b, int o, int length) {
        if (length < FAULT_GROUP_OFFSET) {
            return "ClientAdminRequest FAULT body must be at least " + FAULT_GROUP_OFFSET + " bytes, got " + length;
        }
        final int flags = b.getByte(o + FAULT_FLAGS_OFFSET) & 0xFF;
        if ((flags & ~FAULT_FLAG_PARTITION) != 0) {
            return "ClientAdminRequest FAULT flags 0x" + Integer.toHexString(flags) + " has bits other than PARTITION "
                + "(0x1) set";
        }
        final long dropPpm = faultDropPpm(b, o) & 0xFFFF_FFFFL;
        if (dropPpm > MAX_FAULT_DROP_PPM) {
            return "ClientAdminRequest FAULT dropPpm " + dropPpm + " is not in [0, " + MAX_FAULT_DROP_PPM + "]";
        }
        final long delayNs = faultDelayNs(b, o);
        final long jitterNs = faultJitterNs(b, o);
        if (delayNs < 0 || delayNs > MAX_FAULT_DELAY_NS || jitterNs < 0 || jitterNs > MAX_FAULT_DELAY_NS) {
            return "ClientAdminRequest FAULT delayNs " + delayNs + " and jitterNs " + jitterNs + " must be in [0, "
                + MAX_FAULT_DELAY_NS + "]";
        }
        final int groupSize = faultGroupSize(b, o);
        if ((flags & FAULT_FLAG_PARTITION) == 0 && groupSize != 0) {
            return "ClientAdminRequest FAULT has groupSize " + groupSize + " without the PARTITION flag";
        }
        if (groupSize > MAX_FAULT_GROUP) {
            return "ClientAdminRequest FAULT groupSize " + groupSize + " exceeds " + MAX_FAULT_GROUP;
        }
        if (length != faultLength(groupSize)) {
            return "ClientAdminRequest FAULT body of " + length + " bytes does not match groupSize " + groupSize
                + " (" + faultLength(groupSize) + " bytes)";
        }
        for (int i = 0; i < groupSize; i++) {
            final int id = faultGroupMember(b, o, i);
            if (id < 1) {
                return "ClientAdminRequest FAULT group member " + i + " is node id " + id + ", not in [1, "
                    + Integer.MAX_VALUE + "]";
            }
        }
        return null;
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
