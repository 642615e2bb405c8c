package io.pontoon.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.pontoon.ProposalCallback;
import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.spi.Membership;
import io.pontoon.transport.codec.ClientAdminRequestCodec;
import io.pontoon.transport.codec.ClientAdminResponseCodec;
import io.pontoon.transport.codec.ClientAppendRequestCodec;
import io.pontoon.transport.codec.ClientAppendResponseCodec;
import io.pontoon.transport.codec.ClientStatusRequestCodec;
import io.pontoon.transport.codec.ClientStatusResponseCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.FrameValidator;
import io.pontoon.transport.netty.ByteBufView;
import io.pontoon.transport.netty.Connections;
import io.pontoon.transport.netty.FrameSplitter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * Serves one client connection after its handshake (docs/PROTOCOL.md, "Client messages"):
 * CLIENT_APPEND_REQUEST goes to {@link ClientService#propose} with this handler as the callback and the
 * client's own correlation id (the handler identifies the connection, so no lookup table is needed);
 * the outcome is written back from the Raft thread. CLIENT_STATUS_REQUEST is answered from a worker
 * thread. CLIENT_ADMIN_REQUEST (leadership transfer, read index) goes to the service, whose future may complete
 * on any thread; the answer is written on the event loop. Its membership ops (list, add, promote, remove) start on a
 * worker thread, as status requests do ({@link ClientMembershipOps}). CLIENT_APP_REQUEST goes to the application
 * handler ({@link ClientAppRequests}). Status and admin requests share one
 * per-connection limit of unanswered requests. A malformed frame closes the connection with a logged reason.
 *
 * <p>Responses are answered in batches, with nothing allocated per response: the Raft thread encodes each
 * response frame straight into this connection's off-heap ring and schedules one drain task per burst;
 * the event loop copies everything in the ring into one buffer, writes it and flushes once. A client with
 * many requests in flight therefore gets many responses per write. Only when the ring is full (a client
 * that stopped reading) does a response take a buffer of its own, queued behind the ring.
 */
final class ClientRequestHandler extends ChannelInboundHandlerAdapter
    implements ProposalCallback, FrameSplitter.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(ClientRequestHandler.class);
    /** Per connection: room for about 1,600 plain responses (40 bytes of frame, 8 of ring header each). */
    static final int RESPONSE_RING_BYTES = 128 * 1024;
    private static final int RESPONSE_MSG_TYPE = 1;
    /** The transport's default maxFrameBytes (8 MiB), for the constructor without it. */
    static final int DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

    private final ClientService service;
    private final ClientMembershipOps membershipOps;
    /** FAULT requests: this node's fault control, and whether this connection proved the admin secret. */
    private ClientFaultControl faultControl;
    private boolean adminConnection;
    private final ClientAppRequests appRequests;
    private final int clusterId;
    private final int localNodeId;
    private final IntFunction<byte[]> leaderAddress;
    private final Executor statusExecutor;
    private final FrameValidator validator = new FrameValidator();
    private final ByteBufView loopView = new ByteBufView();
    private final ByteBufView raftView = new ByteBufView();
    /** Response frames encoded on the Raft thread, one ring record each; drained by the event loop. */
    private final ManyToOneRingBuffer responseRing = new ManyToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(RESPONSE_RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    /** Responses that did not fit the ring (allocated, rare). */
    private final ManyToOneConcurrentLinkedQueue<ByteBuf> overflowResponses = new ManyToOneConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainRaftResponses;
    private final MessageHandler copyResponse = this::copyResponse;
    /** The drain's output buffer while the ring is read. Event loop only. */
    private ByteBuf drainOut;
    private volatile Channel channel;
    private boolean failed;
    private final FrameSplitter splitter;
    private final int maxStatusRequests;
    /** Status and admin requests taken and not yet answered. Event loop only. */
    private int statusRequestsPending;

    /**
     * @param leaderAddress  ASCII "host:port" of a node id, or null if unknown (for NOT_LEADER redirects)
     * @param statusExecutor runs {@link ClientService#status()} off the event loop
     */
    public ClientRequestHandler(ClientService service, int clusterId, int localNodeId, IntFunction<byte[]> leaderAddress,
                                Executor statusExecutor) {
        this(service, clusterId, localNodeId, leaderAddress, statusExecutor, DEFAULT_MAX_FRAME_BYTES);
    }

    /** @param maxFrameBytes largest frame accepted (the transport's setting); a larger length field closes the connection */
    public ClientRequestHandler(ClientService service, int clusterId, int localNodeId, IntFunction<byte[]> leaderAddress,
                                Executor statusExecutor, int maxFrameBytes) {
        this(service, clusterId, localNodeId, leaderAddress, statusExecutor, maxFrameBytes, 16);
    }

    /** @param maxStatusRequests status and admin requests this connection may have unanswered; one more closes it */
    public ClientRequestHandler(ClientService service, int clusterId, int localNodeId, IntFunction<byte[]> leaderAddress,
                                Executor statusExecutor, int maxFrameBytes, int maxStatusRequests) {
        this.maxStatusRequests = maxStatusRequests;
        this.splitter = new FrameSplitter(maxFrameBytes);
        this.service = service;
        this.membershipOps = new ClientMembershipOps(service);
        this.faultControl = ClientFaultControl.off(localNodeId);
        this.appRequests = new ClientAppRequests(service, clusterId, localNodeId, leaderAddress);
        this.clusterId = clusterId;
        this.localNodeId = localNodeId;
        this.leaderAddress = leaderAddress;
        this.statusExecutor = statusExecutor;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        FrameSplitter.replaceFrameDecoder(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        splitter.release();
    }

    /** Any chunk of the byte stream; each whole frame is handled in place (see {@link FrameSplitter}). */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        splitter.read(ctx, (ByteBuf) msg, this);
    }

    @Override
    public boolean failed() {
        return failed;
    }

    @Override
    public void onBadLength(ChannelHandlerContext ctx, String reason) {
        fail(ctx, reason);
    }

    @Override
    public void onFrame(ChannelHandlerContext ctx, ByteBuf in, int index, int frameLength) {
        final DirectBuffer b = loopView.wrap(in, index, frameLength);
        String reason = validator.validateHeader(b, 0, frameLength, clusterId, 0);
        final int type = Frame.type(b, 0);
        final int bodyLength = Frame.bodyLength(frameLength);
        if (reason == null) {
            reason = FrameValidator.validateClientRequestBody(type, b, Frame.HEADER_LENGTH, bodyLength);
        }
        if (reason != null) {
            fail(ctx, reason);
            return;
        }
        if (type == FrameType.CLIENT_APPEND_REQUEST) {
            onAppendRequest(ctx, b);
            return;
        }
        if (type == FrameType.CLIENT_APP_REQUEST) {
            appRequests.onRequest(ctx.channel(), b, Frame.HEADER_LENGTH); // bounded on its own, answered when done
            return;
        }
        // Status and admin requests hold a thread or a future each until answered: bounded per connection.
        if (statusRequestsPending >= maxStatusRequests) {
            fail(ctx, "more than " + maxStatusRequests + " status and admin requests unanswered (maxStatusRequestsPerClient)");
            return;
        }
        statusRequestsPending++;
        if (type == FrameType.CLIENT_STATUS_REQUEST) {
            onStatusRequest(ClientStatusRequestCodec.correlationId(b, Frame.HEADER_LENGTH));
        } else if (ClientAdminRequestCodec.op(b, Frame.HEADER_LENGTH) == ClientAdminRequestCodec.OP_FAULT) {
            onFaultRequest(b);
        } else if (ClientAdminRequestCodec.isMembershipOp(ClientAdminRequestCodec.op(b, Frame.HEADER_LENGTH))) {
            onMembershipRequest(b, bodyLength);
        } else {
            onAdminRequest(b);
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        failed = true;
        Connections.closeWithReason(ctx, LOG, "client: " + reason);
    }

    private void onAppendRequest(ChannelHandlerContext ctx, DirectBuffer b) {
        final int body = Frame.HEADER_LENGTH;
        final long correlationId = ClientAppendRequestCodec.correlationId(b, body);
        final int payloadLength = ClientAppendRequestCodec.payloadLength(b, body);
        if (correlationId < 0 || correlationId > io.pontoon.RaftNode.MAX_CORRELATION_ID) {
            // Bad input from one request, not a broken stream: answer it, keep the connection (issue 9).
            ctx.write(appendResponse(ctx.channel(), loopView, correlationId, ResultCode.INVALID, -1, 0), ctx.voidPromise());
            return;
        }
        final boolean accepted = service.propose(b, body + ClientAppendRequestCodec.PAYLOAD_OFFSET, payloadLength,
            correlationId, this);
        if (!accepted) {
            ctx.write(appendResponse(ctx.channel(), loopView, correlationId, ResultCode.REJECTED_BUSY, -1, 0),
                ctx.voidPromise());
        }
    }

    private void onStatusRequest(long correlationId) {
        final Channel ch = channel;
        try {
            statusExecutor.execute(() -> {
                final RaftStatus status;
                try {
                    status = service.status();
                } catch (RuntimeException e) {
                    LOG.warn("status() failed for client {}: {}", ch.remoteAddress(), e.toString());
                    ch.close();
                    return;
                }
                ch.eventLoop().execute(() -> writeStatus(ch, correlationId, status));
            });
        } catch (RejectedExecutionException e) {
            // the node's status queue is full (a flood from many connections) or the transport is closing
            Connections.closeWithReason(ch.pipeline().firstContext(), LOG,
                "client: status request refused, the node's status queue is full or closing");
        }
    }

    private void writeStatus(Channel ch, long correlationId, RaftStatus status) {
        statusRequestsPending--;
        final byte[] address = status.leaderId() == 0 ? null : leaderAddress.apply(status.leaderId());
        final int bodyLength = ClientStatusResponseCodec.encodedLength(status, address);
        final ByteBuf out = ch.alloc().buffer(Frame.HEADER_LENGTH + bodyLength);
        final MutableDirectBuffer w = loopView.beginWrite(out, Frame.HEADER_LENGTH + bodyLength);
        ClientStatusResponseCodec.encode(w, Frame.HEADER_LENGTH, correlationId, status, address);
        loopView.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_STATUS_RESPONSE, clusterId, localNodeId, bodyLength));
        ch.writeAndFlush(out, ch.voidPromise());
    }

    /**
     * Event loop: starts a validated admin operation. The node's future completes on its own thread (Raft, apply or
     * read thread) or at once; the answer is written from the event loop either way.
     */
    private void onAdminRequest(DirectBuffer b) {
        final Channel ch = channel;
        final int body = Frame.HEADER_LENGTH;
        final long correlationId = ClientAdminRequestCodec.correlationId(b, body);
        final int op = ClientAdminRequestCodec.op(b, body);
        final long arg = ClientAdminRequestCodec.arg(b, body);
        CompletableFuture<?> outcome;
        try {
            outcome = op == ClientAdminRequestCodec.OP_TRANSFER_LEADERSHIP
                ? service.transferLeadership((int) arg) // validated: 1 .. 2^31-1
                : service.readIndex(ClientAdminRequestCodec.readPolicy(arg));
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.whenComplete((value, error) -> {
            try {
                ch.eventLoop().execute(() -> writeAdmin(ch, correlationId, op, arg, value, error));
            } catch (RejectedExecutionException e) {
                // the transport is closing: the connection goes with it
            }
        });
    }

    /**
     * How this connection's FAULT requests are judged: the node's fault control, and whether the client proved the
     * admin secret in the handshake. Before the handler is added; without it FAULT is refused (fault control off).
     */
    ClientRequestHandler faultControl(ClientFaultControl control, boolean admin) {
        this.faultControl = control;
        this.adminConnection = admin;
        return this;
    }

    /** Event loop: a validated FAULT request, judged and applied at once; refused with the reason ({@link ClientFaultControl}). */
    private void onFaultRequest(DirectBuffer b) {
        final Channel ch = channel;
        final long correlationId = ClientAdminRequestCodec.correlationId(b, Frame.HEADER_LENGTH);
        final String refusal = faultControl.apply(b, Frame.HEADER_LENGTH, adminConnection, ch.remoteAddress());
        if (refusal == null) {
            writeAdmin(ch, correlationId, ClientAdminRequestCodec.OP_FAULT, 0, null, null);
        } else {
            writeMembership(ch, correlationId, ResultCode.INVALID, 0, null, refusal);
        }
    }

    /** Event loop: a validated membership op, run on a worker thread ({@link ClientMembershipOps}). */
    private void onMembershipRequest(DirectBuffer b, int bodyLength) {
        final Channel ch = channel;
        final int body = Frame.HEADER_LENGTH;
        final long correlationId = ClientAdminRequestCodec.correlationId(b, body);
        final int op = ClientAdminRequestCodec.op(b, body);
        final int nodeId = (int) ClientAdminRequestCodec.arg(b, body); // validated: 0 (MEMBERS) or 1 .. 2^31-1
        final String address = bodyLength > ClientAdminRequestCodec.LENGTH ? ClientAdminRequestCodec.address(b, body)
            : null;
        final ClientMembershipOps.Answer answer = new ClientMembershipOps.Answer() {
            @Override
            public void answer(ResultCode code, int leaderId, Membership configuration, String reason) {
                onEventLoop(ch, () -> writeMembership(ch, correlationId, code, leaderId, configuration, reason));
            }

            @Override
            public void fail(Throwable cause) {
                onEventLoop(ch, () -> {
                    statusRequestsPending--;
                    LOG.warn("{} failed for client {}: {}", ClientAdminRequestCodec.opName(op), ch.remoteAddress(),
                        cause.toString());
                    ch.close();
                });
            }
        };
        try {
            statusExecutor.execute(() -> membershipOps.run(op, nodeId, address, answer));
        } catch (RejectedExecutionException e) {
            Connections.closeWithReason(ch.pipeline().firstContext(), LOG,
                "client: " + ClientAdminRequestCodec.opName(op) + " refused, the node's status queue is full or closing");
        }
    }

    private static void onEventLoop(Channel ch, Runnable task) {
        try {
            ch.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // the transport is closing: the connection goes with it
        }
    }

    /** Event loop: the answer to a membership op, with the configuration and the leader's address. */
    private void writeMembership(Channel ch, long correlationId, ResultCode code, int leaderId, Membership configuration,
                                 String reason) {
        statusRequestsPending--;
        if (!ch.isActive()) {
            return;
        }
        byte[] address = leaderId == 0 ? null : leaderAddress.apply(leaderId);
        if (address == null && leaderId != 0 && configuration != null && configuration.address(leaderId) != null) {
            address = configuration.address(leaderId).getBytes(StandardCharsets.US_ASCII);
        }
        if (address != null && address.length > ClientAdminResponseCodec.MAX_ADDRESS_BYTES) {
            address = null; // a redirect the client cannot follow; it looks for the leader itself
        }
        final byte[] encoded = configuration == null ? null : configuration.encode();
        final byte[] why = ClientAdminResponseCodec.reasonBytes(reason);
        final int bodyLength = ClientAdminResponseCodec.membershipLength(address, encoded, why);
        final ByteBuf out = ch.alloc().buffer(Frame.HEADER_LENGTH + bodyLength);
        final MutableDirectBuffer w = loopView.beginWrite(out, Frame.HEADER_LENGTH + bodyLength);
        ClientAdminResponseCodec.encodeMembership(w, Frame.HEADER_LENGTH, correlationId, code, leaderId, address, encoded,
            why);
        loopView.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_ADMIN_RESPONSE, clusterId, localNodeId,
            bodyLength));
        ch.writeAndFlush(out, ch.voidPromise());
    }

    /** Event loop: the outcome of an admin request, as a CLIENT_ADMIN_RESPONSE. */
    private void writeAdmin(Channel ch, long correlationId, int op, long arg, Object value, Throwable error) {
        statusRequestsPending--;
        final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause != null && !(cause instanceof ProposalException)) {
            // Outcomes are result codes; anything else is a bug in the service: like status(), close rather than guess.
            LOG.warn("{} failed for client {}: {}", ClientAdminRequestCodec.opName(op), ch.remoteAddress(), cause.toString());
            ch.close();
            return;
        }
        if (!ch.isActive()) {
            return;
        }
        final ResultCode code;
        final long answer;
        final int leaderId;
        if (cause == null) {
            code = ResultCode.OK;
            answer = op == ClientAdminRequestCodec.OP_READ_INDEX ? (Long) value : 0;
            leaderId = op == ClientAdminRequestCodec.OP_TRANSFER_LEADERSHIP ? (int) arg : 0;
        } else {
            code = ((ProposalException) cause).code();
            answer = 0;
            leaderId = ((ProposalException) cause).leaderId();
        }
        final ByteBuf out = ch.alloc().buffer(Frame.HEADER_LENGTH + ClientAdminResponseCodec.LENGTH);
        final MutableDirectBuffer w = loopView.beginWrite(out, Frame.HEADER_LENGTH + ClientAdminResponseCodec.LENGTH);
        ClientAdminResponseCodec.encode(w, Frame.HEADER_LENGTH, correlationId, code, answer, leaderId);
        loopView.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_ADMIN_RESPONSE, clusterId, localNodeId,
            ClientAdminResponseCodec.LENGTH));
        ch.writeAndFlush(out, ch.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    /**
     * Raft thread: the outcome of a proposal from this connection, encoded into the response ring. Allocates
     * nothing unless the ring is full. It goes out when the node ends the batch ({@link #onBatchEnd()}).
     */
    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        final Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return; // the client went away; the outcome is in the log either way
        }
        final byte[] address = code == ResultCode.NOT_LEADER && leaderId != 0 ? leaderAddress.apply(leaderId) : null;
        final int bodyLength = ClientAppendResponseCodec.encodedLength(address);
        final int frameLength = Frame.HEADER_LENGTH + bodyLength;
        final int claim = responseRing.tryClaim(RESPONSE_MSG_TYPE, frameLength);
        if (claim > 0) {
            final AtomicBuffer ring = responseRing.buffer();
            ClientAppendResponseCodec.encode(ring, claim + Frame.HEADER_LENGTH, correlationId, code, lsn, leaderId, address);
            Frame.encodeHeader(ring, claim, FrameType.CLIENT_APPEND_RESPONSE, clusterId, localNodeId, bodyLength);
            responseRing.commit(claim);
        } else {
            overflowResponses.offer(appendResponse(ch, raftView, correlationId, code, lsn, leaderId));
        }
    }

    /**
     * Raft thread, once per duty cycle that produced results for this connection: one event-loop task drains
     * them all (one write, one flush), instead of a wake-up per result (issue 8: at 256 in flight the leader's
     * I/O thread woke ~25 k times/s for ~3.7 responses each).
     */
    @Override
    public void onBatchEnd() {
        final Channel ch = channel;
        if (ch == null) {
            return;
        }
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            try {
                ch.eventLoop().execute(drainTask);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false); // shutting down: responses are released with the channel
            }
        }
    }

    /**
     * Event loop: every response queued so far goes out in one write and one flush. The flag is cleared
     * first, so a response committed after the ring is read schedules the next drain.
     */
    private void drainRaftResponses() {
        drainScheduled.set(false);
        final Channel ch = channel;
        if (!ch.isActive()) {
            discardResponses();
            return;
        }
        final int queued = responseRing.size();
        if (queued > 0) {
            drainOut = ch.alloc().directBuffer(queued);
            // One read stops at the end of the ring's memory; the second takes what wrapped to the start.
            responseRing.read(copyResponse);
            responseRing.read(copyResponse);
            final ByteBuf out = drainOut;
            drainOut = null;
            if (out.isReadable()) {
                ch.write(out, ch.voidPromise());
            } else {
                out.release();
            }
        }
        ByteBuf response;
        while ((response = overflowResponses.poll()) != null) {
            ch.write(response, ch.voidPromise());
        }
        ch.flush();
        if (!ch.isWritable() && ch.config().isAutoRead()) {
            // The client does not read its responses: take no more of its requests until it does, so what the node
            // holds for it stays bounded (issue 9).
            ch.config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
        super.channelWritabilityChanged(ctx);
    }

    /** Event loop, inside the ring read: appends one encoded response frame to the drain's buffer. */
    private void copyResponse(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        loopView.beginWrite(drainOut, length).putBytes(0, buffer, index, length);
        loopView.commit(drainOut, length);
    }

    private void discardResponses() {
        responseRing.read((msgTypeId, buffer, index, length) -> { }, Integer.MAX_VALUE);
        responseRing.read((msgTypeId, buffer, index, length) -> { }, Integer.MAX_VALUE);
        ByteBuf response;
        while ((response = overflowResponses.poll()) != null) {
            response.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discardResponses();
        splitter.release();
        releaseFromNode(ctx.channel().eventLoop(), 0);
        super.channelInactive(ctx);
    }

    /**
     * Gives this connection's callback slot back to the node (issue 9: before, every connection kept one for the
     * node's lifetime, and after 65,534 connections every append failed). Event loop, after the last propose; a
     * full inbound ring is retried every millisecond for up to 10 s.
     */
    private void releaseFromNode(java.util.concurrent.ScheduledExecutorService loop, int attempt) {
        if (service.release(this)) {
            return;
        }
        if (attempt >= 10_000) {
            LOG.warn("could not give a closed client connection's callback slot back to node {}: its inbound ring "
                + "stayed full for 10 s", localNodeId);
            return;
        }
        try {
            loop.schedule(() -> releaseFromNode(loop, attempt + 1), 1, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // the transport is closing: the node goes with it
        }
    }

    /** A response frame in a buffer of its own: REJECTED_BUSY from the event loop, or ring overflow. */
    private ByteBuf appendResponse(Channel ch, ByteBufView view, long correlationId, ResultCode code, long lsn,
                                   int leaderId) {
        final byte[] address = code == ResultCode.NOT_LEADER && leaderId != 0 ? leaderAddress.apply(leaderId) : null;
        final int bodyLength = ClientAppendResponseCodec.encodedLength(address);
        final ByteBuf out = ch.alloc().buffer(Frame.HEADER_LENGTH + bodyLength);
        final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + bodyLength);
        ClientAppendResponseCodec.encode(w, Frame.HEADER_LENGTH, correlationId, code, lsn, leaderId, address);
        view.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_APPEND_RESPONSE, clusterId, localNodeId, bodyLength));
        return out;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed = true;
        splitter.release();
        if (cause instanceof io.netty.handler.timeout.ReadTimeoutException) {
            Connections.closeWithReason(ctx, LOG, "client: idle longer than clientIdleTimeoutNs, closed");
            return;
        }
        Connections.closeWithReason(ctx, LOG, "client connection error: " + cause);
    }
}
