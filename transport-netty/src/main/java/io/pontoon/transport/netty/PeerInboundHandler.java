package io.pontoon.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.pontoon.spi.Transport.InboundHandler;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameValidator;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands the Raft frames of one authenticated peer connection to the node. A pair of nodes shares one
 * connection, so this is the last handler on both its ends: the one this node dialled (installed after
 * the ACCEPT) and the one it accepted (installed after the HELLO). Header checked against
 * the handshake (cluster, sender, version), body checked with the core codec's {@code validate}, then
 * {@link InboundHandler#onMessage} over the frame's own memory (no copy here; the node copies once into
 * its ring). Any invalid frame closes the connection with a logged reason and never reaches the node.
 * Event loop only; one instance per connection.
 */
public final class PeerInboundHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PeerInboundHandler.class);

    private final int peerId;
    private final int clusterId;
    private final InboundHandler inbound;
    private final AtomicLong rejectedByNode;
    private final FrameValidator validator = new FrameValidator();
    private final ByteBufView view = new ByteBufView();
    private boolean failed;

    /** @param rejectedByNode counts messages the node refused (inbound ring full) */
    public PeerInboundHandler(int peerId, int clusterId, InboundHandler inbound, AtomicLong rejectedByNode) {
        this.peerId = peerId;
        this.clusterId = clusterId;
        this.inbound = inbound;
        this.rejectedByNode = rejectedByNode;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (failed || !(msg instanceof ByteBuf)) {
                return;
            }
            final ByteBuf frame = (ByteBuf) msg;
            final int frameLength = frame.readableBytes();
            final DirectBuffer b = view.wrap(frame, frame.readerIndex(), frameLength);
            final int type = Frame.type(b, 0);
            final int bodyLength = Frame.bodyLength(frameLength);
            String reason = validator.validateHeader(b, 0, frameLength, clusterId, peerId);
            if (reason == null) {
                reason = validator.validateRaftBody(type, b, Frame.HEADER_LENGTH, bodyLength);
            }
            if (reason != null) {
                failed = true;
                Connections.closeWithReason(ctx, LOG, "peer " + peerId + ": " + reason);
                return;
            }
            if (!inbound.onMessage(peerId, type, b, Frame.HEADER_LENGTH, bodyLength)) {
                rejectedByNode.incrementAndGet();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed = true;
        Connections.closeWithReason(ctx, LOG, "peer " + peerId + " connection error: " + cause);
    }
}
