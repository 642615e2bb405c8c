package io.pontoon.transport.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameValidator;
import io.pontoon.transport.netty.ByteBufView;
import io.pontoon.transport.netty.ConnectorHandshakeHandler;
import io.pontoon.transport.netty.Connections;
import io.pontoon.transport.netty.FrameSplitter;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One connection of a {@link PontoonClient} to one node: the requests waiting for its handshake and those sent on it,
 * the batch buffer their frames are encoded into (one write and one flush per event-loop turn), and the response
 * stream, each frame validated and handed to the {@link Owner}. What a closed connection means for its requests is
 * the owner's to decide. Event loop only.
 */
final class NodeConnection extends ChannelInboundHandlerAdapter
    implements ConnectorHandshakeHandler.Listener, FrameSplitter.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(PontoonClient.class);

    /** The client side of a connection. Event loop. */
    interface Owner {
        /** Encodes {@code request} into {@code conn}'s batch and records it in flight. */
        void transmit(NodeConnection conn, ClientRequest request);

        /** A validated response frame of {@code type}, body at {@link Frame#HEADER_LENGTH}, valid during the call. */
        void onResponse(NodeConnection conn, int type, DirectBuffer frame, int bodyLength);

        /** The connection closed (or never opened): its waiting and in-flight requests are the owner's to settle. */
        void onClosed(NodeConnection conn, String reason);
    }

    final InetSocketAddress address;
    final ArrayDeque<ClientRequest> waiting = new ArrayDeque<>();
    final Long2ObjectHashMap<ClientRequest> inflight = new Long2ObjectHashMap<>();
    private final Owner owner;
    private final EventLoop loop;
    private final int clusterId;
    private final int batchBufferBytes;
    private final FrameValidator validator = new FrameValidator();
    private final ByteBufView readView = new ByteBufView();
    private final FrameSplitter splitter;
    private final Runnable flushTask = this::flush;
    Channel channel;
    boolean ready;
    boolean closedConn;
    /** A malformed frame arrived: the connection is closing and the rest of the stream is ignored. */
    private boolean badStream;
    private boolean flushScheduled;
    /** Frames encoded since the last write, or null. */
    private ByteBuf batch;
    int acceptorId;
    /** When bytes last arrived from the node. */
    long lastReadNs = System.nanoTime();

    NodeConnection(InetSocketAddress address, Owner owner, EventLoop loop, int clusterId, int maxFrameBytes,
                   int batchBufferBytes) {
        this.address = address;
        this.owner = owner;
        this.loop = loop;
        this.clusterId = clusterId;
        this.batchBufferBytes = batchBufferBytes;
        this.splitter = new FrameSplitter(maxFrameBytes);
    }

    /** Room for one frame of {@code frameLength} bytes at the batch buffer's writer index. */
    ByteBuf batchBuffer(int frameLength) {
        if (batch != null && batch.capacity() - batch.writerIndex() < frameLength) {
            channel.write(batch, channel.voidPromise()); // full: queued in Netty, flushed with the rest
            batch = null;
        }
        if (batch == null) {
            final int capacity = Math.max(batchBufferBytes, frameLength);
            batch = channel.alloc().directBuffer(capacity, capacity);
        }
        return batch;
    }

    /** One flush per event-loop turn, however many requests were encoded in it. */
    void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flush() {
        flushScheduled = false;
        final ByteBuf b = batch;
        batch = null;
        if (b == null) {
            return;
        }
        if (closedConn) {
            b.release();
            return;
        }
        channel.writeAndFlush(b, channel.voidPromise());
    }

    @Override
    public void onAccepted(ChannelHandlerContext ctx, int acceptorNodeId) {
        acceptorId = acceptorNodeId;
        ready = true;
        ctx.pipeline().addLast("responses", this);
        while (!waiting.isEmpty()) {
            final ClientRequest request = waiting.poll();
            if (!request.future.isDone()) {
                owner.transmit(this, request);
            }
        }
    }

    @Override
    public void onRefused(ChannelHandlerContext ctx, String reason) {
        onClosed(reason);
    }

    /** Marks the connection closed, once, and lets the owner settle its requests. */
    void onClosed(String reason) {
        if (closedConn) {
            return;
        }
        closedConn = true;
        ready = false;
        if (batch != null) {
            batch.release();
            batch = null;
        }
        splitter.release();
        owner.onClosed(this, reason);
    }

    void failAll(Throwable cause) {
        waiting.forEach(r -> r.fail(cause));
        waiting.clear();
        inflight.values().forEach(r -> r.fail(cause));
        inflight.clear();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        FrameSplitter.replaceFrameDecoder(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        splitter.release();
    }

    /** Any chunk of the byte stream; each whole response frame is handled in place. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closedConn || badStream || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastReadNs = System.nanoTime();
        splitter.read(ctx, (ByteBuf) msg, this);
    }

    @Override
    public boolean failed() {
        return closedConn || badStream;
    }

    @Override
    public void onBadLength(ChannelHandlerContext ctx, String reason) {
        badStream = true;
        Connections.closeWithReason(ctx, LOG, "node " + acceptorId + ": " + reason);
    }

    @Override
    public void onFrame(ChannelHandlerContext ctx, ByteBuf in, int index, int frameLength) {
        final DirectBuffer b = readView.wrap(in, index, frameLength);
        final int type = Frame.type(b, 0);
        final int bodyLength = Frame.bodyLength(frameLength);
        String reason = validator.validateHeader(b, 0, frameLength, clusterId, acceptorId);
        if (reason == null) {
            reason = FrameValidator.validateClientResponseBody(type, b, Frame.HEADER_LENGTH, bodyLength);
        }
        if (reason != null) {
            onBadLength(ctx, reason);
            return;
        }
        owner.onResponse(this, type, b, bodyLength);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Connections.closeWithReason(ctx, LOG, "connection to node " + acceptorId + " failed: " + cause);
    }
}
