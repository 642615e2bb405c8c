/** One-call networked, durable Pontoon nodes: {@code PontoonServer.builder()...start()}. */
module io.pontoon.server {
    requires transitive io.pontoon.core;
    requires transitive io.pontoon.storage;
    requires transitive io.pontoon.transport.netty;
    // MetricsHttpServer: the JDK's HTTP server, and /metrics through a Prometheus registry
    requires jdk.httpserver;
    requires micrometer.core;
    requires micrometer.registry.prometheus;

    exports io.pontoon.server;
}
