package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over a (pre-)vote request (type {@link MessageType#VOTE_REQUEST}), little-endian:
 * <pre>
 *   0  term           i64  candidate's term (for a pre-vote: the term it would campaign in)
 *   8  lastLogIndex   i64
 *  16  lastLogTerm    i64
 *  24  flags          u8   bit 0: pre-vote (thesis §9.6), else a real vote; bit 1: a leadership transfer's
 *                          election (thesis §3.10), which followers grant even while they hear a leader
 * </pre>
 */
public final class VoteRequestCodec {
    public static final int LENGTH = 25;

    private DirectBuffer buffer;
    private int offset;

    public VoteRequestCodec wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public static int encode(MutableDirectBuffer b, int o, long term, long lastLogIndex, long lastLogTerm,
                             boolean preVote) {
        return encode(b, o, term, lastLogIndex, lastLogTerm, preVote, false);
    }

    public static int encode(MutableDirectBuffer b, int o, long term, long lastLogIndex, long lastLogTerm,
                             boolean preVote, boolean transfer) {
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putLong(o + 8, lastLogIndex, LITTLE_ENDIAN);
        b.putLong(o + 16, lastLogTerm, LITTLE_ENDIAN);
        b.putByte(o + 24, (byte) ((preVote ? 1 : 0) | (transfer ? 2 : 0)));
        return LENGTH;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    public long lastLogIndex() {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }

    public long lastLogTerm() {
        return buffer.getLong(offset + 16, LITTLE_ENDIAN);
    }

    public boolean preVote() {
        return (buffer.getByte(offset + 24) & 1) != 0;
    }

    /** The election of a leadership transfer: granted even by followers that still hear the old leader. */
    public boolean transfer() {
        return (buffer.getByte(offset + 24) & 2) != 0;
    }

    public static String validate(int length) {
        return length == LENGTH ? null : "VoteRequest body must be " + LENGTH + " bytes, got " + length;
    }
}
