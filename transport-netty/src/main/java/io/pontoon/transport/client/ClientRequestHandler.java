package io.pontoon.transport.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.pontoon.ProposalCallback;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.transport.codec.ClientAppendRequestCodec;
import io.pontoon.transport.codec.ClientAppendResponseCodec;
import io.pontoon.transport.codec.ClientStatusRequestCodec;
import io.pontoon.transport.codec.ClientStatusResponseCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.FrameValidator;
import io.pontoon.transport.netty.ByteBufView;
import io.pontoon.transport.netty.Connections;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * Serves one client connection after its handshake (docs/PROTOCOL.md, "Client messages"):
 * CLIENT_APPEND_REQUEST goes to {@link ClientService#propose} with this handler as the callback and the
 * client's own correlation id (the handler identifies the connection, so no lookup table is needed);
 * the outcome is written back from the Raft thread. CLIENT_STATUS_REQUEST is answered from a worker
 * thread. A malformed frame closes the connection with a logged reason.
 */
public final class ClientRequestHandler extends ChannelInboundHandlerAdapter implements ProposalCallback {
    private static final Logger LOG = LoggerFactory.getLogger(ClientRequestHandler.class);

    private final ClientService service;
    private final int clusterId;
    private final int localNodeId;
    private final IntFunction<byte[]> leaderAddress;
    private final Executor statusExecutor;
    private final FrameValidator validator = new FrameValidator();
    private final ByteBufView loopView = new ByteBufView();
    private final ByteBufView raftView = new ByteBufView();
    /** Responses encoded on the Raft thread, written by the event loop in one batch per wake-up. */
    private final ManyToOneConcurrentLinkedQueue<ByteBuf> raftResponses = new ManyToOneConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainRaftResponses;
    private volatile Channel channel;
    private boolean failed;

    /**
     * @param leaderAddress  ASCII "host:port" of a node id, or null if unknown (for NOT_LEADER redirects)
     * @param statusExecutor runs {@link ClientService#status()} off the event loop
     */
    public ClientRequestHandler(ClientService service, int clusterId, int localNodeId, IntFunction<byte[]> leaderAddress,
                                Executor statusExecutor) {
        this.service = service;
        this.clusterId = clusterId;
        this.localNodeId = localNodeId;
        this.leaderAddress = leaderAddress;
        this.statusExecutor = statusExecutor;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (failed || !(msg instanceof ByteBuf)) {
                return;
            }
            final ByteBuf frame = (ByteBuf) msg;
            final int frameLength = frame.readableBytes();
            final DirectBuffer b = loopView.wrap(frame, frame.readerIndex(), frameLength);
            String reason = validator.validateHeader(b, 0, frameLength, clusterId, 0);
            final int type = Frame.type(b, 0);
            final int bodyLength = Frame.bodyLength(frameLength);
            if (reason == null) {
                reason = FrameValidator.validateClientRequestBody(type, b, Frame.HEADER_LENGTH, bodyLength);
            }
            if (reason != null) {
                failed = true;
                Connections.closeWithReason(ctx, LOG, "client: " + reason);
                return;
            }
            if (type == FrameType.CLIENT_APPEND_REQUEST) {
                onAppendRequest(ctx, b);
            } else {
                onStatusRequest(ClientStatusRequestCodec.correlationId(b, Frame.HEADER_LENGTH));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onAppendRequest(ChannelHandlerContext ctx, DirectBuffer b) {
        final int body = Frame.HEADER_LENGTH;
        final long correlationId = ClientAppendRequestCodec.correlationId(b, body);
        final int payloadLength = ClientAppendRequestCodec.payloadLength(b, body);
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
            ch.close(); // transport closing
        }
    }

    private void writeStatus(Channel ch, long correlationId, RaftStatus status) {
        final byte[] address = status.leaderId() == 0 ? null : leaderAddress.apply(status.leaderId());
        final int bodyLength = ClientStatusResponseCodec.encodedLength(address);
        final ByteBuf out = ch.alloc().buffer(Frame.HEADER_LENGTH + bodyLength);
        final MutableDirectBuffer w = loopView.beginWrite(out, Frame.HEADER_LENGTH + bodyLength);
        ClientStatusResponseCodec.encode(w, Frame.HEADER_LENGTH, correlationId, status, address);
        loopView.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_STATUS_RESPONSE, clusterId, localNodeId, bodyLength));
        ch.writeAndFlush(out, ch.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    /** Raft thread: the outcome of a proposal from this connection. */
    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        final Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return; // the client went away; the outcome is in the log either way
        }
        raftResponses.offer(appendResponse(ch, raftView, correlationId, code, lsn, leaderId));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                ch.eventLoop().execute(drainTask);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false); // shutting down: responses are released with the channel
            }
        }
    }

    /** Event loop: writes every queued response, then one flush. */
    private void drainRaftResponses() {
        drainScheduled.set(false);
        final Channel ch = channel;
        ByteBuf response;
        while ((response = raftResponses.poll()) != null) {
            if (ch.isActive()) {
                ch.write(response, ch.voidPromise());
            } else {
                response.release();
            }
        }
        ch.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ByteBuf response;
        while ((response = raftResponses.poll()) != null) {
            response.release();
        }
        super.channelInactive(ctx);
    }

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
        Connections.closeWithReason(ctx, LOG, "client connection error: " + cause);
    }
}
