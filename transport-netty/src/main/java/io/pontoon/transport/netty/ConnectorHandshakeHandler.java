package io.pontoon.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.codec.HandshakeCodec.RejectReason;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * Connector side of the handshake (docs/PROTOCOL.md, "Handshake"): answers the acceptor's CHALLENGE
 * with a HELLO, then waits for ACCEPT (checking the acceptor's HMAC when a secret is configured) or
 * REJECT. On success removes itself and calls {@link Listener#onAccepted}; on any failure closes the
 * connection with a logged reason. Event loop only; one instance per connection.
 */
public final class ConnectorHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectorHandshakeHandler.class);

    /** Told the handshake outcome on the event loop. */
    public interface Listener {
        /** The acceptor accepted; install the serving handlers now. */
        void onAccepted(ChannelHandlerContext ctx, int acceptorNodeId);

        /** The acceptor refused, or the handshake failed; the channel is closing. */
        default void onRefused(ChannelHandlerContext ctx, String reason) {
        }
    }

    private enum State { AWAIT_CHALLENGE, AWAIT_ACCEPT, DONE }

    private final HandshakeSettings settings;
    private final int role;
    private final int targetNodeId;
    private final Listener listener;
    private final ByteBufView view = new ByteBufView();
    private State state = State.AWAIT_CHALLENGE;
    private ScheduledFuture<?> timeout;
    private int acceptorId;
    private byte[] challengeNonce;
    private byte[] helloNonce;

    /**
     * @param role         {@link HandshakeCodec#ROLE_PEER} or {@link HandshakeCodec#ROLE_CLIENT}
     * @param targetNodeId the node we mean to reach, or {@link HandshakeCodec#ANY_NODE}
     */
    public ConnectorHandshakeHandler(HandshakeSettings settings, int role, int targetNodeId, Listener listener) {
        this.settings = settings;
        this.role = role;
        this.targetNodeId = targetNodeId;
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timeout = ctx.executor().schedule(() -> {
            if (state != State.DONE) {
                fail(ctx, "handshake not completed within " + settings.handshakeTimeoutMs() + " ms");
            }
        }, settings.handshakeTimeoutNs(), TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimeout();
        if (state != State.DONE) {
            state = State.DONE;
            listener.onRefused(ctx, "connection closed during handshake");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof ByteBuf) || state == State.DONE) {
                return;
            }
            final ByteBuf frame = (ByteBuf) msg;
            final int frameLength = frame.readableBytes();
            final DirectBuffer b = view.wrap(frame, frame.readerIndex(), frameLength);
            if (state == State.AWAIT_CHALLENGE) {
                onChallenge(ctx, b, frameLength);
            } else {
                onAcceptOrReject(ctx, b, frameLength);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onChallenge(ChannelHandlerContext ctx, DirectBuffer b, int frameLength) {
        final int type = Frame.type(b, 0);
        final int version = Frame.version(b, 0);
        if (type != FrameType.HANDSHAKE_CHALLENGE) {
            fail(ctx, "expected HANDSHAKE_CHALLENGE, got " + FrameType.name(type));
            return;
        }
        if (version > Frame.PROTOCOL_VERSION || version < 1) {
            fail(ctx, "acceptor speaks protocol version " + version + ", this side supports 1.." + Frame.PROTOCOL_VERSION);
            return;
        }
        if (Frame.bodyLength(frameLength) != HandshakeCodec.CHALLENGE_LENGTH || Frame.flags(b, 0) != 0) {
            fail(ctx, "malformed CHALLENGE of " + frameLength + " bytes");
            return;
        }
        final int clusterId = Frame.clusterId(b, 0);
        if (clusterId != settings.clusterId()) {
            fail(ctx, "acceptor is in cluster " + clusterId + ", this side is in cluster " + settings.clusterId());
            return;
        }
        acceptorId = Frame.senderId(b, 0);
        if (targetNodeId != HandshakeCodec.ANY_NODE && acceptorId != targetNodeId) {
            fail(ctx, "address answered as node " + acceptorId + ", expected node " + targetNodeId);
            return;
        }
        if (role == HandshakeCodec.ROLE_PEER && settings.certificatesNameNodeIds()
            && CertificateIdentity.nodeIdOf(ctx.channel()) != acceptorId) {
            fail(ctx, "node " + acceptorId + "'s TLS certificate does not name it (expected CN=node-" + acceptorId + ")");
            return;
        }
        challengeNonce = HandshakeCodec.bytes(b, Frame.HEADER_LENGTH + HandshakeCodec.CHALLENGE_NONCE_OFFSET,
            HandshakeCodec.NONCE_LENGTH);
        helloNonce = settings.newNonce();
        final byte[] mac = HandshakeCodec.helloMac(settings.secret(), settings.clusterId(), settings.localNodeId(),
            acceptorId, role, challengeNonce, helloNonce);
        final ByteBuf out = ctx.alloc().buffer(Frame.HEADER_LENGTH + HandshakeCodec.HELLO_LENGTH);
        final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + HandshakeCodec.HELLO_LENGTH);
        final int bodyLength = HandshakeCodec.encodeHello(w, Frame.HEADER_LENGTH, role, targetNodeId, helloNonce, mac);
        view.commit(out, Frame.encodeHeader(w, 0, FrameType.HANDSHAKE_HELLO, settings.clusterId(),
            settings.localNodeId(), bodyLength));
        ctx.writeAndFlush(out, ctx.voidPromise());
        state = State.AWAIT_ACCEPT;
    }

    private void onAcceptOrReject(ChannelHandlerContext ctx, DirectBuffer b, int frameLength) {
        final int type = Frame.type(b, 0);
        final int bodyLength = Frame.bodyLength(frameLength);
        if (type == FrameType.HANDSHAKE_REJECT && bodyLength == HandshakeCodec.REJECT_LENGTH) {
            final int code = HandshakeCodec.rejectReason(b, Frame.HEADER_LENGTH);
            final RejectReason reason = RejectReason.of(code);
            fail(ctx, "node " + acceptorId + " refused the connection: "
                + (reason == null ? "reason code " + code : reason + " (" + reason.description() + ")"));
            return;
        }
        if (type != FrameType.HANDSHAKE_ACCEPT || bodyLength != HandshakeCodec.ACCEPT_LENGTH
            || Frame.version(b, 0) != Frame.PROTOCOL_VERSION || Frame.flags(b, 0) != 0
            || Frame.clusterId(b, 0) != settings.clusterId() || Frame.senderId(b, 0) != acceptorId) {
            fail(ctx, "expected HANDSHAKE_ACCEPT from node " + acceptorId + ", got " + FrameType.name(type)
                + " of " + frameLength + " bytes");
            return;
        }
        final byte[] secret = settings.secret();
        if (secret != null) {
            final byte[] expected = HandshakeCodec.acceptMac(secret, settings.clusterId(), settings.localNodeId(),
                acceptorId, role, challengeNonce, helloNonce);
            final byte[] actual = HandshakeCodec.bytes(b, Frame.HEADER_LENGTH + HandshakeCodec.ACCEPT_MAC_OFFSET,
                HandshakeCodec.MAC_LENGTH);
            if (!MessageDigest.isEqual(expected, actual)) {
                fail(ctx, "node " + acceptorId + " failed to prove the cluster secret (ACCEPT mac mismatch)");
                return;
            }
        }
        state = State.DONE;
        cancelTimeout();
        listener.onAccepted(ctx, acceptorId);
        ctx.pipeline().remove(this);
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        state = State.DONE;
        cancelTimeout();
        // The listener first: closing runs the channel's close listeners at once, and a client that saw only the
        // close would report "connection closed" instead of why (a wrong secret, for one).
        listener.onRefused(ctx, reason);
        Connections.closeWithReason(ctx, LOG, reason);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state != State.DONE) {
            fail(ctx, "error during handshake: " + cause);
        } else {
            Connections.closeWithReason(ctx, LOG, "error: " + cause);
        }
    }
}
