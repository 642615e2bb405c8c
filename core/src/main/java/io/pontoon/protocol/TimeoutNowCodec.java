package io.pontoon.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Flyweight over TimeoutNow (type {@link MessageType#TIMEOUT_NOW}), little-endian: {@code 0 term i64}. The leader
 * sends it to the member it hands leadership to once that member's log is up to date (thesis §3.10); the member
 * starts an election at once, without waiting for its timeout and without a pre-vote, and its vote requests say
 * so, so that followers who still hear the old leader grant them.
 */
public final class TimeoutNowCodec {
    public static final int LENGTH = 8;

    private DirectBuffer buffer;
    private int offset;

    public TimeoutNowCodec wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public static int encode(MutableDirectBuffer b, int o, long term) {
        b.putLong(o, term, LITTLE_ENDIAN);
        return LENGTH;
    }

    public long term() {
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    public static String validate(int length) {
        return length == LENGTH ? null : "TimeoutNow body must be " + LENGTH + " bytes, got " + length;
    }
}
