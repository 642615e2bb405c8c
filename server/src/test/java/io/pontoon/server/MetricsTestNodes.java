package io.pontoon.server;

import io.pontoon.HashingStateMachine;
import io.pontoon.Role;
import io.pontoon.storage.Durability;
import io.pontoon.testkit.Await;
import io.pontoon.testkit.FreePorts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Three (or {@code n}) {@link PontoonServer}s on loopback with their metrics ports, for the metrics tests: page-cache
 * journals under {@code root/node-<id>}, 300 ms election timeout, 50 ms heartbeats, a {@link HashingStateMachine}.
 * Used by one test thread; {@link #server} may be read from others.
 */
final class MetricsTestNodes implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final int[] ports;
    private final int[] metricsPorts;
    private final PontoonServer[] servers;
    private final Map<Integer, Throwable> failures = new ConcurrentHashMap<>();

    MetricsTestNodes(Path root, int n) {
        this.root = root;
        this.ports = FreePorts.take(n);
        this.metricsPorts = FreePorts.take(n);
        this.servers = new PontoonServer[n + 1];
    }

    MetricsTestNodes startAll() {
        for (int id = 1; id < servers.length; id++) {
            start(id);
        }
        return this;
    }

    /** Starts node {@code id} (again, over its directory, after {@link #stop}). */
    PontoonServer start(int id) {
        final PontoonServer.Builder b = PontoonServer.builder().nodeId(id).dataDir(root.resolve("node-" + id))
            .listen("127.0.0.1:" + ports[id - 1]).durability(Durability.PAGE_CACHE)
            .electionTimeout(Duration.ofMillis(300)).heartbeatInterval(Duration.ofMillis(50))
            .stateMachine(new HashingStateMachine()).metricsPort(metricsPorts[id - 1])
            .errorHandler(cause -> failures.put(id, cause));
        for (int p = 1; p < servers.length; p++) {
            b.peer(p, "127.0.0.1:" + ports[p - 1]);
        }
        servers[id] = b.start();
        return servers[id];
    }

    void stop(int id) {
        if (servers[id] != null) {
            servers[id].close();
            servers[id] = null;
        }
    }

    PontoonServer server(int id) {
        return servers[id];
    }

    Throwable failure(int id) {
        return failures.get(id);
    }

    int size() {
        return servers.length - 1;
    }

    /** Waits until a running node leads; returns its id. */
    int awaitLeader() {
        final int[] found = {0};
        Await.until(() -> {
            for (int id = 1; id < servers.length; id++) {
                if (servers[id] != null && servers[id].node().status().role() == Role.LEADER) {
                    found[0] = id;
                    return true;
                }
            }
            return false;
        }, TIMEOUT, "a leader is elected");
        return found[0];
    }

    @Override
    public void close() {
        for (int id = 1; id < servers.length; id++) {
            stop(id);
        }
    }
}
