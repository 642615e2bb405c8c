package io.pontoon.transport.codec;

import io.pontoon.RaftStatus;
import io.pontoon.Role;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_STATUS_RESPONSE} (the seed's DebugResponse, {@link RaftStatus}), little-endian:
 * <pre>
 *   0  correlationId        i64
 *   8  term                 i64
 *  16  commitIndex          i64
 *  24  lastApplied          i64
 *  32  lastLogIndex         i64
 *  40  lastLogTerm          i64
 *  48  nodeId               i32
 *  52  leaderId             i32  0 if unknown
 *  56  role                 u8   0 FOLLOWER, 1 PRE_CANDIDATE, 2 CANDIDATE, 3 LEADER, 4 FAILED
 *  57  followerCount        u8   a leader's followers (0 on other nodes)
 *  58  leaderAddressLength  u16
 *  60  leaderAddress        ASCII "host:port", empty if unknown
 *  then followerCount times, 21 bytes each:
 *       nodeId i32, matchIndex i64, nextIndex i64,
 *       state u8: bits 0-6 0 PROBE, 1 REPLICATE, 2 SNAPSHOT; bit 7 set for a learner (a non-voting member)
 * </pre>
 */
public final class ClientStatusResponseCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int TERM_OFFSET = 8;
    public static final int COMMIT_INDEX_OFFSET = 16;
    public static final int LAST_APPLIED_OFFSET = 24;
    public static final int LAST_LOG_INDEX_OFFSET = 32;
    public static final int LAST_LOG_TERM_OFFSET = 40;
    public static final int NODE_ID_OFFSET = 48;
    public static final int LEADER_ID_OFFSET = 52;
    public static final int ROLE_OFFSET = 56;
    public static final int LEADER_ADDRESS_LENGTH_OFFSET = 58;
    public static final int LEADER_ADDRESS_OFFSET = 60;
    public static final int HEADER_LENGTH = 60;
    public static final int FOLLOWER_LENGTH = 21;
    private static final int LEARNER_BIT = 0x80;
    private static final String[] STATES = {"PROBE", "REPLICATE", "SNAPSHOT"};

    private static final Role[] ROLES = Role.values();

    private ClientStatusResponseCodec() {
    }

    public static int encode(MutableDirectBuffer b, int o, long correlationId, RaftStatus s, byte[] leaderAddress) {
        final int addressLength = leaderAddress == null ? 0 : leaderAddress.length;
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putLong(o + TERM_OFFSET, s.term(), LITTLE_ENDIAN);
        b.putLong(o + COMMIT_INDEX_OFFSET, s.commitIndex(), LITTLE_ENDIAN);
        b.putLong(o + LAST_APPLIED_OFFSET, s.lastApplied(), LITTLE_ENDIAN);
        b.putLong(o + LAST_LOG_INDEX_OFFSET, s.lastLogIndex(), LITTLE_ENDIAN);
        b.putLong(o + LAST_LOG_TERM_OFFSET, s.lastLogTerm(), LITTLE_ENDIAN);
        b.putInt(o + NODE_ID_OFFSET, s.nodeId(), LITTLE_ENDIAN);
        b.putInt(o + LEADER_ID_OFFSET, s.leaderId(), LITTLE_ENDIAN);
        b.putByte(o + ROLE_OFFSET, (byte) s.role().ordinal());
        final int followers = Math.min(255, s.followers().size());
        b.putByte(o + ROLE_OFFSET + 1, (byte) followers);
        b.putShort(o + LEADER_ADDRESS_LENGTH_OFFSET, (short) addressLength, LITTLE_ENDIAN);
        if (addressLength > 0) {
            b.putBytes(o + LEADER_ADDRESS_OFFSET, leaderAddress);
        }
        int at = o + LEADER_ADDRESS_OFFSET + addressLength;
        for (int i = 0; i < followers; i++) {
            final RaftStatus.Follower f = s.followers().get(i);
            b.putInt(at, f.nodeId(), LITTLE_ENDIAN);
            b.putLong(at + 4, f.matchIndex(), LITTLE_ENDIAN);
            b.putLong(at + 12, f.nextIndex(), LITTLE_ENDIAN);
            b.putByte(at + 20, (byte) (Math.max(0, java.util.Arrays.asList(STATES).indexOf(f.state()))
                | (f.voter() ? 0 : LEARNER_BIT)));
            at += FOLLOWER_LENGTH;
        }
        return HEADER_LENGTH + addressLength + followers * FOLLOWER_LENGTH;
    }

    public static int encodedLength(byte[] leaderAddress) {
        return HEADER_LENGTH + (leaderAddress == null ? 0 : leaderAddress.length);
    }

    /** The body length of {@code status} with {@code leaderAddress}: header, address and followers. */
    public static int encodedLength(RaftStatus status, byte[] leaderAddress) {
        return encodedLength(leaderAddress) + Math.min(255, status.followers().size()) * FOLLOWER_LENGTH;
    }

    public static long correlationId(DirectBuffer b, int o) {
        return b.getLong(o + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    /** Decodes into a {@link RaftStatus} (allocates: client side only). */
    public static RaftStatus status(DirectBuffer b, int o) {
        final int count = b.getByte(o + ROLE_OFFSET + 1) & 0xFF;
        final int addressLength = b.getShort(o + LEADER_ADDRESS_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        final java.util.List<RaftStatus.Follower> followers = new java.util.ArrayList<>(count);
        int at = o + LEADER_ADDRESS_OFFSET + addressLength;
        for (int i = 0; i < count; i++) {
            final int state = b.getByte(at + 20) & 0xFF;
            followers.add(new RaftStatus.Follower(b.getInt(at, LITTLE_ENDIAN), b.getLong(at + 4, LITTLE_ENDIAN),
                b.getLong(at + 12, LITTLE_ENDIAN), STATES[state & ~LEARNER_BIT], (state & LEARNER_BIT) == 0));
            at += FOLLOWER_LENGTH;
        }
        return new RaftStatus(
            b.getInt(o + NODE_ID_OFFSET, LITTLE_ENDIAN),
            ROLES[b.getByte(o + ROLE_OFFSET) & 0xFF],
            b.getLong(o + TERM_OFFSET, LITTLE_ENDIAN),
            b.getInt(o + LEADER_ID_OFFSET, LITTLE_ENDIAN),
            b.getLong(o + COMMIT_INDEX_OFFSET, LITTLE_ENDIAN),
            b.getLong(o + LAST_APPLIED_OFFSET, LITTLE_ENDIAN),
            b.getLong(o + LAST_LOG_INDEX_OFFSET, LITTLE_ENDIAN),
            b.getLong(o + LAST_LOG_TERM_OFFSET, LITTLE_ENDIAN),
            followers);
    }

    public static String leaderAddress(DirectBuffer b, int o) {
        final int length = b.getShort(o + LEADER_ADDRESS_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        return length == 0 ? null : b.getStringWithoutLengthAscii(o + LEADER_ADDRESS_OFFSET, length);
    }

    public static String validate(DirectBuffer b, int o, int length) {
        if (length < HEADER_LENGTH) {
            return "ClientStatusResponse body of " + length + " bytes is shorter than its " + HEADER_LENGTH + "-byte header";
        }
        final int role = b.getByte(o + ROLE_OFFSET) & 0xFF;
        if (role >= ROLES.length) {
            return "ClientStatusResponse has unknown role " + role;
        }
        final int addressLength = b.getShort(o + LEADER_ADDRESS_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        final int followers = b.getByte(o + ROLE_OFFSET + 1) & 0xFF;
        if (addressLength + followers * FOLLOWER_LENGTH != length - HEADER_LENGTH) {
            return "ClientStatusResponse leaderAddressLength " + addressLength + " and " + followers
                + " followers do not match the body's " + (length - HEADER_LENGTH) + " trailing bytes";
        }
        for (int i = 0; i < followers; i++) {
            final int at = o + HEADER_LENGTH + addressLength + i * FOLLOWER_LENGTH + 20;
            final int state = b.getByte(at) & ~LEARNER_BIT & 0xFF;
            if (state >= STATES.length) {
                return "ClientStatusResponse follower " + i + " has unknown state " + state;
            }
        }
        return null;
    }
}
