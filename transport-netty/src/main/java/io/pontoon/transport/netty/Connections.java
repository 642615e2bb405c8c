package io.pontoon.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;

/** Closing a connection for a protocol violation: one WARN line naming the remote and the reason. */
public final class Connections {
    private Connections() {
    }

    public static void closeWithReason(ChannelHandlerContext ctx, Logger log, String reason) {
        if (ctx.channel().isOpen()) {
            log.warn("closing connection {} -> {}: {}", ctx.channel().remoteAddress(), ctx.channel().localAddress(), reason);
            ctx.close();
        }
    }
}
