package io.pontoon.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.pontoon.transport.codec.Frame;

/**
 * Splits one client connection's byte stream into whole frames and hands each to a {@link Handler} in
 * place, in the buffer it arrived in: no object per frame. {@link FrameDecoder} hands out a slice object
 * per frame (Netty 4.2's adaptive buffers do not pool slices), i.e. one allocation per request or
 * response; after the handshake both ends of a client connection replace it with this
 * ({@link #replaceFrameDecoder}). A frame that arrives in pieces waits in a reused buffer.
 * Event loop only; one instance per connection.
 */
public final class FrameSplitter {
    private static final int INITIAL_CUMULATION_BYTES = 4096;

    /** Called for each whole frame, which is valid only during the call. */
    public interface Handler {
        void onFrame(ChannelHandlerContext ctx, ByteBuf in, int index, int frameLength);

        /** A length field out of range: the rest of the stream cannot be framed. */
        void onBadLength(ChannelHandlerContext ctx, String reason);

        /** True once the handler has given up on the connection: nothing more is handed to it. */
        boolean failed();
    }

    private final int maxFrameBytes;
    private ByteBuf cumulation;
    private boolean reading;

    public FrameSplitter(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Removes the connection's FrameDecoder once the current read is over (a handshake runs inside it).
     * Bytes it still holds are passed down as one plain buffer, which {@link #read} takes like any other.
     */
    public static void replaceFrameDecoder(ChannelHandlerContext ctx) {
        final FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
        if (decoder != null) {
            ctx.channel().eventLoop().execute(() -> {
                if (ctx.pipeline().context(decoder) != null) {
                    ctx.pipeline().remove(decoder);
                }
            });
        }
    }

    /** Takes (and releases) any chunk of the stream: whole frames from a FrameDecoder, or raw bytes. */
    public void read(ChannelHandlerContext ctx, ByteBuf chunk, Handler handler) {
        ByteBuf in = chunk;
        reading = true;
        if (cumulation != null && cumulation.isReadable()) {
            cumulation.writeBytes(chunk);
            chunk.release();
            in = cumulation;
        }
        try {
            while (!handler.failed() && in.readableBytes() >= Frame.LENGTH_FIELD_LENGTH) {
                final int lengthField = in.getIntLE(in.readerIndex());
                if (lengthField < Frame.MIN_LENGTH_FIELD || lengthField > maxFrameBytes - Frame.LENGTH_FIELD_LENGTH) {
                    handler.onBadLength(ctx, "frame length field " + Integer.toUnsignedString(lengthField) + " outside ["
                        + Frame.MIN_LENGTH_FIELD + ", " + (maxFrameBytes - Frame.LENGTH_FIELD_LENGTH)
                        + "] (maxFrameBytes " + maxFrameBytes + ")");
                    break;
                }
                final int frameLength = Frame.LENGTH_FIELD_LENGTH + lengthField;
                if (in.readableBytes() < frameLength) {
                    break;
                }
                handler.onFrame(ctx, in, in.readerIndex(), frameLength);
                in.skipBytes(frameLength);
            }
            if (!handler.failed() && in.isReadable() && in != cumulation) {
                if (cumulation == null) {
                    cumulation = ctx.alloc().directBuffer(Math.max(INITIAL_CUMULATION_BYTES, in.readableBytes()));
                }
                cumulation.writeBytes(in);
            }
        } finally {
            reading = false;
            if (in != cumulation) {
                in.release();
            }
            if (handler.failed() || !ctx.channel().isActive()) {
                release();
            } else if (cumulation != null) {
                cumulation.discardReadBytes(); // the partial frame moves to the front; usually nothing to move
            }
        }
    }

    /** Frees the partial-frame buffer; not while {@link #read} works on it (read frees it when it ends). */
    public void release() {
        if (cumulation != null && !reading) {
            cumulation.release();
            cumulation = null;
        }
    }
}
