package io.pontoon.transport.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ReadPolicy;
import io.pontoon.ResultCode;
import io.pontoon.spi.Membership;
import io.pontoon.transport.NettyTransportConfig;
import io.pontoon.transport.client.ClientRequest.Kind;
import io.pontoon.transport.codec.ClientAdminRequestCodec;
import io.pontoon.transport.codec.ClientAdminResponseCodec;
import io.pontoon.transport.codec.ClientAppRequestCodec;
import io.pontoon.transport.codec.ClientAppResponseCodec;
import io.pontoon.transport.codec.ClientAppendRequestCodec;
import io.pontoon.transport.codec.ClientAppendResponseCodec;
import io.pontoon.transport.codec.ClientStatusRequestCodec;
import io.pontoon.transport.codec.ClientStatusResponseCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.fault.FaultPlan;
import io.pontoon.transport.netty.ByteBufView;
import io.pontoon.transport.netty.ConnectorHandshakeHandler;
import io.pontoon.transport.netty.EventLoops;
import io.pontoon.transport.netty.FrameDecoder;
import io.pontoon.transport.netty.HandshakeSettings;
import io.pontoon.transport.netty.SslContexts;
import io.pontoon.transport.netty.TlsHandshakeLogger;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.InetSocketAddress;
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
 *     Membership m = client.addLearner(4, "127.0.0.1:7004").get();   // committed: node 4 learns the log
 *     client.promote(4).get();                                       // node 4 votes
 * }
 * }</pre>
 *
 * <p>{@link #append} may be called from any thread, with any number of requests in flight; futures
 * complete on the client's I/O thread (do not block in callbacks). A request goes to the node believed
 * to lead; NOT_LEADER redirects it to the leader address in the answer, REJECTED_BUSY, an unknown
 * leader, LEADERSHIP_LOST (definitely not committed), LEADERSHIP_TRANSFER (a handover under way: nothing
 * appended) and failed connections (request not yet sent) are retried with backoff, up to {@link PontoonClientConfig#maxAttempts} sends. A request fails with a
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
 * <p>The membership requests ({@link #members()}, {@link #addLearner}, {@link #addVoter}, {@link #promote},
 * {@link #removeMember}) follow the leader like an append: NOT_LEADER redirects them, and REJECTED_BUSY,
 * LEADERSHIP_TRANSFER and MEMBERSHIP_CHANGE_PENDING (another change, or a new leader's first entry, is not committed
 * yet) are retried with backoff until requestTimeoutNs or maxAttempts. Each completes with the resulting
 * configuration; a change the leader refuses fails with an {@link IllegalArgumentException} carrying its reason (an id
 * already a member, not a learner, a bad address), any other outcome with a {@link ProposalException} (TIMEOUT and
 * CLOSED: the change may still commit, so check {@link #members()} before retrying).
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
    private final Map<InetSocketAddress, NodeConnection> conns = new HashMap<>();
    private int addressCursor;
    private long nextCorrelationId = 1;
    private volatile InetSocketAddress target;
    private volatile boolean closed;
    /** Every accepted request not yet finished, in deadline order. */
    private final RequestDeadlines deadlines = new RequestDeadlines();
    /** Many-to-many only so that a submitter can empty it when the loop has shut down (see submit). */
    private final ManyToManyConcurrentArrayQueue<ClientRequest> submitted = new ManyToManyConcurrentArrayQueue<>(SUBMIT_QUEUE_CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainSubmitted;
    private final ScheduledFuture<?> sweep;
    /** What the connections call back (kept off this class's public API). */
    private final NodeConnection.Owner owner = new NodeConnection.Owner() {
        @Override
        public void transmit(NodeConnection conn, ClientRequest request) {
            PontoonClient.this.transmit(conn, request);
        }

        @Override
        public void onResponse(NodeConnection conn, int type, DirectBuffer frame, int bodyLength) {
            PontoonClient.this.onResponse(conn, type, frame, bodyLength);
        }

        @Override
        public void onClosed(NodeConnection conn, String reason) {
            PontoonClient.this.onClosed(conn, reason);
        }
    };

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
        submit(new ClientRequest(deadlines, Kind.APPEND, payload.clone(), null, future, 0, 0));
        return future;
    }

    /**
     * Sends an application request (CLIENT_APP_REQUEST: {@code payload}, copied now, is opaque to Pontoon) to the
     * leader, whose application handler answers it. Completes with the handler's response bytes. Follows the leader
     * and retries like {@link #append}: NOT_LEADER redirects, REJECTED_BUSY, LEADERSHIP_LOST and LEADERSHIP_TRANSFER
     * are resent with backoff (a handler answers those only when the request had no effect). Fails with an
     * {@link IllegalArgumentException} carrying the handler's reason when it answers INVALID (a malformed request, or a
     * node without a handler), or a {@link ProposalException}: TIMEOUT and CLOSED (the outcome is unknown: the request
     * is not resent), or the last refusal once attempts run out. Any thread.
     */
    public CompletableFuture<byte[]> request(byte[] payload) {
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        submit(new ClientRequest(deadlines, Kind.APP, payload.clone(), null, future, 0, 0));
        return future;
    }

    /** The status (the seed's DebugEvent) of the node at {@code address}; no redirect. Any thread. */
    public CompletableFuture<RaftStatus> status(InetSocketAddress address) {
        final CompletableFuture<RaftStatus> future = new CompletableFuture<>();
        submit(new ClientRequest(deadlines, Kind.STATUS, null, address, future, 0, 0));
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
        submit(new ClientRequest(deadlines, Kind.ADMIN, null, Objects.requireNonNull(leader, "leader"), future,
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
        submit(new ClientRequest(deadlines, Kind.ADMIN, null, Objects.requireNonNull(node, "node"), future,
            ClientAdminRequestCodec.OP_READ_INDEX, arg));
        return future;
    }

    public CompletableFuture<Long> readIndex(String hostPort, ReadPolicy policy) {
        return readIndex(NettyTransportConfig.parseAddress("node", hostPort), policy);
    }

    /**
     * Replaces the fault rules of node {@code nodeId}, reached at {@code node} (no redirect, sent once), with
     * {@code plan} ({@link FaultPlan#NONE} clears them): what it does to the frames it sends to its peers, and which
     * peer links it cuts. Client connections are never faulted. Needs this client's secret to be the node's admin
     * secret, and fault control on at the node. Completes once the node applies the plan; fails with an
     * {@link IllegalStateException} carrying the node's reason when it refuses (fault control off, not the admin
     * credential, another node id at that address), a {@link java.net.ConnectException} when the node cannot be
     * reached or refuses the handshake, or a {@link ProposalException} TIMEOUT or CLOSED. Any thread.
     */
    public CompletableFuture<Void> fault(InetSocketAddress node, int nodeId, FaultPlan plan) {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        if (nodeId < 1) {
            future.completeExceptionally(new IllegalArgumentException("node id must be positive, got " + nodeId));
            return future;
        }
        final ClientRequest request = new ClientRequest(deadlines, Kind.ADMIN, null, Objects.requireNonNull(node,
            "node"), future, ClientAdminRequestCodec.OP_FAULT, nodeId);
        request.faultPlan = Objects.requireNonNull(plan, "plan");
        submit(request);
        return future;
    }

    /**
     * The cluster's configuration (thesis §4): voters, learners and their addresses, as the leader has it (the node
     * first asked answers with its own and names the leader, which is then asked). Any thread.
     */
    public CompletableFuture<Membership> members() {
        return membership(ClientAdminRequestCodec.OP_MEMBERS, 0, null, null);
    }

    /** The configuration in effect on the node at {@code node} (its newest, committed or not); no redirect. */
    public CompletableFuture<Membership> members(InetSocketAddress node) {
        return membership(ClientAdminRequestCodec.OP_MEMBERS, 0, null, Objects.requireNonNull(node, "node"));
    }

    public CompletableFuture<Membership> members(String hostPort) {
        return members(NettyTransportConfig.parseAddress("node", hostPort));
    }

    /**
     * Adds node {@code nodeId}, listening at {@code hostPort}, as a learner: it receives the log but does not vote
     * (start it first, with the cluster's members and itself as a learner). Completes once the configuration that
     * holds it is committed. Any thread.
     */
    public CompletableFuture<Membership> addLearner(int nodeId, String hostPort) {
        return membership(ClientAdminRequestCodec.OP_ADD_LEARNER, nodeId, hostPort, null);
    }

    /** Adds node {@code nodeId}, listening at {@code hostPort}, as a voter; prefer {@link #addLearner} then {@link #promote}. */
    public CompletableFuture<Membership> addVoter(int nodeId, String hostPort) {
        return membership(ClientAdminRequestCodec.OP_ADD_VOTER, nodeId, hostPort, null);
    }

    /** Makes learner {@code nodeId} a voter (once it has caught up: {@code status} shows its lag on the leader). */
    public CompletableFuture<Membership> promote(int nodeId) {
        return membership(ClientAdminRequestCodec.OP_PROMOTE, nodeId, null, null);
    }

    /** Removes member {@code nodeId}, voter or learner; a leader that removes itself steps down once it commits. */
    public CompletableFuture<Membership> removeMember(int nodeId) {
        return membership(ClientAdminRequestCodec.OP_REMOVE_MEMBER, nodeId, null, null);
    }

    /** A membership request; checks what the wire cannot carry before sending anything. */
    private CompletableFuture<Membership> membership(int op, int nodeId, String hostPort, InetSocketAddress node) {
        final CompletableFuture<Membership> future = new CompletableFuture<>();
        byte[] address = null;
        if (op != ClientAdminRequestCodec.OP_MEMBERS && nodeId < 1) {
            future.completeExceptionally(new IllegalArgumentException("node id must be positive, got " + nodeId));
            return future;
        }
        if (op == ClientAdminRequestCodec.OP_ADD_LEARNER || op == ClientAdminRequestCodec.OP_ADD_VOTER) {
            final String problem = checkMemberAddress(hostPort);
            if (problem != null) {
                future.completeExceptionally(new IllegalArgumentException("cannot add node " + nodeId + ": " + problem));
                return future;
            }
            address = ClientAdminRequestCodec.addressBytes(hostPort);
        }
        submit(new ClientRequest(deadlines, Kind.MEMBERSHIP, address, node, future, op, nodeId));
        return future;
    }

    /**
     * Null when {@code hostPort} can be a new member's address ({@link #addLearner}, {@link #addVoter}), else what is
     * wrong with it: {@code host:port} ({@code [v6]:port}) with a port in 1 .. 65535, printable ASCII, at most 255
     * characters. No name lookup (the nodes resolve it). Any thread.
     */
    public static String checkMemberAddress(String hostPort) {
        return ClientAdminRequestCodec.checkAddress(hostPort);
    }

    /** The node requests currently go to (the last known leader). */
    public InetSocketAddress leaderHint() {
        return target;
    }

    /** Any thread. On the event loop the request is taken at once; elsewhere it is queued for the next drain. */
    private void submit(ClientRequest request) {
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
        ClientRequest request;
        while ((request = submitted.poll()) != null) {
            accept(request);
        }
    }

    private void failSubmitted() {
        ClientRequest request;
        while ((request = submitted.poll()) != null) {
            request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
        }
    }

    /** Event loop: starts the request's clock and sends it. */
    private void accept(ClientRequest request) {
        if (closed) {
            request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
            return;
        }
        deadlines.link(request, System.nanoTime() + config.requestTimeoutNs);
        send(request);
    }

    /** Event loop, periodic: fails with TIMEOUT every request past its deadline (they are at the head). */
    private void sweepTimeouts() {
        final long nowNs = System.nanoTime();
        ClientRequest oldest;
        while ((oldest = deadlines.oldest()) != null && oldest.deadlineNs - nowNs <= 0) {
            onTimeout(oldest);
        }
    }

    private void send(ClientRequest request) {
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
        final NodeConnection conn = connection(request.fixedAddress == null ? target : request.fixedAddress);
        if (conn.ready) {
            transmit(conn, request);
        } else {
            conn.waiting.add(request);
        }
    }

    private void transmit(NodeConnection conn, ClientRequest request) {
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
        } else if (request.kind == Kind.APP) {
            final int bodyLength = ClientAppRequestCodec.encodedLength(request.payload);
            final ByteBuf out = conn.batchBuffer(Frame.HEADER_LENGTH + bodyLength);
            final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + bodyLength);
            ClientAppRequestCodec.encode(w, Frame.HEADER_LENGTH, correlationId, request.payload);
            view.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_APP_REQUEST, config.clusterId, 0, bodyLength));
        } else if (request.kind == Kind.ADMIN || request.kind == Kind.MEMBERSHIP) {
            final FaultPlan plan = request.faultPlan;
            final int[] group = plan == null ? null : plan.partitionIds();
            final int bodyLength = plan != null ? ClientAdminRequestCodec.faultLength(group == null ? 0 : group.length)
                : ClientAdminRequestCodec.lengthOf(request.adminOp, request.payload);
            final ByteBuf out = conn.batchBuffer(Frame.HEADER_LENGTH + bodyLength);
            final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + bodyLength);
            if (plan != null) {
                ClientAdminRequestCodec.encodeFault(w, Frame.HEADER_LENGTH, correlationId, (int) request.adminArg,
                    plan.dropPpm(), plan.delayNs(), plan.jitterNs(), group);
            } else if (request.payload != null) {
                ClientAdminRequestCodec.encodeAdd(w, Frame.HEADER_LENGTH, correlationId, request.adminOp,
                    (int) request.adminArg, request.payload);
            } else {
                ClientAdminRequestCodec.encode(w, Frame.HEADER_LENGTH, correlationId, request.adminOp, request.adminArg);
            }
            view.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_ADMIN_REQUEST, config.clusterId, 0, bodyLength));
        } else {
            final ByteBuf out = conn.batchBuffer(Frame.HEADER_LENGTH + ClientStatusRequestCodec.LENGTH);
            final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + ClientStatusRequestCodec.LENGTH);
            ClientStatusRequestCodec.encode(w, Frame.HEADER_LENGTH, correlationId);
            view.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_STATUS_REQUEST, config.clusterId, 0,
                ClientStatusRequestCodec.LENGTH));
        }
        conn.scheduleFlush();
    }

    private NodeConnection connection(InetSocketAddress address) {
        final NodeConnection existing = conns.get(address);
        if (existing != null) {
            return existing;
        }
        final NodeConnection conn = new NodeConnection(address, owner, loop, config.clusterId, config.maxFrameBytes,
            BATCH_BUFFER_BYTES);
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

    private void onResponse(NodeConnection conn, int type, DirectBuffer frame, int bodyLength) {
        if (type == FrameType.CLIENT_APPEND_RESPONSE) {
            onAppendResponse(conn, frame, Frame.HEADER_LENGTH);
        } else if (type == FrameType.CLIENT_ADMIN_RESPONSE) {
            onAdminResponse(conn, frame, Frame.HEADER_LENGTH, bodyLength);
        } else if (type == FrameType.CLIENT_APP_RESPONSE) {
            onAppResponse(conn, frame, Frame.HEADER_LENGTH);
        } else {
            onStatusResponse(conn, frame, Frame.HEADER_LENGTH);
        }
    }

    /**
     * A connection closed or never opened. Requests not yet sent on it go elsewhere (those naming its node fail); those
     * sent fail with CLOSED, since their outcome is unknown (an append may commit, a transfer may still happen), except
     * reads: status fails as unreachable, MEMBERS following the leader asks elsewhere.
     */
    private void onClosed(NodeConnection conn, String reason) {
        conns.remove(conn.address, conn);
        if (closed) {
            conn.failAll(new ProposalException(ResultCode.CLOSED, -1, 0));
            return;
        }
        LOG.debug("connection to {} lost: {}", conn.address, reason);
        rotateTarget(conn.address);
        final ConnectException notSent = new ConnectException("cannot reach Pontoon node at " + conn.address + ": "
            + reason);
        for (ClientRequest request : conn.waiting) {
            if (request.fixedAddress != null) {
                request.fail(notSent);
            } else {
                request.lastFailure = notSent;
                retryLater(request); // never sent: safe to try elsewhere
            }
        }
        conn.waiting.clear();
        for (ClientRequest request : conn.inflight.values()) {
            if (request.isRepeatableRead()) {
                request.lastFailure = notSent;
                request.sentOn = null;
                retryLater(request);
            } else if (request.kind != Kind.STATUS) {
                request.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
            } else {
                request.fail(notSent);
            }
        }
        conn.inflight.clear();
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

    private void retryLater(ClientRequest request) {
        request.backoffNs = request.backoffNs == 0 ? config.retryBackoffNs : Math.min(MAX_BACKOFF_NS, request.backoffNs * 2);
        loop.schedule(() -> send(request), request.backoffNs, TimeUnit.NANOSECONDS);
    }

    /**
     * A request reached its deadline. If it was sent on a connection that has delivered nothing since, the
     * node behind it is frozen or gone without a close (a stopped process, a socket nobody reads): that
     * connection is closed, so later requests go elsewhere instead of timing out there one by one. Its other
     * requests in flight fail with CLOSED (outcome unknown).
     */
    private void onTimeout(ClientRequest request) {
        final NodeConnection conn = request.sentOn;
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
        if (request.kind == Kind.MEMBERSHIP && conn == null && request.lastFailure != null) {
            request.fail(request.lastFailure); // waiting to retry a refusal: that refusal is the outcome
            return;
        }
        request.fail(new ProposalException(ResultCode.TIMEOUT, -1, 0));
    }

    private void onAppendResponse(NodeConnection conn, DirectBuffer b, int body) {
        final ClientRequest request = conn.inflight.remove(ClientAppendResponseCodec.correlationId(b, body));
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
                followLeader(conn, request, ClientAppendResponseCodec.leaderAddress(b, body));
            }
            case REJECTED_BUSY, LEADERSHIP_LOST, LEADERSHIP_TRANSFER -> {
                // nothing appended (LEADERSHIP_TRANSFER: the leader takes no proposal while handing over; once it
                // has, it answers NOT_LEADER naming the new leader)
                request.lastFailure = new ProposalException(code, lsn, leaderId);
                retryLater(request);
            }
            default -> request.fail(new ProposalException(code, lsn, leaderId));
        }
    }

    /** An application request's answer: settled as an append's, INVALID with the handler's reason. */
    private void onAppResponse(NodeConnection conn, DirectBuffer b, int body) {
        final ClientRequest request = conn.inflight.remove(ClientAppResponseCodec.correlationId(b, body));
        if (request == null || request.kind != Kind.APP) {
            return; // timed out meanwhile
        }
        request.sentOn = null;
        final ResultCode code = ClientAppResponseCodec.resultCode(b, body);
        final int leaderId = ClientAppResponseCodec.leaderId(b, body);
        switch (code) {
            case OK -> request.complete(ClientAppResponseCodec.payload(b, body));
            case NOT_LEADER -> {
                request.lastFailure = new ProposalException(code, -1, leaderId);
                followLeader(conn, request, ClientAppResponseCodec.leaderAddress(b, body));
            }
            case REJECTED_BUSY, LEADERSHIP_LOST, LEADERSHIP_TRANSFER -> {
                request.lastFailure = new ProposalException(code, -1, leaderId);
                retryLater(request);
            }
            case INVALID -> request.fail(new IllegalArgumentException(
                new String(ClientAppResponseCodec.payload(b, body), java.nio.charset.StandardCharsets.UTF_8)));
            default -> request.fail(new ProposalException(code, -1, leaderId));
        }
    }

    /**
     * NOT_LEADER for a request that follows the leader: to the leader's address when the answer has one (and it is not
     * the node that answered), else to the next address after a backoff.
     */
    private void followLeader(NodeConnection conn, ClientRequest request, String leaderAddress) {
        final InetSocketAddress leader = parseLeader(conn, leaderAddress);
        if (leader != null && !leader.equals(conn.address)) {
            target = leader;
            send(request);
        } else {
            rotateTarget(conn.address);
            retryLater(request);
        }
    }

    private static InetSocketAddress parseLeader(NodeConnection conn, String leaderAddress) {
        if (leaderAddress != null) {
            try {
                return NettyTransportConfig.parseAddress("leaderAddress", leaderAddress);
            } catch (IllegalArgumentException e) {
                LOG.warn("node at {} sent an unusable leader address '{}'", conn.address, leaderAddress);
            }
        }
        return null;
    }

    private void onStatusResponse(NodeConnection conn, DirectBuffer b, int body) {
        final ClientRequest request = conn.inflight.remove(ClientStatusResponseCodec.correlationId(b, body));
        if (request != null && request.kind == Kind.STATUS) {
            request.complete(ClientStatusResponseCodec.status(b, body));
        }
    }

    /** An admin outcome: never retried (like status, the caller decides what a refusal means). */
    private void onAdminResponse(NodeConnection conn, DirectBuffer b, int body, int bodyLength) {
        final ClientRequest request = conn.inflight.remove(ClientAdminResponseCodec.correlationId(b, body));
        if (request == null || request.isAppend() || request.kind == Kind.STATUS || request.kind == Kind.APP) {
            return; // timed out meanwhile
        }
        request.sentOn = null;
        if (request.kind == Kind.MEMBERSHIP) {
            onMembershipResponse(conn, request, b, body, bodyLength);
            return;
        }
        final ResultCode code = ClientAdminResponseCodec.code(b, body);
        final String reason = ClientAdminResponseCodec.hasMembershipTail(bodyLength)
            ? ClientAdminResponseCodec.reason(b, body) : null;
        if (code == ResultCode.OK) {
            request.complete(request.adminOp == ClientAdminRequestCodec.OP_READ_INDEX
                ? Long.valueOf(ClientAdminResponseCodec.value(b, body)) : null);
        } else if (reason != null) {
            request.fail(new IllegalStateException(reason)); // a refused FAULT names why
        } else {
            request.fail(new ProposalException(code, -1, ClientAdminResponseCodec.leaderId(b, body)));
        }
    }

    /**
     * A membership outcome: OK completes (MEMBERS answered by a follower asks the leader it names first); NOT_LEADER
     * follows the leader; refusals that pass (busy, a transfer or another change under way) are retried with backoff.
     */
    private void onMembershipResponse(NodeConnection conn, ClientRequest request, DirectBuffer b, int body, int bodyLength) {
        final ResultCode code = ClientAdminResponseCodec.code(b, body);
        final int leaderId = ClientAdminResponseCodec.leaderId(b, body);
        final boolean tail = ClientAdminResponseCodec.hasMembershipTail(bodyLength);
        final String leaderAddress = tail ? ClientAdminResponseCodec.leaderAddress(b, body) : null;
        final boolean followsLeader = request.fixedAddress == null;
        switch (code) {
            case OK -> {
                final Membership m = tail ? ClientAdminResponseCodec.membership(b, body) : null;
                if (request.adminOp == ClientAdminRequestCodec.OP_MEMBERS && followsLeader && leaderId != 0
                    && leaderId != conn.acceptorId && !request.redirected) {
                    final InetSocketAddress leader = parseLeader(conn, leaderAddress);
                    if (leader != null && !leader.equals(conn.address)) {
                        request.redirected = true; // once: the leader's own answer (or the next one) is taken as is
                        target = leader;
                        send(request);
                        return;
                    }
                }
                if (m == null) {
                    request.fail(new ProposalException(ResultCode.INVALID, -1, leaderId)); // no configuration sent
                } else {
                    request.complete(m);
                }
            }
            case NOT_LEADER -> {
                request.lastFailure = new ProposalException(code, -1, leaderId);
                if (followsLeader) {
                    followLeader(conn, request, leaderAddress);
                } else {
                    request.fail(request.lastFailure);
                }
            }
            case REJECTED_BUSY, LEADERSHIP_TRANSFER, MEMBERSHIP_CHANGE_PENDING -> {
                request.lastFailure = new ProposalException(code, -1, leaderId);
                retryLater(request);
            }
            case INVALID -> {
                final String reason = tail ? ClientAdminResponseCodec.reason(b, body) : null;
                request.fail(reason != null ? new IllegalArgumentException(reason)
                    : new ProposalException(code, -1, leaderId));
            }
            default -> request.fail(new ProposalException(code, -1, leaderId));
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
            for (NodeConnection conn : new ArrayList<>(conns.values())) {
                conn.failAll(new ProposalException(ResultCode.CLOSED, -1, 0));
                conn.channel.close();
            }
            conns.clear();
            failSubmitted();
            // Requests waiting for a retry (no leader known, backing off) sit on no connection.
            ClientRequest oldest;
            while ((oldest = deadlines.oldest()) != null) {
                oldest.fail(new ProposalException(ResultCode.CLOSED, -1, 0));
            }
            sweep.cancel(false);
        });
        loops.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
