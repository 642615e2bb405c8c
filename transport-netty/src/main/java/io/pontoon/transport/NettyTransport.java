package io.pontoon.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.spi.Membership;
import io.pontoon.spi.Transport;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.codec.HandshakeCodec.RejectReason;
import io.pontoon.transport.fault.FaultInjectionHandler;
import io.pontoon.transport.fault.FaultRules;
import io.pontoon.transport.netty.AcceptorHandshakeHandler;
import io.pontoon.transport.netty.EventLoops;
import io.pontoon.transport.netty.FrameDecoder;
import io.pontoon.transport.netty.HandshakeSettings;
import io.pontoon.transport.netty.PeerInboundHandler;
import io.pontoon.transport.netty.SslContexts;
import io.pontoon.transport.netty.TlsHandshakeLogger;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link Transport} SPI over Netty TCP (docs/PROTOCOL.md).
 *
 * <ul>
 *   <li>One listening socket per node serves peers and clients; every connection starts with the
 *       handshake (version, cluster, node id, optional HMAC of the peer or a client secret, optional mutual TLS).</li>
 *   <li>One connection per pair of nodes, used in both directions: the node with the higher id dials the
 *       one with the lower id ({@link PeerLink#dialsPeer}), which accepts only from higher ids. The dialling
 *       side reconnects a lost connection with capped exponential backoff; the accepting side waits for
 *       the redial, and a newer accepted connection from a peer replaces its older one.</li>
 *   <li>The peers follow the cluster configuration ({@link #onMembershipChanged}, {@link PeerLinks}): a member
 *       added is linked at the address the configuration gives, a member removed is unlinked and refused.</li>
 *   <li>{@link #send} (Raft thread) appends a frame to the peer's pending pooled buffer; {@link #flush}
 *       (Raft thread, once per duty cycle) hands each peer's buffer to the channel that links the pair
 *       now, dialled or accepted, with a single {@code writeAndFlush}. No lock, and one hand-off per peer
 *       per duty cycle.</li>
 *   <li>Inbound frames, on either kind of connection, are validated (header against the handshake, body
 *       with the core codecs) and passed to the {@link InboundHandler} over the frame's own memory on the
 *       event loop.</li>
 *   <li>With {@link NettyTransportConfig#faultInjection} every peer connection has a
 *       {@link FaultInjectionHandler} driven by {@link #faults()}: its outbound rules apply to the frames
 *       this node writes on the connection, its inbound rules to the frames it reads.</li>
 * </ul>
 */
public final class NettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    private final NettyTransportConfig config;
    private final FaultRules faults;
    /** Peer connections get a fault handler: {@code faultInjection} or {@code faultControl}. */
    private final boolean faultHandlers;
    /** Judges the FAULT requests of admin clients; refuses them all when fault control is off. */
    private final ClientFaultControl faultControl;
    private final HandshakeSettings handshakeSettings;
    private final SslContext serverSsl;
    private final SslContext clientSsl;
    /** The links with peers; published copy-on-write, read without a lock by the Raft thread and event loops. */
    private final PeerLinks peers;
    /** Every open peer connection, dialled (from its first attempt) or accepted (once handshaken as a peer). */
    private final Set<Channel> peerChannels = ConcurrentHashMap.newKeySet();
    /**
     * Every connection the listening socket accepted and that is still open (peers and clients). close()
     * closes each one itself: shutting the event loops down does not reliably close the channels
     * registered on them (Netty 4.2 epoll: seen in about 1 close in 3 with clients connected), and a client
     * left on such a connection sends into a socket that nobody reads.
     */
    private final Set<Channel> acceptedChannels = ConcurrentHashMap.newKeySet();
    private final AtomicLong rejectedByNode = new AtomicLong();
    private final AtomicLong oversizedSends = new AtomicLong();
    /**
     * Non-empty AppendEntries frames queued for peers, and the entries in them: written by the Raft thread only, as
     * plain fields (a counter must cost no more than an increment on the hot path); read by benchmarks.
     */
    private long appendFramesSent;
    private long appendEntriesSent;

    private volatile ClientService clientService;
    private volatile boolean closed;
    private EventLoops loops;
    private Channel serverChannel;
    private ExecutorService statusExecutor;
    /** Status requests waiting for the status thread, all client connections together. */
    static final int STATUS_QUEUE_CAPACITY = 1024;
    /** Client connections past the handshake and still open. */
    private final java.util.concurrent.atomic.AtomicInteger clientConnections = new java.util.concurrent.atomic.AtomicInteger();
    /** Write-buffer water marks of a client connection: above the high mark the node stops reading its requests. */
    private static final WriteBufferWaterMark CLIENT_WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    private InboundHandler inbound;

    public NettyTransport(NettyTransportConfig config) {
        this.config = config;
        this.faults = new FaultRules(config.faultSeed);
        this.faultHandlers = config.faultInjection || config.faultControl;
        this.faultControl = new ClientFaultControl(config.nodeId, config.faultControl ? faults : null);
        this.peers = new PeerLinks(this, config);
        this.handshakeSettings = new HandshakeSettings(config.clusterId, config.nodeId, config.secret(),
            config.clientSecrets(), peers::mayConnect, config.handshakeTimeoutNs)
            .requireCertificatesNamingNodeIds(config.tls != null && config.tls.certificatesNameNodeIds())
            .adminSecret(config.adminSecret());
        this.serverSsl = config.tls == null ? null : SslContexts.server(config.tls.certChainPem(),
            config.tls.privateKeyPem(), config.tls.trustCertsPem());
        this.clientSsl = config.tls == null ? null : SslContexts.client(config.tls.certChainPem(),
            config.tls.privateKeyPem(), config.tls.trustCertsPem(), config.tls.verifyHostname());
    }

    /**
     * Binds the listening socket and starts dialling every peer with a lower node id (peers with a higher
     * id dial this node). The peers are the members of the configuration given to {@link #onMembershipChanged}
     * (which may come before or after start), else {@link NettyTransportConfig#peers}. Called once by the node
     * runtime before any send; blocks until the socket is bound.
     *
     * @throws IllegalArgumentException if {@code localNodeId} is not the configured node id
     * @throws IllegalStateException    if the listen address cannot be bound
     */
    @Override
    public void start(int localNodeId, InboundHandler inbound) {
        if (localNodeId != config.nodeId) {
            throw new IllegalArgumentException("start(localNodeId=" + localNodeId + ") but the transport is configured for nodeId "
                + config.nodeId);
        }
        if (this.inbound != null) {
            throw new IllegalStateException("NettyTransport for node " + config.nodeId + " already started");
        }
        this.inbound = inbound;
        loops = new EventLoops(config.preferEpoll, config.ioThreads, "pontoon-io-" + config.nodeId);
        // Bounded: a flood of status requests is refused (the connection closes), never queued without limit.
        statusExecutor = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new java.util.concurrent.ArrayBlockingQueue<>(STATUS_QUEUE_CAPACITY), r -> {
                final Thread t = new Thread(r, "pontoon-status-" + config.nodeId);
                t.setDaemon(true);
                return t;
            });
        final WriteBufferWaterMark waterMark = new WriteBufferWaterMark(config.maxPendingBytesPerPeer / 2,
            config.maxPendingBytesPerPeer);
        final Bootstrap base = new Bootstrap()
            .group(loops.group())
            .channel(loops.socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                TimeUnit.NANOSECONDS.toMillis(config.handshakeTimeoutNs)));
        // before the bind: an accepted peer connection looks its link up on an event loop
        peers.open(base);
        final ServerBootstrap server = new ServerBootstrap()
            .group(loops.group())
            .channel(loops.serverChannelClass())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    initAcceptedChannel(ch);
                }
            });
        try {
            serverChannel = server.bind(config.listenAddress).syncUninterruptibly().channel();
        } catch (Exception e) {
            loops.group().shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("node " + config.nodeId + ": cannot listen on " + config.listenAddress + ": " + e, e);
        }
        LOG.info("node {}: listening on {} ({}, tls {}, peer secret {}, client secrets {}, admin secret {}, fault "
            + "control {})", config.nodeId, serverChannel.localAddress(), loops.isEpoll() ? "epoll" : "nio",
            config.tls != null ? "on" : "off", config.secret() != null ? "on" : "off", config.clientSecrets().size(),
            config.adminSecret() != null ? "on" : "off", config.faultControl ? "on" : "off");
        peers.startDialling();
    }

    /**
     * The configuration in effect changed (or the node gives its first one, before or after {@link #start}): links
     * for members added, at the address the configuration gives (else the one configured), links closed for
     * members removed. A malformed address is logged and ignored. Raft thread (before start: the thread building
     * the node); does not block: names are resolved when dialled, on an event loop.
     */
    @Override
    public void onMembershipChanged(Membership membership) {
        if (!closed) {
            peers.onMembershipChanged(membership);
        }
    }

    /** Pipeline head of a connection this node dials to {@code remote}, before the handshake. Event loop. */
    void initDialledChannel(Channel ch, InetSocketAddress remote) {
        trackPeerChannel(ch);
        final ChannelPipeline pipeline = ch.pipeline();
        if (clientSsl != null) {
            pipeline.addLast("tls", clientSsl.newHandler(pipeline.channel().alloc(), remote.getHostString(), remote.getPort()));
            pipeline.addLast("tls-log", TlsHandshakeLogger.INSTANCE);
        }
        pipeline.addLast("frames", new FrameDecoder(config.maxFrameBytes));
        if (faultHandlers) {
            pipeline.addLast("faults", new FaultInjectionHandler(faults));
        }
    }

    private void initAcceptedChannel(Channel ch) {
        acceptedChannels.add(ch);
        ch.closeFuture().addListener(f -> acceptedChannels.remove(ch));
        if (closed) {
            ch.close(); // accepted while the transport was closing: close() may already have swept the set
            return;
        }
        final ChannelPipeline pipeline = ch.pipeline();
        if (serverSsl != null) {
            pipeline.addLast("tls", serverSsl.newHandler(ch.alloc()));
            pipeline.addLast("tls-log", TlsHandshakeLogger.INSTANCE);
        }
        // Nobody has proved anything yet: a frame larger than a handshake needs closes the connection (issue 9:
        // 8 MiB frames were buffered before the handshake). The limit rises once the handshake succeeds.
        pipeline.addLast("frames", new FrameDecoder(FrameDecoder.HANDSHAKE_MAX_FRAME_BYTES));
        if (faultHandlers) {
            pipeline.addLast("faults", new FaultInjectionHandler(faults));
        }
        pipeline.addLast("handshake", new AcceptorHandshakeHandler(handshakeSettings, new AcceptorHandshakeHandler.Initializer() {
            @Override
            public RejectReason check(int role, int nodeId) {
                if (role == HandshakeCodec.ROLE_CLIENT && clientService == null) {
                    return RejectReason.NO_CLIENT_SERVICE;
                }
                if (role == HandshakeCodec.ROLE_CLIENT && clientConnections.get() >= config.maxClientConnections) {
                    return RejectReason.TOO_MANY_CLIENTS;
                }
                if (role == HandshakeCodec.ROLE_PEER && PeerLink.dialsPeer(config.nodeId, nodeId)) {
                    return RejectReason.WRONG_DIRECTION;
                }
                if (role == HandshakeCodec.ROLE_PEER && !peers.admits(nodeId)) {
                    return RejectReason.UNKNOWN_NODE;
                }
                return null;
            }

            @Override
            public void install(ChannelPipeline p, int role, int nodeId, boolean admin) {
                final FrameDecoder frames = p.get(FrameDecoder.class);
                if (frames != null) {
                    frames.maxFrameBytes(config.maxFrameBytes);
                }
                if (role == HandshakeCodec.ROLE_PEER) {
                    final PeerLink link = peers.get(nodeId);
                    if (link == null) {
                        LOG.info("node {}: peer {} left the configuration during its handshake; closing", config.nodeId,
                            nodeId);
                        p.channel().close();
                        return;
                    }
                    installPeer(p, nodeId);
                    trackPeerChannel(p.channel());
                    link.onAcceptedChannel(p.channel());
                    p.channel().closeFuture().addListener(f -> peers.onAcceptedChannelClosed(link));
                } else {
                    final Channel ch = p.channel();
                    clientConnections.incrementAndGet();
                    ch.closeFuture().addListener(f -> clientConnections.decrementAndGet());
                    ch.config().setWriteBufferWaterMark(CLIENT_WATER_MARK);
                    p.addFirst("idle", new io.netty.handler.timeout.ReadTimeoutHandler(config.clientIdleTimeoutNs,
                        TimeUnit.NANOSECONDS));
                    p.addLast("client", new ClientRequestHandler(clientService, config.clusterId, config.nodeId,
                        peers::advertisedAddress, statusExecutor, config.maxFrameBytes,
                        config.maxStatusRequestsPerClient).faultControl(faultControl, admin));
                }
            }
        }));
    }

    /**
     * After a peer handshake on either side: faults bound to the peer (both directions) and the handler
     * that hands the peer's frames to the node. Event loop.
     */
    void installPeer(ChannelPipeline pipeline, int peerId) {
        final FaultInjectionHandler faultHandler = pipeline.get(FaultInjectionHandler.class);
        if (faultHandler != null) {
            faultHandler.bindPeer(peerId);
        }
        pipeline.addLast("peer-in", new PeerInboundHandler(peerId, config.clusterId, inbound, rejectedByNode));
    }

    private void trackPeerChannel(Channel ch) {
        peerChannels.add(ch);
        ch.closeFuture().addListener(f -> peerChannels.remove(ch));
    }

    /**
     * Raft thread. Copies the body into the peer's pending buffer as one frame. False if the peer is
     * unknown or no connection links it with this node now (the dialling side is reconnecting), its
     * pending bytes or socket buffer are over maxPendingBytesPerPeer, or the frame would exceed
     * maxFrameBytes: the message is lost, which Raft tolerates.
     *
     * @throws IllegalArgumentException if {@code type} is not a Raft message type (a bug in the caller)
     */
    @Override
    public boolean send(int toNodeId, int type, DirectBuffer body, int offset, int length) {
        if (!MessageType.isRaftMessage(type)) {
            throw new IllegalArgumentException("send: type " + type + " is not a Raft message type");
        }
        if (closed) {
            return false;
        }
        final PeerLink link = peers.get(toNodeId);
        if (link == null) {
            return false;
        }
        if (io.pontoon.transport.codec.Frame.HEADER_LENGTH + (long) length > config.maxFrameBytes) {
            if (oversizedSends.getAndIncrement() == 0) {
                LOG.warn("node {}: dropping a {} of {} bytes to node {}: above maxFrameBytes {} (logged once)",
                    config.nodeId, MessageType.name(type), length, toNodeId, config.maxFrameBytes);
            }
            return false;
        }
        final boolean queued = link.trySend(type, config.clusterId, config.nodeId, body, offset, length);
        if (queued && type == MessageType.APPEND_ENTRIES && length >= AppendEntriesCodec.HEADER_LENGTH) {
            final int entries = body.getInt(offset + AppendEntriesCodec.ENTRY_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (entries > 0) {
                appendFramesSent++;
                appendEntriesSent += entries;
            }
        }
        return queued;
    }

    /**
     * AppendEntries frames with at least one entry that this node queued for its peers since start (probes and
     * heartbeats not counted). Written by the Raft thread; from another thread the value may lag a little.
     */
    public long appendFramesSent() {
        return appendFramesSent;
    }

    /** Entries in the frames counted by {@link #appendFramesSent()}. Same threading. */
    public long appendEntriesSent() {
        return appendEntriesSent;
    }

    /** Raft thread. One write and one flush per peer with pending frames. */
    @Override
    public void flush() {
        peers.releaseRetired();
        final PeerLink[] array = peers.array();
        if (closed) {
            for (PeerLink link : array) {
                link.releaseOnRaftThread();
            }
            return;
        }
        for (PeerLink link : array) {
            link.flush();
        }
    }

    /** Attaches the service that answers client requests on this node's port; before it, clients are refused. Any thread. */
    public NettyTransport serveClients(ClientService service) {
        this.clientService = service;
        return this;
    }

    /**
     * The run-time fault rules (effective when {@link NettyTransportConfig#faultInjection} or
     * {@link NettyTransportConfig#faultControl} is on; with fault control, admin clients replace them). Any thread.
     */
    public FaultRules faults() {
        return faults;
    }

    /** The bound listen address (useful with port 0); null before start. */
    public InetSocketAddress localAddress() {
        final Channel ch = serverChannel;
        return ch == null ? null : (InetSocketAddress) ch.localAddress();
    }

    /** True while a handshaken connection links this node with {@code peerId} (whichever side dialled). Any thread. */
    public boolean isConnected(int peerId) {
        final PeerLink link = peers.get(peerId);
        return link != null && link.isConnected();
    }

    /**
     * Completes when a handshaken connection links this node with {@code peerId} (at once if one does
     * now), whichever side dialled; for tests and start-up checks. Any thread.
     */
    public java.util.concurrent.CompletableFuture<Void> whenConnected(int peerId) {
        final PeerLink link = peers.get(peerId);
        if (link == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(
                new IllegalArgumentException("node " + peerId + " is not a peer of node " + config.nodeId));
        }
        return link.whenConnected();
    }

    /**
     * The open peer connections of this node: those it dialled (from the attempt on) and those it
     * accepted from peers (once handshaken). With every link up this is the number of peers. Any thread.
     */
    public int openPeerConnections() {
        int open = 0;
        for (Channel ch : peerChannels) {
            if (ch.isOpen()) {
                open++;
            }
        }
        return open;
    }

    /** The channel linking this node with {@code peerId} now, or null; for tests. Any thread. */
    Channel linkChannel(int peerId) {
        final PeerLink link = peers.get(peerId);
        return link == null ? null : link.channel();
    }

    /** The largest Raft message body a frame of maxFrameBytes carries. */
    @Override
    public int maxMessageBytes() {
        return config.maxFrameBytes - io.pontoon.transport.codec.Frame.HEADER_LENGTH;
    }

    /** Client connections open now (past their handshake). Any thread. */
    public int clientConnections() {
        return clientConnections.get();
    }

    /** Messages the node refused because its inbound ring was full. */
    public long rejectedByNode() {
        return rejectedByNode.get();
    }

    public NettyTransportConfig config() {
        return config;
    }

    HandshakeSettings handshakeSettings() {
        return handshakeSettings;
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes every connection and the listening socket, and stops the I/O threads. Blocks up to a few seconds. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        peers.close();
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        final List<ChannelFuture> closing = new ArrayList<>();
        for (Channel ch : peerChannels) {
            closing.add(ch.close());
        }
        for (Channel ch : acceptedChannels) {
            closing.add(ch.close());
        }
        for (ChannelFuture f : closing) {
            if (!f.channel().eventLoop().inEventLoop()) {
                f.awaitUninterruptibly(2, TimeUnit.SECONDS); // closed before the loops stop, so each peer sees EOF
            }
        }
        if (statusExecutor != null) {
            statusExecutor.shutdownNow();
        }
        if (loops != null) {
            loops.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        LOG.info("node {}: transport closed", config.nodeId);
    }
}
