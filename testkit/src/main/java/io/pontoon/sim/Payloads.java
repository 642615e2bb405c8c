package io.pontoon.sim;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Payloads the simulator proposes, and the hash it identifies them by.
 *
 * <p>A payload starts with its proposal id (8 bytes, little-endian) followed by 0..{@value #MAX_FILLER}
 * filler bytes derived from the id, so every proposal has distinct bytes and the checker can tell from a
 * log entry which proposal it came from. Leader no-ops are empty (id {@value #NO_OP_ID}); entries a test
 * writes into a log directly use negative ids ({@link #preloaded}).
 */
public final class Payloads {
    public static final long NO_OP_ID = 0;
    /** The id the checker gives a configuration entry (a membership change): never a proposal's. */
    public static final long CONFIGURATION_ID = Long.MIN_VALUE;
    static final int ID_LENGTH = 8;
    static final int MAX_FILLER = 40;

    private Payloads() {
    }

    /** The payload of proposal {@code id} (> 0). */
    public static byte[] forProposal(long id) {
        final int filler = (int) Math.floorMod(id * 7919L, MAX_FILLER + 1);
        final byte[] bytes = new byte[ID_LENGTH + filler];
        putId(bytes, id);
        for (int i = 0; i < filler; i++) {
            bytes[ID_LENGTH + i] = (byte) (id * 31 + i * 17);
        }
        return bytes;
    }

    /** A payload for an entry written straight into a log by a test; same (index, term), same bytes. */
    public static byte[] preloaded(long index, long term) {
        final byte[] bytes = new byte[ID_LENGTH + 4];
        putId(bytes, -(index * 1_000_003L + term));
        bytes[ID_LENGTH] = (byte) index;
        bytes[ID_LENGTH + 1] = (byte) term;
        return bytes;
    }

    private static void putId(byte[] bytes, long id) {
        for (int i = 0; i < ID_LENGTH; i++) {
            bytes[i] = (byte) (id >>> (8 * i));
        }
    }

    /** Proposal id of a payload: {@link #NO_OP_ID} when empty, negative for preloaded, -1 if unparseable. */
    public static long idOf(DirectBuffer buffer, int offset, int length) {
        if (length == 0) {
            return NO_OP_ID;
        }
        if (length < ID_LENGTH) {
            return -1;
        }
        return buffer.getLong(offset, LITTLE_ENDIAN);
    }

    /** A 64-bit hash of the bytes (8 at a time), mixed with the length; never 0 (0 means "no entry"). */
    public static long hash(DirectBuffer buffer, int offset, int length) {
        long h = 0x9E3779B97F4A7C15L ^ length;
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            h = Long.rotateLeft(h ^ (buffer.getLong(offset + i, LITTLE_ENDIAN) * 0xBF58476D1CE4E5B9L), 27)
                * 0x94D049BB133111EBL;
        }
        for (; i < length; i++) {
            h = (h ^ (buffer.getByte(offset + i) & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 31;
        return h == 0 ? 1 : h;
    }

    public static long hash(byte[] bytes) {
        return hash(new org.agrona.concurrent.UnsafeBuffer(bytes), 0, bytes.length);
    }
}
