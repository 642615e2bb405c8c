package io.pontoon.transport.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Body of {@link FrameType#CLIENT_STATUS_REQUEST} (the seed's DebugEvent), little-endian:
 * <pre>
 *   0  correlationId  i64
 * </pre>
 */
public final class ClientStatusRequestCodec {
    public static final int LENGTH = 8;

    private ClientStatusRequestCodec() {
    }

    public static int encode(MutableDirectBuffer b, int o, long correlationId) {
        b.putLong(o, correlationId, LITTLE_ENDIAN);
        return LENGTH;
    }

    public static long correlationId(DirectBuffer b, int o) {
        return b.getLong(o, LITTLE_ENDIAN);
    }

    public static String validate(int length) {
        return length == LENGTH ? null : "ClientStatusRequest body must be " + LENGTH + " bytes, got " + length;
    }
}
