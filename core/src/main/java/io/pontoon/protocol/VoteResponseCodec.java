package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over a (pre-)vote response (type {@link MessageType#VOTE_RESPONSE}), little-endian:
 * <pre>
 *   0  term      i64  for a granted pre-vote: the term of the request; otherwise the voter's term
 *   8  granted   u8
 *   9  preVote   u8
 * </pre>
 */
public final class VoteResponseCodec {
    public static final int LENGTH = 10;

    private DirectBuffer buffer;
    private int offset;

    public VoteResponseCodec wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public static int encode(MutableDirectBuffer b, int o, long term, boolean granted, boolean preVote) {
        b.putLong(o, term, LITTLE_ENDIAN);
        b.putByte(o + 8, (byte) (granted ? 1 : 0));
        b.putByte(o + 9, (byte) (preVote ? 1 : 0));
        return LENGTH;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    public boolean granted() {
        return buffer.getByte(offset + 8) != 0;
    }

    public boolean preVote() {
        return buffer.getByte(offset + 9) != 0;
    }

    public static String validate(int length) {
        return length == LENGTH ? null : "VoteResponse body must be " + LENGTH + " bytes, got " + length;
    }
}
