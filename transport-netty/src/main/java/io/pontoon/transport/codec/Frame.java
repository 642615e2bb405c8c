package io.pontoon.transport.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The wire frame (docs/PROTOCOL.md, "Frame"), little-endian. Offsets are from the first byte of the
 * frame, i.e. the length prefix:
 * <pre>
 *   0  frameLength  u32  bytes that follow this field: HEADER_LENGTH - 4 + body length
 *   4  type         u8   {@link io.pontoon.protocol.MessageType} or {@link FrameType}
 *   5  version      u8   protocol version of the sender ({@link #PROTOCOL_VERSION})
 *   6  flags        u16  reserved, must be 0
 *   8  clusterId    i32  the sender's cluster id
 *  12  senderId     i32  the sender's node id (0 for a client)
 *  16  body         ...  the message body, unchanged (io.pontoon.protocol codecs and the transport codecs)
 * </pre>
 * Stateless static accessors over a {@link DirectBuffer}: no allocation, any thread.
 */
public final class Frame {
    /** The protocol version this code speaks; a peer announcing a newer one is refused. */
    public static final int PROTOCOL_VERSION = 1;

    public static final int LENGTH_FIELD_LENGTH = 4;
    public static final int LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int VERSION_OFFSET = 5;
    public static final int FLAGS_OFFSET = 6;
    public static final int CLUSTER_ID_OFFSET = 8;
    public static final int SENDER_ID_OFFSET = 12;
    /** Bytes before the body, length prefix included. */
    public static final int HEADER_LENGTH = 16;
    /** Smallest legal value of the length field (a frame with an empty body). */
    public static final int MIN_LENGTH_FIELD = HEADER_LENGTH - LENGTH_FIELD_LENGTH;

    private Frame() {
    }

    /**
     * Writes a header at {@code offset} for a body of {@code bodyLength} bytes that the caller writes at
     * {@code offset + HEADER_LENGTH}. Returns the whole frame length (header + body).
     */
    public static int encodeHeader(MutableDirectBuffer buffer, int offset, int type, int clusterId, int senderId,
                                   int bodyLength) {
        buffer.putInt(offset + LENGTH_OFFSET, MIN_LENGTH_FIELD + bodyLength, LITTLE_ENDIAN);
        buffer.putByte(offset + TYPE_OFFSET, (byte) type);
        buffer.putByte(offset + VERSION_OFFSET, (byte) PROTOCOL_VERSION);
        buffer.putShort(offset + FLAGS_OFFSET, (short) 0, LITTLE_ENDIAN);
        buffer.putInt(offset + CLUSTER_ID_OFFSET, clusterId, LITTLE_ENDIAN);
        buffer.putInt(offset + SENDER_ID_OFFSET, senderId, LITTLE_ENDIAN);
        return HEADER_LENGTH + bodyLength;
    }

    /** Value of the length field: bytes after it. */
    public static int lengthField(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    public static int type(DirectBuffer buffer, int offset) {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static int version(DirectBuffer buffer, int offset) {
        return buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
    }

    public static int flags(DirectBuffer buffer, int offset) {
        return buffer.getShort(offset + FLAGS_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int clusterId(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + CLUSTER_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static int senderId(DirectBuffer buffer, int offset) {
        return buffer.getInt(offset + SENDER_ID_OFFSET, LITTLE_ENDIAN);
    }

    /** Body length of a frame of {@code frameLength} bytes (prefix included). */
    public static int bodyLength(int frameLength) {
        return frameLength - HEADER_LENGTH;
    }
}
