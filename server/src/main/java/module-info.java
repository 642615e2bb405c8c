/** One-call networked, durable Pontoon nodes: {@code PontoonServer.builder()...start()}. */
module io.pontoon.server {
    requires transitive io.pontoon.core;
    requires transitive io.pontoon.storage;
    requires transitive io.pontoon.transport.netty;

    exports io.pontoon.server;
}
