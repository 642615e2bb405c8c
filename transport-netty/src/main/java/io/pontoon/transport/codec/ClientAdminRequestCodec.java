package io.pontoon.transport.codec;

import io.pontoon.ReadPolicy;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_ADMIN_REQUEST}: one operation on the node a client is connected to, little-endian:
 * <pre>
 *   0  correlationId  i64
 *   8  op             u8   1 TRANSFER_LEADERSHIP, 2 READ_INDEX
 *   9  arg            i64  TRANSFER_LEADERSHIP: the target node id, 1 .. 2^31-1;
 *                          READ_INDEX: the {@link ReadPolicy}, 0 LINEARIZABLE, 1 LEASE
 * </pre>
 * An unknown op or an arg out of its op's range is a malformed frame ({@link #validate}). Stateless static
 * accessors: no allocation except a failed validation's reason, any thread.
 */
public final class ClientAdminRequestCodec {
    public static final int CORRELATION_ID_OFFSET = 0;
    public static final int OP_OFFSET = 8;
    public static final int ARG_OFFSET = 9;
    public static final int LENGTH = 17;

    /** Hand leadership to node {@code arg} (thesis §3.10); answered once the node sees the target lead. */
    public static final int OP_TRANSFER_LEADERSHIP = 1;
    /** A read index (thesis §6.4) with the read policy {@code arg}; answered with the index. */
    public static final int OP_READ_INDEX = 2;

    public static final long READ_INDEX_LINEARIZABLE = 0;
    public static final long READ_INDEX_LEASE = 1;

    private ClientAdminRequestCodec() {
    }

    public static int encode(MutableDirectBuffer b, int o, long correlationId, int op, long arg) {
        b.putLong(o + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        b.putByte(o + OP_OFFSET, (byte) op);
        b.putLong(o + ARG_OFFSET, arg, LITTLE_ENDIAN);
        return LENGTH;
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
            default: return "UNKNOWN(" + op + ")";
        }
    }

    /** Null when the body is valid, else what is wrong. */
    public static String validate(DirectBuffer b, int o, int length) {
        if (length != LENGTH) {
            return "ClientAdminRequest body must be " + LENGTH + " bytes, got " + length;
        }
        final int op = op(b, o);
        final long arg = arg(b, o);
        switch (op) {
            case OP_TRANSFER_LEADERSHIP:
                return arg >= 1 && arg <= Integer.MAX_VALUE ? null
                    : "ClientAdminRequest TRANSFER_LEADERSHIP target " + arg + " is not a node id in [1, "
                        + Integer.MAX_VALUE + "]";
            case OP_READ_INDEX:
                return arg == READ_INDEX_LINEARIZABLE || arg == READ_INDEX_LEASE ? null
                    : "ClientAdminRequest READ_INDEX policy " + arg + " is neither 0 (LINEARIZABLE) nor 1 (LEASE)";
            default:
                return "ClientAdminRequest has unknown op " + op + " (1 TRANSFER_LEADERSHIP, 2 READ_INDEX)";
        }
    }
}
