package io.pontoon.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.pontoon.transport.codec.FrameType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a connection this node opened to a peer. Traffic on it flows one way (this node's
 * messages to the peer; the peer answers on its own connection), so any frame arriving here is a
 * protocol violation and closes it with a logged reason.
 */
public final class OutboundPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundPeerHandler.class);

    private final int peerId;

    public OutboundPeerHandler(int peerId) {
        this.peerId = peerId;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            final String type = msg instanceof ByteBuf && ((ByteBuf) msg).readableBytes() > 4
                ? FrameType.name(((ByteBuf) msg).getUnsignedByte(((ByteBuf) msg).readerIndex() + 4)) : "?";
            Connections.closeWithReason(ctx, LOG, "peer " + peerId + " sent " + type
                + " on this node's outbound-only connection");
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Connections.closeWithReason(ctx, LOG, "connection to peer " + peerId + " failed: " + cause);
    }
}
