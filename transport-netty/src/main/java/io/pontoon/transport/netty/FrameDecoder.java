package io.pontoon.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.pontoon.transport.codec.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Splits the byte stream into whole frames (length prefix included) as retained slices of the
 * cumulation: no copy. A length field below the header size or a frame above {@code maxFrameBytes}
 * closes the connection with a logged reason; nothing after it is decoded. Body and header checks
 * happen downstream, once the handshake says what to expect.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    /** Largest frame a handshake needs (HELLO is the largest, under 100 bytes); the limit until it succeeds. */
    public static final int HANDSHAKE_MAX_FRAME_BYTES = 256;

    private int maxFrameBytes;
    private boolean failed;

    public FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Event loop: a new limit, for example the transport's maxFrameBytes once the handshake let the sender in. */
    public void maxFrameBytes(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Frame.LENGTH_FIELD_LENGTH) {
            return;
        }
        final int lengthField = in.getIntLE(in.readerIndex());
        if (lengthField < Frame.MIN_LENGTH_FIELD || lengthField > maxFrameBytes - Frame.LENGTH_FIELD_LENGTH) {
            failed = true;
            in.skipBytes(in.readableBytes());
            Connections.closeWithReason(ctx, LOG, "frame length field " + Integer.toUnsignedString(lengthField)
                + " outside [" + Frame.MIN_LENGTH_FIELD + ", " + (maxFrameBytes - Frame.LENGTH_FIELD_LENGTH)
                + "] (maxFrameBytes " + maxFrameBytes + ")");
            return;
        }
        final int frameLength = Frame.LENGTH_FIELD_LENGTH + lengthField;
        if (in.readableBytes() < frameLength) {
            return;
        }
        out.add(in.readRetainedSlice(frameLength));
    }
}
