package io.pontoon.transport.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ReadPolicy;
import io.pontoon.ResultCode;
import io.pontoon.transport.NettyTransportConfig;
import io.pontoon.transport.codec.ClientAdminRequestCodec;
import io.pontoon.transport.codec.ClientAdminResponseCodec;
import io.pontoon.transport.codec.ClientAppendRequestCodec;
import io.pontoon.transport.codec.ClientAppendResponseCodec;
import io.pontoon.transport.codec.ClientStatusRequestCodec;
import io.pontoon.transport.codec.ClientStatusResponseCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.FrameValidator;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.netty.ByteBufView;
import io.pontoon.transport.netty.ConnectorHandshakeHandler;
import io.pontoon.transport.netty.Connections;
import io.pontoon.transport.netty.EventLoops;
import io.pontoon.transport.netty.FrameDecoder;
import io.pontoon.transport.netty.FrameSplitter;
import io.pontoon.transport.netty.HandshakeSettings;
import io.pontoon.transport.netty.SslContexts;
import io.pontoon.transport.netty.TlsHandshakeLogger;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Java client of a Pontoon cluster over the wire protocol (docs/PROTOCOL.md, "Client messages").
 *
 * <pre>{@code
 * try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder()
 *         .addresses("127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003").clusterId(1).build())) {
 *     long lsn = client.append("hello".getBytes()).get();   // committed at log index lsn
 *     RaftStatus s = client.status("127.0.0.1:7002").get();
 *     client.transferLeadership("127.0.0.1:7001", 2).get();   // node 1 led: node 2 leads once this completes
 *     long readIndex = client.readIndex("127.0.0.1:7003", ReadPolicy.LINEARIZABLE).get();
 * }
 * }</pre>
 *
 * <p>{@link #append} may be called from any thread, with any number of requests in flight; futures
 * complete on the client's I/O thread (do not block in callbacks). A request goes to the node believed
 * to lead; NOT_LEADER redirects it to the leader address in the answer, REJECTED_BUSY, an unknown
 * leader, LEADERSHIP_LOST (definitely not committed) and failed connections (request not yet sent) are
 * retried with backoff, up to {@link PontoonClientConfig#maxAttempts} sends. A request fails with a
 * {@link ProposalException}: INVALID; TIMEOUT (no answer in requestTimeoutNs, or the node's own
 * timeout); CLOSED when the connection broke after the request was sent (the outcome is unknown, so
 * it is not resent: resending could append it twice); or the last refusal when attempts run out. A
 * request that times out on a connection that delivered nothing since it was sent also closes that
 * connection: the node is taken as frozen, and later requests try the next address.
 *
 * <p>{@link #status}, {@link #transferLeadership} and {@link #readIndex} go to the one address they name and are
 * sent once: no redirect, no retry. They fail with TIMEOUT like an append, and with a {@link ConnectException}
 * when the node cannot be reached; when the connection breaks after sending, a status request fails with a
 * {@link ConnectException} too, an admin request with CLOSED (its outcome is unknown). A refusal is the caller's
 * to act on (e.g. send the transfer again to the leader named by a NOT_LEADER answer).
 *
 * <p>All connection and request state lives on one event loop thread: no locks. Requests from other
 * threads go through one bounded queue that the event loop drains in a single task (one wake-up per
 * burst, not per request); a request made on the event loop itself (e.g. from a completion callback)
 * skips the queue. Requests to one node are encoded back to back into shared buffers and flushed once
 * per event-loop turn, as the peers do: with many in flight a turn sends one write of many frames.
 * Timeouts are checked by one periodic sweep of a list kept in deadline order, not a timer per request.
 */
public final class PontoonClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PontoonClient.class);
    private static final long MAX_BACKOFF_NS = 1_000_000_000L;
    /** Requests from other threads waiting for the event loop; a full queue falls back to a task per request. */
    private static final int SUBMIT_QUEUE_CAPACITY = 16 * 1024;
    /** Frames are encoded back to back into buffers of this size (a larger frame gets its own buffer). */
    static final int BATCH_BUFFER_BYTES = 32 * 1024;
    private static final long MIN_SWEEP_NS = 1_000_000L;
    private static final long MAX_SWEEP_NS = 100_000_000L;

    private final PontoonClientConfig config;
    private final EventLoops loops;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final HandshakeSettings handshakeSettings;
    private final SslContext ssl;
    private final ByteBufView view = new ByteBufView();

    // event loop state
    private final Map<InetSocketAddress, Conn> conns = new HashMap<>();
    private int addressCursor;
    private long nextCorrelationId = 1;
    private volatile InetSocketAddress target;
    private volatile boolean closed;
    /**
     * Every accepted request not yet finished, oldest first. Deadlines are accept time plus one constant
     * timeout, so the list is in deadline order and the sweep looks only at its head. Event loop only.
     */
    private Request oldest;
    private Request newest;
    /** Many-to-many only so that a submitter can empty it when the loop has shut down (see submit). */
    private final ManyToManyConcurrentArrayQueue<Request> submitted = new ManyToManyConcurrentArrayQueue<>(SUBMIT_QUEUE_CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainSubmitted;
    private final ScheduledFuture<?> sweep;

    public PontoonClient(PontoonClientConfig config) {
        this.config = config;
        this.ssl = config.tls == null ? null : SslContexts.client(config.tls.certChainPem(),
            config.tls.privateKeyPem(), config.tls.trustCertsPem(), config.tls.verifyHostname());
        this.handshakeSettings = new HandshakeSettings(config.clusterId, 0, config.secret(), id -> false,
            config.handshakeTimeoutNs);
        this.loops = new EventLoops(config.preferEpoll, 1, "pontoon-client");
        this.loop = loops.group().next();
        this.bootstrap = new Bootstrap().group(loop).channel(loops.socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                TimeUnit.NANOSECONDS.toMillis(config.handshakeTimeoutNs)));
        this.target = config.addresses.get(0);
        // Timeouts fire up to one sweep period late: 1/8 of the timeout, within [1 ms, 100 ms].
        final long sweepNs = Math.max(MIN_SWEEP_NS, Math.min(MAX_SWEEP_NS, config.requestTimeoutNs / 8));
        this.sweep = loop.scheduleAtFixedRate(this::sweepTimeouts, sweepNs, sweepNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Appends {@code payload} (copied now) to the cluster's log. Completes with the entry's LSN (log
     * index) once committed, or exceptionally with a {@link ProposalException}. Any thread.
     */
    public CompletableFuture<Long> append(byte[] payload) {
        final CompletableFuture<Long> future = new CompletableFuture<>();
        submit(new Request(Kind.APPEND, payload.clone(), null, future, 0, 0));
        return future;
    }

    /** The status (the seed's DebugEvent) of the node at {@code address}; no redirect. Any thread. */
    public CompletableFuture<RaftStatus> status(InetSocketAddress address) {
        final CompletableFuture<RaftStatus> future = new CompletableFuture<>();
        submit(new Request(Kind.STATUS, null, address, future, 0, 0));
        return future;
    }

    public CompletableFuture<RaftStatus> status(String hostPort) {
        return status(NettyTransportConfig.parseAddress("address", hostPort));
    }

    /**
     * Asks the node at {@code leader} to hand leadership to node {@code target} (thesis §3.10); no redirect, sent
     * once, like {@link #status(InetSocketAddress)}. Completes when that node has seen {@code target} lead, or fails
     * with a {@link ProposalException}: NOT_LEADER (it does not lead; the leader it knows comes with it), INVALID
     * (the target is not another member, or not in 1 .. 2^31-1), LEADERSHIP_TRANSFER (a transfer to another
     * member is under way), TIMEOUT (no handover in the node's transferTimeoutNs, or no answer in requestTimeoutNs),
     * REJECTED_BUSY, CLOSED (the node closed, or the connection broke after the request was sent). Any thread.
     */
    public CompletableFuture<Void> transferLeadership(InetSocketAddress leader, int target) {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        if (target < 1) {
            future.completeExceptionally(new ProposalException(ResultCode.INVALID, -1, 0)); // no node has this id
            return future;
        }
        submit(new Request(Kind.ADMIN, null, Objects.requireNonNull(leader, "leader"), future,
            ClientAdminRequestCodec.OP_TRANSFER_LEADERSHIP, target));
        return future;
    }

    public CompletableFuture<Void> transferLeadership(String leaderHostPort, int target) {
        return transferLeadership(NettyTransportConfig.parseAddress("leader", leaderHostPort), target);
    }

    /**
     * A read index (thesis §6.4) from the node at {@code node}, leader or follower; no redirect, sent once. Completes
     * with an index the node has applied through, at least every write acknowledged before this call; fails with a
     * {@link ProposalException}: NOT_LEADER (no leader known; a lease read on a follower), LEASE_EXPIRED,
     * LEADERSHIP_TRANSFER, TIMEOUT, REJECTED_BUSY, CLOSED, as {@code RaftNode.readIndex(ReadPolicy)}. Any thread.
     */
    public CompletableFuture<Long> readIndex(InetSocketAddress node, ReadPolicy policy) {
        final CompletableFuture<Long> future = new CompletableFuture<>();
        final long arg = ClientAdminRequestCodec.readIndexArg(Objects.requireNonNull(policy, "policy"));
        submit(new Request(Kind.ADMIN, null, Objects.requireNonNull(node, "node"), future,
            ClientAdminRequestCodec.OP_READ_INDEX, arg));
        return future;
    }

    public CompletableFuture<Long> readIndex(String hostPort, ReadPolicy policy) {
        return readIndex(NettyTransportConfig.parseAddress("node", hostPort), policy);
    }

    /** The node requests currently go to (the last known leader). */
    public InetSocketAddress leaderHint() {
        return target;
    }

    /** Any thread. On the event loop the request is taken at once; elsewhere it is queued for the next drain. */
    private void submit(Request request) {
        if (closed) {
            request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
            return;
        }
        if (loop.inEventLoop()) {
            accept(request);
            return;
        }
        if (!submitted.offer(request)) {
            try {
                loop.execute(() -> accept(request)); // queue full: rare, costs one task
            } catch (java.util.concurrent.RejectedExecutionException e) {
                request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
            }
            return;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drainTask);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                failSubmitted(); // the loop is gone: nothing else will drain the queue
            }
        }
    }

    /** Event loop: takes every queued request; their frames go out in the flush this turn schedules. */
    private void drainSubmitted() {
        drainScheduled.set(false);
        Request request;
        while ((request = submitted.poll()) != null) {
            accept(request);
        }
    }

    private void failSubmitted() {
        Request request;
        while ((request = submitted.poll()) != null) {
            request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
        }
    }

    /** Event loop: starts the request's clock and sends it. */
    private void accept(Request request) {
        if (closed) {
            request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
            return;
        }
        request.deadlineNs = System.nanoTime() + config.requestTimeoutNs;
        request.linked = true;
        request.newer = null;
        request.older = newest;
        if (newest == null) {
            oldest = request;
        } else {
            newest.newer = request;
        }
        newest = request;
        send(request);
    }

    /** Event loop: drops a finished request from the deadline list. */
    private void unlink(Request request) {
        if (!request.linked) {
            return;
        }
        request.linked = false;
        if (request.older == null) {
            oldest = request.newer;
        } else {
            request.older.newer = request.newer;
        }
        if (request.newer == null) {
            newest = request.older;
        } else {
            request.newer.older = request.older;
        }
        request.older = null;
        request.newer = null;
    }

    /** Event loop, periodic: fails with TIMEOUT every request past its deadline (they are at the head). */
    private void sweepTimeouts() {
        final long nowNs = System.nanoTime();
        while (oldest != null && oldest.deadlineNs - nowNs <= 0) {
            onTimeout(oldest);
        }
    }

    private void send(Request request) {
        if (request.future.isDone()) {
            return;
        }
        if (closed) {
            request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
            return;
        }
        if (++request.attempts > config.maxAttempts) {
            request.fail(request.lastFailure != null ? request.lastFailure
                : new ProposalException(ResultCode.TIMEOUT, -1, 0));
            return;
        }
        final Conn conn = connection(request.isAppend() ? target : request.fixedAddress);
        if (conn.ready) {
            transmit(conn, request);
        } else {
            conn.waiting.add(request);
        }
    }

    private void transmit(Conn conn, Request request) {
        final long correlationId = nextCorrelationId++;
        request.sentOn = conn;
        request.sentNs = System.nanoTime();
        request.correlationId = correlationId;
        conn.inflight.put(correlationId, request);
        if (request.isAppend()) {
            final int bodyLength = ClientAppendRequestCodec.HEADER_LENGTH + request.payload.length;
            final ByteBuf out = conn.batchBuffer(Frame.HEADER_LENGTH + bodyLength);
            final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + bodyLength);
            ClientAppendRequestCodec.encodeHeader(w, Frame.HEADER_LENGTH, correlationId, request.payload.length);
            w.putBytes(Frame.HEADER_LENGTH + ClientAppendRequestCodec.PAYLOAD_OFFSET, request.payload);
            view.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_APPEND_REQUEST, config.clusterId, 0, bodyLength));
        } else if (request.kind == Kind.ADMIN) {
            final ByteBuf out = conn.batchBuffer(Frame.HEADER_LENGTH + ClientAdminRequestCodec.LENGTH);
            final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + ClientAdminRequestCodec.LENGTH);
            ClientAdminRequestCodec.encode(w, Frame.HEADER_LENGTH, correlationId, request.adminOp, request.adminArg);
            view.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_ADMIN_REQUEST, config.clusterId, 0,
                ClientAdminRequestCodec.LENGTH));
        } else {
            final ByteBuf out = conn.batchBuffer(Frame.HEADER_LENGTH + ClientStatusRequestCodec.LENGTH);
            final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + ClientStatusRequestCodec.LENGTH);
            ClientStatusRequestCodec.encode(w, Frame.HEADER_LENGTH, correlationId);
            view.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_STATUS_REQUEST, config.clusterId, 0,
                ClientStatusRequestCodec.LENGTH));
        }
        conn.scheduleFlush();
    }

    private Conn connection(InetSocketAddress address) {
        final Conn existing = conns.get(address);
        if (existing != null) {
            return existing;
        }
        final Conn conn = new Conn(address);
        conns.put(address, conn);
        final Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (ssl != null) {
                    ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
                    ch.pipeline().addLast("tls-log", TlsHandshakeLogger.INSTANCE);
                }
                ch.pipeline().addLast("frames", new FrameDecoder(config.maxFrameBytes));
                ch.pipeline().addLast("handshake", new ConnectorHandshakeHandler(handshakeSettings,
                    HandshakeCodec.ROLE_CLIENT, HandshakeCodec.ANY_NODE, conn));
            }
        });
        final ChannelFuture future = b.connect(address);
        conn.channel = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess()) {
                conn.onClosed("cannot connect: " + f.cause());
            } else {
                future.channel().closeFuture().addListener(c -> conn.onClosed("connection closed"));
            }
        });
        return conn;
    }

    private void rotateTarget(InetSocketAddress away) {
        if (away.equals(target)) {
            final List<InetSocketAddress> all = config.addresses;
            addressCursor = (addressCursor + 1) % all.size();
            InetSocketAddress next = all.get(addressCursor);
            if (next.equals(away) && all.size() > 1) {
                addressCursor = (addressCursor + 1) % all.size();
                next = all.get(addressCursor);
            }
            target = next;
        }
    }

    private void retryLater(Request request) {
        request.backoffNs = request.backoffNs == 0 ? config.retryBackoffNs : Math.min(MAX_BACKOFF_NS, request.backoffNs * 2);
        loop.schedule(() -> send(request), request.backoffNs, TimeUnit.NANOSECONDS);
    }

    /**
     * A request reached its deadline. If it was sent on a connection that has delivered nothing since, the
     * node behind it is frozen or gone without a close (a stopped process, a socket nobody reads): that
     * connection is closed, so later requests go elsewhere instead of timing out there one by one. Its other
     * requests in flight fail with CLOSED (outcome unknown).
     */
    private void onTimeout(Request request) {
        final Conn conn = request.sentOn;
        if (conn != null) {
            conn.inflight.remove(request.correlationId);
            request.sentOn = null;
            if (!conn.closedConn && conn.lastReadNs - request.sentNs < 0) {
                final String reason = "no response from " + conn.address + " in "
                    + TimeUnit.NANOSECONDS.toMillis(config.requestTimeoutNs) + " ms (requestTimeoutNs)";
                LOG.warn("closing the connection to {}: {}", conn.address, reason);
                conn.channel.close();
                conn.onClosed(reason);
            }
        }
        request.fail(new ProposalException(ResultCode.TIMEOUT, -1, 0));
    }

    private void onAppendResponse(Conn conn, DirectBuffer b, int body) {
        final Request request = conn.inflight.remove(ClientAppendResponseCodec.correlationId(b, body));
        if (request == null || !request.isAppend()) {
            return; // timed out meanwhile
        }
        request.sentOn = null;
        final ResultCode code = ClientAppendResponseCodec.resultCode(b, body);
        final long lsn = ClientAppendResponseCodec.lsn(b, body);
        final int leaderId = ClientAppendResponseCodec.leaderId(b, body);
        switch (code) {
            case OK -> request.complete(lsn);
            case NOT_LEADER -> {
                request.lastFailure = new ProposalException(code, lsn, leaderId);
                final String leaderAddress = ClientAppendResponseCodec.leaderAddress(b, body);
                InetSocketAddress leader = null;
                if (leaderAddress != null) {
                    try {
                        leader = NettyTransportConfig.parseAddress("leaderAddress", leaderAddress);
                    } catch (IllegalArgumentException e) {
                        LOG.warn("node at {} sent an unusable leader address '{}'", conn.address, leaderAddress);
                    }
                }
                if (leader != null && !leader.equals(conn.address)) {
                    target = leader;
                    send(request);
                } else {
                    rotateTarget(conn.address);
                    retryLater(request);
                }
            }
            case REJECTED_BUSY, LEADERSHIP_LOST -> {
                request.lastFailure = new ProposalException(code, lsn, leaderId);
                retryLater(request);
            }
            default -> request.fail(new ProposalException(code, lsn, leaderId));
        }
    }

    private void onStatusResponse(Conn conn, DirectBuffer b, int body) {
        final Request request = conn.inflight.remove(ClientStatusResponseCodec.correlationId(b, body));
        if (request != null && request.kind == Kind.STATUS) {
            request.complete(ClientStatusResponseCodec.status(b, body));
        }
    }

    /** An admin outcome: never retried (like status, the caller decides what a refusal means). */
    private void onAdminResponse(Conn conn, DirectBuffer b, int body) {
        final Request request = conn.inflight.remove(ClientAdminResponseCodec.correlationId(b, body));
        if (request == null || request.kind != Kind.ADMIN) {
            return; // timed out meanwhile
        }
        request.sentOn = null;
        final ResultCode code = ClientAdminResponseCodec.code(b, body);
        if (code == ResultCode.OK) {
            request.complete(request.adminOp == ClientAdminRequestCodec.OP_READ_INDEX
                ? Long.valueOf(ClientAdminResponseCodec.value(b, body)) : null);
        } else {
            request.fail(new ProposalException(code, -1, ClientAdminResponseCodec.leaderId(b, body)));
        }
    }

    /** Fails every pending request with CLOSED and releases the I/O thread. Blocks up to a few seconds. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.execute(() -> {
            for (Conn conn : new ArrayList<>(conns.values())) {
                conn.failAll(new ProposalException(ResultCode.CLOSED, -1, 0));
                conn.channel.close();
            }
            conns.clear();
            failSubmitted();
            // Requests waiting for a retry (no leader known, backing off) sit on no connection.
            while (oldest != null) {
                oldest.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
            }
            sweep.cancel(false);
        });
        loops.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What a request asks: appends follow the leader; status and admin requests go to one fixed address. */
    private enum Kind { APPEND, STATUS, ADMIN }

    /** One request: an append, a status query or an admin operation. Event loop only after submit. */
    private final class Request {
        final Kind kind;
        /** APPEND: the entry. */
        final byte[] payload;
        /** STATUS and ADMIN: the node asked. */
        final InetSocketAddress fixedAddress;
        final CompletableFuture<?> future;
        /** ADMIN: {@link ClientAdminRequestCodec} op and arg. */
        final int adminOp;
        final long adminArg;
        /** In the deadline list: between accept and the outcome. */
        boolean linked;
        long deadlineNs;
        Request older;
        Request newer;
        Conn sentOn;
        /** When it was last written to {@link #sentOn}. */
        long sentNs;
        long correlationId;
        int attempts;
        long backoffNs;
        Throwable lastFailure;

        Request(Kind kind, byte[] payload, InetSocketAddress fixedAddress, CompletableFuture<?> future, int adminOp,
                long adminArg) {
            this.kind = kind;
            this.payload = payload;
            this.fixedAddress = fixedAddress;
            this.future = future;
            this.adminOp = adminOp;
            this.adminArg = adminArg;
        }

        boolean isAppend() {
            return kind == Kind.APPEND;
        }

        /** Event loop. */
        @SuppressWarnings("unchecked")
        void complete(Object value) {
            unlink(this);
            ((CompletableFuture<Object>) future).complete(value);
        }

        /** Event loop, or the submitting thread when the request was never accepted (not linked). */
        void fail(Throwable cause) {
            unlink(this);
            future.completeExceptionally(cause);
        }
    }

    /** One connection to one node. Event loop only. */
    private final class Conn extends ChannelInboundHandlerAdapter
        implements ConnectorHandshakeHandler.Listener, FrameSplitter.Handler {
        final InetSocketAddress address;
        final ArrayDeque<Request> waiting = new ArrayDeque<>();
        final Long2ObjectHashMap<Request> inflight = new Long2ObjectHashMap<>();
        final FrameValidator validator = new FrameValidator();
        final ByteBufView readView = new ByteBufView();
        Channel channel;
        boolean ready;
        boolean closedConn;
        /** A malformed frame arrived: the connection is closing and the rest of the stream is ignored. */
        boolean badStream;
        final FrameSplitter splitter = new FrameSplitter(config.maxFrameBytes);
        boolean flushScheduled;
        final Runnable flushTask = this::flush;
        /** Frames encoded since the last write, or null. */
        ByteBuf batch;
        int acceptorId;
        /** When bytes last arrived from the node. */
        long lastReadNs = System.nanoTime();

        Conn(InetSocketAddress address) {
            this.address = address;
        }

        /** Room for one frame of {@code frameLength} bytes at the batch buffer's writer index. */
        ByteBuf batchBuffer(int frameLength) {
            if (batch != null && batch.capacity() - batch.writerIndex() < frameLength) {
                channel.write(batch, channel.voidPromise()); // full: queued in Netty, flushed with the rest
                batch = null;
            }
            if (batch == null) {
                final int capacity = Math.max(BATCH_BUFFER_BYTES, frameLength);
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

        void flush() {
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

        private void releaseBatch() {
            if (batch != null) {
                batch.release();
                batch = null;
            }
        }

        @Override
        public void onAccepted(ChannelHandlerContext ctx, int acceptorNodeId) {
            acceptorId = acceptorNodeId;
            ready = true;
            ctx.pipeline().addLast("responses", this);
            while (!waiting.isEmpty()) {
                final Request request = waiting.poll();
                if (!request.future.isDone()) {
                    transmit(this, request);
                }
            }
        }

        @Override
        public void onRefused(ChannelHandlerContext ctx, String reason) {
            onClosed(reason);
        }

        void onClosed(String reason) {
            if (closedConn) {
                return;
            }
            closedConn = true;
            ready = false;
            releaseBatch();
            splitter.release();
            conns.remove(address, this);
            if (closed) {
                failAll(new ProposalException(ResultCode.CLOSED, -1, 0));
                return;
            }
            LOG.debug("connection to {} lost: {}", address, reason);
            rotateTarget(address);
            final ConnectException notSent = new ConnectException("cannot reach Pontoon node at " + address + ": " + reason);
            for (Request request : waiting) {
                if (request.fixedAddress != null) {
                    request.fail(notSent);
                } else {
                    request.lastFailure = notSent;
                    retryLater(request); // never sent: safe to try elsewhere
                }
            }
            waiting.clear();
            for (Request request : inflight.values()) {
                if (request.kind != Kind.STATUS) {
                    // sent: outcome unknown (an append may commit, a transfer may still happen)
                    request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
                } else {
                    request.fail(notSent);
                }
            }
            inflight.clear();
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
            String reason = validator.validateHeader(b, 0, frameLength, config.clusterId, acceptorId);
            if (reason == null) {
                reason = FrameValidator.validateClientResponseBody(type, b, Frame.HEADER_LENGTH, Frame.bodyLength(frameLength));
            }
            if (reason != null) {
                onBadLength(ctx, reason);
                return;
            }
            if (type == FrameType.CLIENT_APPEND_RESPONSE) {
                onAppendResponse(this, b, Frame.HEADER_LENGTH);
            } else if (type == FrameType.CLIENT_ADMIN_RESPONSE) {
                onAdminResponse(this, b, Frame.HEADER_LENGTH);
            } else {
                onStatusResponse(this, b, Frame.HEADER_LENGTH);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Connections.closeWithReason(ctx, LOG, "connection to node " + acceptorId + " failed: " + cause);
        }
    }
}
