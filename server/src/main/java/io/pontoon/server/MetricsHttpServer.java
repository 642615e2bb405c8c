package io.pontoon.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pontoon.RaftNode;
import io.pontoon.metrics.PontoonMetrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A node's observability endpoints over HTTP, on the JDK's built-in server ({@code com.sun.net.httpserver}):
 * <ul>
 *   <li>{@code GET /metrics}: the node's {@link PontoonMetrics} meters in the Prometheus text format
 *       (micrometer-registry-prometheus);</li>
 *   <li>{@code GET /status}: the node's {@link io.pontoon.RaftStatus} as JSON, with each follower's lag in entries
 *       and in bytes and its in-flight window from {@link RaftNode#report()} (followers are listed by the leader
 *       only);</li>
 *   <li>{@code GET /}: a live page of the above, refreshed every second from {@code /status}.</li>
 * </ul>
 * Read-only and unauthenticated: bind it where only operators reach it. {@link PontoonServer} starts one when
 * {@link PontoonServer.Builder#metricsPort} is set.
 *
 * <p>Threads: requests are served one at a time on a thread of its own ({@code pontoon-metrics-<id>}). A scrape reads
 * the counters the node publishes (no round trip); {@code /status} asks the node for its status, a round trip to the
 * Raft thread. {@link #start} and {@link #close} from any thread.
 */
public final class MetricsHttpServer implements AutoCloseable {
    private static final String PAGE = "status.html";

    private final HttpServer http;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;

    private MetricsHttpServer(HttpServer http, ExecutorService executor, PrometheusMeterRegistry registry) {
        this.http = http;
        this.executor = executor;
        this.registry = registry;
    }

    /**
     * Binds {@code address} (port 0 picks a free one) and serves {@code node}'s endpoints until {@link #close}.
     *
     * @throws UncheckedIOException the address cannot be bound
     */
    public static MetricsHttpServer start(RaftNode node, InetSocketAddress address) {
        final byte[] page = readPage();
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PontoonMetrics.bindTo(node, registry);
        final HttpServer http;
        try {
            http = HttpServer.create(address, 16);
        } catch (IOException e) {
            registry.close();
            throw new UncheckedIOException("metrics port " + address + " cannot be bound: " + e, e);
        }
        final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "pontoon-metrics-" + node.nodeId());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/metrics", ex -> serve(ex, "text/plain; version=0.0.4; charset=utf-8",
            () -> registry.scrape().getBytes(StandardCharsets.UTF_8)));
        http.createContext("/status", ex -> serve(ex, "application/json",
            () -> StatusJson.of(node.status(), node.report()).getBytes(StandardCharsets.UTF_8)));
        http.createContext("/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/")) {
                send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            serve(ex, "text/html; charset=utf-8", () -> page);
        });
        http.start();
        return new MetricsHttpServer(http, executor, registry);
    }

    /** The address as bound (the actual port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return http.getAddress();
    }

    /** Stops serving (requests in progress are cut) and releases the port. Idempotent. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        registry.close();
    }

    @FunctionalInterface
    private interface Body {
        byte[] get() throws Exception;
    }

    private static void serve(HttpExchange ex, String contentType, Body body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "only GET\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            final byte[] bytes;
            try {
                bytes = body.get();
            } catch (Exception e) {
                // A node that is closing or too busy to answer: say so rather than hang or drop the connection.
                send(ex, 503, "text/plain; charset=utf-8", (e + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(ex, 200, contentType, bytes);
        }
    }

    private static void send(HttpExchange ex, int code, String contentType, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        final boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static byte[] readPage() {
        try (InputStream in = MetricsHttpServer.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the server's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
