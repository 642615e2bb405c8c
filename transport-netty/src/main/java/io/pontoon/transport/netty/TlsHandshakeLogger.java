package io.pontoon.transport.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs why a TLS handshake failed (untrusted or missing certificate, plaintext on a TLS port...):
 * {@code SslHandler} closes such connections itself, so without this the refusal would be silent.
 * Stateless; one shared instance.
 */
@ChannelHandler.Sharable
public final class TlsHandshakeLogger extends ChannelInboundHandlerAdapter {
    public static final TlsHandshakeLogger INSTANCE = new TlsHandshakeLogger();
    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshakeLogger.class);

    private TlsHandshakeLogger() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent) {
            final SslHandshakeCompletionEvent event = (SslHandshakeCompletionEvent) evt;
            if (!event.isSuccess()) {
                LOG.warn("refusing connection {} -> {}: TLS handshake failed: {}", ctx.channel().remoteAddress(),
                    ctx.channel().localAddress(), event.cause().toString());
            }
        }
        super.userEventTriggered(ctx, evt);
    }
}
