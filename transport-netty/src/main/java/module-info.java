/**
 * Pontoon's Netty transport: peer links ({@code NettyTransport}), the client protocol ({@code PontoonClient})
 * and run-time fault injection ({@code io.pontoon.transport.fault}). The frame codecs and the Netty handlers
 * are internal.
 */
module io.pontoon.transport.netty {
    requires transitive io.pontoon.core;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.handler;
    requires io.netty.codec;
    requires org.slf4j;
    requires java.naming;

    exports io.pontoon.transport;
    exports io.pontoon.transport.client;
    exports io.pontoon.transport.fault;
}
