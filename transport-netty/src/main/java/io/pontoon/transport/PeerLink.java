package io.pontoon.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.netty.ByteBufView;
import io.pontoon.transport.netty.ConnectorHandshakeHandler;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one connection between this node and one peer, used in both directions, and the frames queued
 * for the peer.
 *
 * <p>Who dials is decided by the node ids ({@link #dialsPeer}): the node with the higher id dials, the
 * other only accepts. A dialling link connects at start and reconnects with capped exponential backoff
 * (reconnectBackoffMinNs doubling to reconnectBackoffMaxNs, reset after a successful handshake) whenever
 * its connection is lost. An accepting link is given each handshaken connection the peer opens
 * ({@link #onAcceptedChannel}); a newer one replaces (and closes) the older, so a restarted peer relinks
 * at once, and while there is none, {@link #trySend} returns false until the peer redials. A link lasts while
 * its peer is a member ({@link PeerLinks}); once closed it is never reused (a member added again gets a new one).
 *
 * <p>Threads: {@link #trySend} and {@link #flush} run on the Raft thread, which owns {@code pending}
 * (a pooled buffer of whole frames). {@link #flush} hands that buffer to the current channel with one
 * {@code writeAndFlush}: ownership passes to the event loop through Netty's task queue, so the Raft
 * thread never touches it again. The channel is replaced on event loops (possibly two different ones
 * when an accepted connection replaces another), under this object's monitor; the Raft thread takes no
 * lock and only reads the volatile {@code channel}.
 */
final class PeerLink implements ConnectorHandshakeHandler.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    private static final int INITIAL_PENDING_BYTES = 64 * 1024;

    private final int peerId;
    /** Where the peer listens; used only when this node dials it (may be null otherwise). */
    private final InetSocketAddress address;
    private final NettyTransport transport;
    private final NettyTransportConfig config;
    /** Null for an accepting link. */
    private final Bootstrap bootstrap;

    /** The handshaken channel linking the pair, or null. Written under the monitor, read by any thread. */
    private volatile Channel channel;
    private volatile boolean closed;
    /** Dialling link only; the event loop of the current attempt (attempts are sequential). */
    private int failedAttempts;
    /** Completed while linked; replaced by a fresh one when the link is lost. Written under the monitor. */
    private volatile CompletableFuture<Void> connected = new CompletableFuture<>();

    /** Raft thread only. */
    private ByteBuf pending;
    private final ByteBufView raftView = new ByteBufView();

    /**
     * @param address where the peer listens; required when this node dials it, else may be null
     * @param base    the transport's client bootstrap (event loops, options, pipeline head); used only
     *                when this node dials the peer
     */
    PeerLink(int peerId, InetSocketAddress address, NettyTransport transport, Bootstrap base) {
        this.peerId = peerId;
        this.address = address;
        this.transport = transport;
        this.config = transport.config();
        if (dialsPeer(config.nodeId, peerId)) {
            if (address == null) {
                throw new IllegalArgumentException("node " + config.nodeId + " dials peer " + peerId
                    + " and needs its address");
            }
            final PeerLink self = this;
            this.bootstrap = base.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    transport.initDialledChannel(ch, address);
                    ch.pipeline().addLast("handshake", new ConnectorHandshakeHandler(transport.handshakeSettings(),
                        HandshakeCodec.ROLE_PEER, peerId, self));
                }
            });
        } else {
            this.bootstrap = null;
        }
    }

    /**
     * The rule that gives a pair of nodes exactly one connection: the node with the higher id dials the
     * one with the lower id, which only accepts (docs/PROTOCOL.md, "Connections").
     */
    static boolean dialsPeer(int localNodeId, int peerId) {
        return localNodeId > peerId;
    }

    int peerId() {
        return peerId;
    }

    /** Where the peer listens, or null if not known (an accepting link needs none). */
    InetSocketAddress address() {
        return address;
    }

    boolean dials() {
        return bootstrap != null;
    }

    boolean isConnected() {
        return channel != null;
    }

    /** The channel linking the pair now, or null. Any thread. */
    Channel channel() {
        return channel;
    }

    /** Completes when the link is (or next becomes) connected. */
    CompletableFuture<Void> whenConnected() {
        return connected;
    }

    /** Raft thread. Appends one frame to the pending buffer; false if unlinked or over the limit. */
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

    /**
     * Raft thread. Hands the pending frames to the channel that links the pair now, with one write and
     * one flush. If the channel was replaced since {@link #trySend}, the frames go on the new one: they
     * are whole frames from this node, valid on any connection of the pair.
     */
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

    /** Any thread. Starts dialling the peer if this node is the dialling side; else does nothing. */
    void start() {
        if (bootstrap != null) {
            connect();
        }
    }

    private void connect() {
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
            future.channel().closeFuture().addListener(c -> {
                onClosed(future.channel());
                scheduleReconnect(future.channel().eventLoop());
            });
        });
    }

    /** Dialling side: the acceptor accepted our HELLO. Event loop of the channel. */
    @Override
    public void onAccepted(ChannelHandlerContext ctx, int acceptorNodeId) {
        if (closed) {
            ctx.close();
            return;
        }
        transport.installPeer(ctx.pipeline(), peerId);
        failedAttempts = 0;
        link(ctx.channel());
    }

    /**
     * Accepting side: the peer dialled and passed the handshake, and the peer handlers are installed.
     * The new connection replaces any older one (the peer restarted, or redialled after losing it).
     * Event loop of the channel.
     */
    void onAcceptedChannel(Channel ch) {
        link(ch);
        ch.closeFuture().addListener(c -> onClosed(ch));
    }

    private void link(Channel ch) {
        final boolean refused;
        Channel previous = null;
        synchronized (this) {
            refused = closed;
            if (!refused) {
                previous = channel;
                channel = ch;
                connected.complete(null);
            }
        }
        if (refused) {
            ch.close(); // the transport is closing
            return;
        }
        if (previous != null && previous != ch) {
            LOG.info("node {}: peer {} linked again from {}; closing its previous connection {}", config.nodeId, peerId,
                ch.remoteAddress(), previous.remoteAddress());
            previous.close();
        } else {
            LOG.info("node {}: linked with peer {} ({} {} -> {})", config.nodeId, peerId, dials() ? "dialled" : "accepted",
                ch.localAddress(), ch.remoteAddress());
        }
    }

    private void onClosed(Channel ch) {
        synchronized (this) {
            if (channel != ch) {
                return; // an older connection, already replaced
            }
            channel = null;
            connected = new CompletableFuture<>();
        }
        LOG.info("node {}: connection with peer {} ({}) closed{}", config.nodeId, peerId, ch.remoteAddress(),
            dials() ? "; redialling" : "; waiting for the peer to redial");
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
        final Channel ch;
        synchronized (this) {
            closed = true;
            ch = channel;
            channel = null;
        }
        if (ch != null) {
            ch.close();
        }
    }

    /** Raft thread, after close: drops frames not yet handed over. */
    void releaseOnRaftThread() {
        releasePending();
    }
}
