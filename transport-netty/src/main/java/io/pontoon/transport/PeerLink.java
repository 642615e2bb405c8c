package io.pontoon.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.fault.FaultInjectionHandler;
import io.pontoon.transport.netty.ByteBufView;
import io.pontoon.transport.netty.ConnectorHandshakeHandler;
import io.pontoon.transport.netty.OutboundPeerHandler;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This node's one outbound connection to one peer, and the frames queued for it.
 *
 * <p>Threads: {@link #trySend} and {@link #flush} run on the Raft thread, which owns {@code pending}
 * (a pooled buffer of whole frames). {@link #flush} hands that buffer to the channel with one
 * {@code writeAndFlush}: ownership passes to the event loop through Netty's task queue, so the Raft
 * thread never touches it again. Connection state is written on the event loop; the Raft thread only
 * reads the volatile {@code channel}. Reconnects back off exponentially from reconnectBackoffMinNs to
 * reconnectBackoffMaxNs and reset after a successful handshake.
 */
final class PeerLink implements ConnectorHandshakeHandler.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    private static final int INITIAL_PENDING_BYTES = 64 * 1024;

    private final int peerId;
    private final InetSocketAddress address;
    private final NettyTransport transport;
    private final NettyTransportConfig config;
    private final Bootstrap bootstrap;

    /** The handshaken channel, or null while disconnected. Written on the event loop. */
    private volatile Channel channel;
    private volatile boolean closed;
    /** Event loop only. */
    private int failedAttempts;
    /** Completed while connected; replaced by a fresh one when the connection is lost. */
    private volatile CompletableFuture<Void> connected = new CompletableFuture<>();

    /** Raft thread only. */
    private ByteBuf pending;
    private final ByteBufView raftView = new ByteBufView();

    PeerLink(int peerId, InetSocketAddress address, NettyTransport transport, Bootstrap base,
             Consumer<ChannelPipeline> pipelineHead) {
        this.peerId = peerId;
        this.address = address;
        this.transport = transport;
        this.config = transport.config();
        final PeerLink self = this;
        this.bootstrap = base.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                pipelineHead.accept(ch.pipeline());
                ch.pipeline().addLast("handshake", new ConnectorHandshakeHandler(transport.handshakeSettings(),
                    HandshakeCodec.ROLE_PEER, peerId, self));
            }
        });
    }

    int peerId() {
        return peerId;
    }

    boolean isConnected() {
        return channel != null;
    }

    /** Completes when the link is (or next becomes) connected. */
    CompletableFuture<Void> whenConnected() {
        return connected;
    }

    /** Raft thread. Appends one frame to the pending buffer; false if disconnected or over the limit. */
    boolean trySend(int type, int clusterId, int senderId, DirectBuffer body, int offset, int length) {
        final Channel ch = channel;
        if (ch == null) {
            releasePending();
            return false;
        }
        final int frameLength = Frame.HEADER_LENGTH + length;
        final int queued = pending == null ? 0 : pending.readableBytes();
        if (queued + frameLength > config.maxPendingBytesPerPeer || !ch.isWritable()) {
            return false;
        }
        if (pending == null) {
            pending = ch.alloc().directBuffer(Math.max(INITIAL_PENDING_BYTES, frameLength));
        }
        final MutableDirectBuffer w = raftView.beginWrite(pending, frameLength);
        Frame.encodeHeader(w, 0, type, clusterId, senderId, length);
        w.putBytes(Frame.HEADER_LENGTH, body, offset, length);
        raftView.commit(pending, frameLength);
        return true;
    }

    /** Raft thread. Hands the pending frames to the event loop with one write and one flush. */
    void flush() {
        final ByteBuf frames = pending;
        if (frames == null) {
            return;
        }
        pending = null;
        final Channel ch = channel;
        if (ch == null) {
            frames.release();
            return;
        }
        ch.writeAndFlush(frames, ch.voidPromise());
    }

    private void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /** Any thread. Starts a connection attempt. */
    void connect() {
        if (closed) {
            return;
        }
        final ChannelFuture future = bootstrap.connect(address);
        future.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.debug("node {}: connect to peer {} at {} failed: {}", config.nodeId, peerId, address, f.cause().toString());
                scheduleReconnect(future.channel().eventLoop());
                return;
            }
            future.channel().closeFuture().addListener(c -> onClosed(future.channel()));
        });
    }

    @Override
    public void onAccepted(ChannelHandlerContext ctx, int acceptorNodeId) {
        if (closed) {
            ctx.close();
            return;
        }
        final FaultInjectionHandler faults = ctx.pipeline().get(FaultInjectionHandler.class);
        if (faults != null) {
            faults.bindPeer(peerId);
        }
        ctx.pipeline().addLast("peer-out", new OutboundPeerHandler(peerId));
        failedAttempts = 0;
        channel = ctx.channel();
        connected.complete(null);
        LOG.info("node {}: connected to peer {} at {}", config.nodeId, peerId, address);
    }

    private void onClosed(Channel ch) {
        if (channel == ch) {
            channel = null;
            connected = new CompletableFuture<>();
            LOG.info("node {}: connection to peer {} at {} closed", config.nodeId, peerId, address);
        }
        scheduleReconnect(ch.eventLoop());
    }

    private void scheduleReconnect(EventLoopGroup loop) {
        if (closed || transport.isClosed()) {
            return;
        }
        long delayNs = config.reconnectBackoffMinNs;
        for (int i = 0; i < failedAttempts && delayNs < config.reconnectBackoffMaxNs; i++) {
            delayNs *= 2;
        }
        delayNs = Math.min(delayNs, config.reconnectBackoffMaxNs);
        failedAttempts++;
        try {
            loop.schedule(this::connect, delayNs, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // event loop group shutting down: the transport is closing
        }
    }

    /** Any thread. Stops reconnecting and closes the connection; pending frames are released by the Raft thread's next call or lost. */
    void close() {
        closed = true;
        final Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }

    /** Raft thread, after close: drops frames not yet handed over. */
    void releaseOnRaftThread() {
        releasePending();
    }
}
