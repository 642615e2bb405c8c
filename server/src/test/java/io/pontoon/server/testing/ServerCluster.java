package io.pontoon.server.testing;

import io.pontoon.RaftStatus;
import io.pontoon.server.PontoonServer;
import io.pontoon.Role;
import io.pontoon.storage.Durability;
import io.pontoon.testkit.Await;
import io.pontoon.testkit.FreePorts;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@link PontoonServer}s in this JVM for tests (Netty on loopback, Chronicle journals under {@code root/node-<id>}):
 * nodes {@code 1 .. nodes}, each on a port that was free when the cluster was made. Every server starts with the
 * same test timing (page-cache durability, 300 ms election timeout, 50 ms heartbeats) and records its fail-stop cause
 * in {@link #failure}; a test adds its state machine, secrets and the like through {@link Settings}.
 *
 * <p>In a package of its own, not {@code io.pontoon.server}: a module that requires {@code io.pontoon.server} would
 * not see a class of that package from the test-jar on its class path.
 *
 * <p>Used by one test thread: not thread-safe, except {@link #failure}, which the servers' fail-stop threads write.
 */
public final class ServerCluster implements AutoCloseable {
    /** How long a test waits for a leader, an entry or a status before it fails. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What a test adds to the builder of node {@code nodeId} before it starts. */
    @FunctionalInterface
    public interface Settings {
        void apply(int nodeId, PontoonServer.Builder builder);
    }

    private final Path root;
    private final int[] ports;
    /** By node id; index 0 unused; null while a node is stopped. */
    private final PontoonServer[] servers;
    private final Map<Integer, Throwable> failures = new ConcurrentHashMap<>();

    /** Ports for {@code nodes} nodes; starts none of them. */
    public ServerCluster(Path root, int nodes) {
        this.root = root;
        this.ports = FreePorts.take(nodes);
        this.servers = new PontoonServer[nodes + 1];
    }

    /** Starts nodes {@code 1 .. nodes}, each knowing all of them as peers. */
    public ServerCluster startAll(Settings settings) {
        for (int id = 1; id <= size(); id++) {
            start(id, settings);
        }
        return this;
    }

    /** Starts node {@code id} (again, after {@link #stop}, over the same directory), knowing every node as a peer. */
    public PontoonServer start(int id, Settings settings) {
        return start(id, allIds(), settings);
    }

    /** Starts node {@code id} knowing only {@code peers} (with their addresses) as the initial members. */
    public PontoonServer start(int id, int[] peers, Settings settings) {
        final PontoonServer.Builder b = PontoonServer.builder()
            .nodeId(id)
            .dataDir(root.resolve("node-" + id))
            .listen(address(id))
            .durability(Durability.PAGE_CACHE)
            .electionTimeout(Duration.ofMillis(300))
            .heartbeatInterval(Duration.ofMillis(50))
            .errorHandler(cause -> failures.put(id, cause));
        for (int p : peers) {
            b.peer(p, address(p));
        }
        settings.apply(id, b);
        servers[id] = b.start();
        return servers[id];
    }

    /** Closes node {@code id}; {@link #server} returns null until it is started again. */
    public void stop(int id) {
        if (servers[id] != null) {
            servers[id].close();
            servers[id] = null;
        }
    }

    /** Closes every running node. */
    @Override
    public void close() {
        for (int id = 1; id <= size(); id++) {
            stop(id);
        }
    }

    public int size() {
        return ports.length;
    }

    /** The running server of node {@code id}, or null. */
    public PontoonServer server(int id) {
        return servers[id];
    }

    /** Why node {@code id} fail-stopped, or null if it did not. */
    public Throwable failure(int id) {
        return failures.get(id);
    }

    /** {@code 127.0.0.1:<port>} of node {@code id}. */
    public String address(int id) {
        return "127.0.0.1:" + ports[id - 1];
    }

    public InetSocketAddress socketAddress(int id) {
        return new InetSocketAddress("127.0.0.1", ports[id - 1]);
    }

    /** The addresses of {@code ids}, comma-separated (what {@code --cluster} takes); all nodes when none is given. */
    public String addresses(int... ids) {
        final StringJoiner all = new StringJoiner(",");
        for (int id : ids.length == 0 ? allIds() : ids) {
            all.add(address(id));
        }
        return all.toString();
    }

    /** A client configuration naming {@code ids} (all nodes when none is given), to add a secret or timeouts to. */
    public PontoonClientConfig.Builder clientConfig(int... ids) {
        return PontoonClientConfig.builder().addresses(addresses(ids));
    }

    /** A client of {@code ids} (all nodes when none is given) proving {@code secret}. */
    public PontoonClient client(byte[] secret, int... ids) {
        return new PontoonClient(clientConfig(ids).secret(secret).build());
    }

    /** Waits until a running node says, in process, that it leads; returns its id. */
    public int awaitLeader() {
        final int[] found = {0};
        Await.until(() -> {
            for (int id = 1; id <= size(); id++) {
                if (servers[id] != null && servers[id].node().status().role() == Role.LEADER) {
                    found[0] = id;
                    return true;
                }
            }
            return false;
        }, TIMEOUT, "a leader is elected");
        return found[0];
    }

    /** Waits until one of {@code ids} (all nodes when none is given) says, asked through {@code client}, that it leads. */
    public int awaitLeader(PontoonClient client, int... ids) {
        final int[] found = {0};
        Await.until(() -> {
            for (int id : ids.length == 0 ? allIds() : ids) {
                final RaftStatus s = statusOrNull(client, id);
                if (s != null && s.role() == Role.LEADER) {
                    found[0] = s.nodeId();
                    return true;
                }
            }
            return false;
        }, TIMEOUT, "a leader");
        return found[0];
    }

    /** Node {@code id}'s status asked through {@code client}, or null if it did not answer within 5 s. */
    public RaftStatus statusOrNull(PontoonClient client, int id) {
        try {
            return client.status(address(id)).get(5, TimeUnit.SECONDS);
        } catch (Exception unreachable) {
            return null;
        }
    }

    /** Polls {@code condition} until it holds, failing after {@link #TIMEOUT} naming {@code what}. */
    public static void await(BooleanSupplier condition, String what) {
        Await.until(condition, TIMEOUT, what);
    }

    private int[] allIds() {
        final int[] ids = new int[size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
        }
        return ids;
    }
}
