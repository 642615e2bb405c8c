package io.pontoon.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
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
 * Acceptor side of the handshake (docs/PROTOCOL.md, "Handshake"): sends a CHALLENGE as soon as the
 * connection is up, checks the HELLO (version, cluster, role, node id, target, HMAC) and answers
 * ACCEPT, then hands the pipeline to {@link Initializer#install}; or answers REJECT with a logged reason
 * and closes. Runs on the channel's event loop; one instance per connection.
 */
public final class AcceptorHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptorHandshakeHandler.class);

    /** Decides whether an authenticated connector is served and installs the handlers that serve it. */
    public interface Initializer {
        /** Null to accept, else why not (e.g. {@link RejectReason#NO_CLIENT_SERVICE}). Event loop. */
        RejectReason check(int role, int nodeId);

        /**
         * Adds the serving handlers to {@code pipeline} (the handshake handler is removed after). {@code admin}: a
         * client that proved the admin secret. Event loop.
         */
        void install(ChannelPipeline pipeline, int role, int nodeId, boolean admin);
    }

    private final HandshakeSettings settings;
    private final Initializer initializer;
    private final ByteBufView view = new ByteBufView();
    private byte[] challengeNonce;
    private ScheduledFuture<?> timeout;
    private boolean done;

    public AcceptorHandshakeHandler(HandshakeSettings settings, Initializer initializer) {
        this.settings = settings;
        this.initializer = initializer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        challengeNonce = settings.newNonce();
        final ByteBuf out = ctx.alloc().buffer(Frame.HEADER_LENGTH + HandshakeCodec.CHALLENGE_LENGTH);
        final MutableDirectBuffer b = view.beginWrite(out, Frame.HEADER_LENGTH + HandshakeCodec.CHALLENGE_LENGTH);
        final int bodyLength = HandshakeCodec.encodeChallenge(b, Frame.HEADER_LENGTH, challengeNonce);
        view.commit(out, Frame.encodeHeader(b, 0, FrameType.HANDSHAKE_CHALLENGE, settings.clusterId(),
            settings.localNodeId(), bodyLength));
        ctx.writeAndFlush(out, ctx.voidPromise());
        timeout = ctx.executor().schedule(() -> {
            if (!done) {
                done = true;
                Connections.closeWithReason(ctx, LOG, "handshake not completed within " + settings.handshakeTimeoutMs() + " ms");
            }
        }, settings.handshakeTimeoutNs(), TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimeout();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (done || !(msg instanceof ByteBuf)) {
                return; // a rejected connection is closing: ignore what is still in flight
            }
            onHello(ctx, (ByteBuf) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHello(ChannelHandlerContext ctx, ByteBuf frame) {
        final int frameLength = frame.readableBytes();
        final DirectBuffer b = view.wrap(frame, frame.readerIndex(), frameLength);
        final int type = Frame.type(b, 0);
        final int version = Frame.version(b, 0);
        final int senderId = Frame.senderId(b, 0);
        if (type != FrameType.HANDSHAKE_HELLO) {
            reject(ctx, RejectReason.MALFORMED, senderId, "expected HANDSHAKE_HELLO, got " + FrameType.name(type));
            return;
        }
        if (version > Frame.PROTOCOL_VERSION) {
            reject(ctx, RejectReason.UNSUPPORTED_VERSION, senderId,
                "connector speaks protocol version " + version + ", this node supports up to " + Frame.PROTOCOL_VERSION);
            return;
        }
        final int bodyLength = Frame.bodyLength(frameLength);
        if (version < 1 || Frame.flags(b, 0) != 0 || bodyLength != HandshakeCodec.HELLO_LENGTH
            || HandshakeCodec.helloReserved(b, Frame.HEADER_LENGTH) != 0) {
            reject(ctx, RejectReason.MALFORMED, senderId, "HELLO with version " + version + ", flags "
                + Frame.flags(b, 0) + ", body " + bodyLength + " bytes (expected " + HandshakeCodec.HELLO_LENGTH + ")");
            return;
        }
        final int clusterId = Frame.clusterId(b, 0);
        if (clusterId != settings.clusterId()) {
            reject(ctx, RejectReason.WRONG_CLUSTER, senderId,
                "connector is in cluster " + clusterId + ", this node is in cluster " + settings.clusterId());
            return;
        }
        final int role = HandshakeCodec.helloRole(b, Frame.HEADER_LENGTH);
        final int target = HandshakeCodec.helloTargetNodeId(b, Frame.HEADER_LENGTH);
        if (role == HandshakeCodec.ROLE_PEER) {
            if (!settings.isPeer(senderId)) {
                reject(ctx, RejectReason.UNKNOWN_NODE, senderId, "node " + senderId + " is not a configured peer");
                return;
            }
            if (target != settings.localNodeId()) {
                reject(ctx, RejectReason.WRONG_TARGET, senderId,
                    "peer meant to reach node " + target + ", this is node " + settings.localNodeId());
                return;
            }
            if (settings.certificatesNameNodeIds()) {
                final int certified = CertificateIdentity.nodeIdOf(ctx.channel());
                if (certified != senderId) {
                    reject(ctx, RejectReason.BAD_AUTH, senderId, "HELLO claims peer " + senderId + " but its TLS "
                        + "certificate names " + (certified == CertificateIdentity.NONE ? "no node" : "node " + certified));
                    return;
                }
            }
        } else if (role == HandshakeCodec.ROLE_CLIENT) {
            if (senderId != 0) {
                reject(ctx, RejectReason.MALFORMED, senderId, "a client must send sender id 0, got " + senderId);
                return;
            }
            if (target != HandshakeCodec.ANY_NODE && target != settings.localNodeId()) {
                reject(ctx, RejectReason.WRONG_TARGET, senderId,
                    "client meant to reach node " + target + ", this is node " + settings.localNodeId());
                return;
            }
        } else {
            reject(ctx, RejectReason.MALFORMED, senderId, "unknown role " + role);
            return;
        }
        final byte[] helloNonce = HandshakeCodec.bytes(b, Frame.HEADER_LENGTH + HandshakeCodec.HELLO_NONCE_OFFSET,
            HandshakeCodec.NONCE_LENGTH);
        // Peers prove the peer secret, clients one of the client secrets or the admin secret: a client credential
        // never opens a peer link (issue 9). The ACCEPT is signed with the secret that verified the HELLO.
        final byte[] actual = HandshakeCodec.bytes(b, Frame.HEADER_LENGTH + HandshakeCodec.HELLO_MAC_OFFSET,
            HandshakeCodec.MAC_LENGTH);
        final byte[] secret;
        boolean admin = false;
        if (role == HandshakeCodec.ROLE_PEER) {
            secret = settings.secret();
            if (secret != null && !MessageDigest.isEqual(HandshakeCodec.helloMac(secret, clusterId, senderId,
                settings.localNodeId(), role, challengeNonce, helloNonce), actual)) {
                reject(ctx, RejectReason.BAD_AUTH, senderId, "HELLO mac does not match the peer secret");
                return;
            }
        } else {
            secret = clientCredential(clusterId, senderId, role, helloNonce, actual);
            if (secret == null && settings.clientSecrets().length > 0) {
                reject(ctx, RejectReason.BAD_AUTH, senderId, "HELLO mac matches no client secret"
                    + (settings.adminSecret() == null ? "" : " nor the admin secret"));
                return;
            }
            admin = secret != null && secret == settings.adminSecret();
        }
        final RejectReason refusal = initializer.check(role, senderId);
        if (refusal != null) {
            reject(ctx, refusal, senderId, refusal.description());
            return;
        }
        done = true;
        cancelTimeout();
        final byte[] mac = secret == null ? new byte[HandshakeCodec.MAC_LENGTH] : HandshakeCodec.acceptMac(secret,
            clusterId, senderId, settings.localNodeId(), role, challengeNonce, helloNonce);
        final ByteBuf out = ctx.alloc().buffer(Frame.HEADER_LENGTH + HandshakeCodec.ACCEPT_LENGTH);
        final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + HandshakeCodec.ACCEPT_LENGTH);
        final int acceptLength = HandshakeCodec.encodeAccept(w, Frame.HEADER_LENGTH, mac);
        view.commit(out, Frame.encodeHeader(w, 0, FrameType.HANDSHAKE_ACCEPT, settings.clusterId(),
            settings.localNodeId(), acceptLength));
        ctx.writeAndFlush(out, ctx.voidPromise());
        LOG.debug("accepted {} {} from {}", role == HandshakeCodec.ROLE_PEER ? "peer" : admin ? "admin client" : "client",
            senderId, ctx.channel().remoteAddress());
        initializer.install(ctx.pipeline(), role, senderId, admin);
        ctx.pipeline().remove(this);
    }

    /**
     * The secret a client's HELLO proves: the admin secret (tried first: an admin client is also a client, whether or
     * not clients are authenticated) or one of the client secrets; null if none.
     */
    private byte[] clientCredential(int clusterId, int senderId, int role, byte[] helloNonce, byte[] actual) {
        final byte[] adminSecret = settings.adminSecret();
        if (adminSecret != null && MessageDigest.isEqual(HandshakeCodec.helloMac(adminSecret, clusterId, senderId,
            settings.localNodeId(), role, challengeNonce, helloNonce), actual)) {
            return adminSecret;
        }
        for (byte[] candidate : settings.clientSecrets()) {
            if (MessageDigest.isEqual(HandshakeCodec.helloMac(candidate, clusterId, senderId, settings.localNodeId(),
                role, challengeNonce, helloNonce), actual)) {
                return candidate;
            }
        }
        return null;
    }

    private void reject(ChannelHandlerContext ctx, RejectReason reason, int senderId, String detail) {
        done = true;
        cancelTimeout();
        LOG.warn("refusing connection from {} (sender id {}): {}: {}", ctx.channel().remoteAddress(), senderId,
            reason, detail);
        final ByteBuf out = ctx.alloc().buffer(Frame.HEADER_LENGTH + HandshakeCodec.REJECT_LENGTH);
        final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + HandshakeCodec.REJECT_LENGTH);
        final int bodyLength = HandshakeCodec.encodeReject(w, Frame.HEADER_LENGTH, reason);
        view.commit(out, Frame.encodeHeader(w, 0, FrameType.HANDSHAKE_REJECT, settings.clusterId(),
            settings.localNodeId(), bodyLength));
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        done = true;
        Connections.closeWithReason(ctx, LOG, "error during handshake: " + cause);
    }
}
