package io.pontoon.kv;

import io.pontoon.server.PontoonServer;
import io.pontoon.server.testing.ServerCluster;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-value store on three {@link PontoonServer}s in this JVM (Netty on loopback, Chronicle journals, snapshots
 * every few entries), driven by a {@link KvClient}: puts, gets, cas and deletes; writes in flight while the leader is
 * stopped all complete once, through the new leader; the stopped node restarts from its snapshot and journal and ends
 * with the same map as the others. A write resent over the wire with the same client and sequence is applied once.
 */
class KvClusterTest {
    private static final Duration TIMEOUT = ServerCluster.TIMEOUT;

    @TempDir
    Path root;

    private ServerCluster cluster;
    private final KvStateMachine[] stateMachines = new KvStateMachine[4];

    @AfterEach
    void closeAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesInFlightWhileTheLeaderStopsCompleteOnceAndEveryNodeEndsWithTheSameMap() throws Exception {
        startCluster();
        try (KvClient kv = new KvClient(clientConfig())) {
            for (int i = 0; i < 20; i++) {
                kv.put("k" + i, "v" + i).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(Optional.of("v5"), get(kv, "k5"));
            assertEquals(Optional.empty(), get(kv, "missing"));
            assertEquals(new CasResult(true, null), cas(kv, "k1", "v1", "w1"));
            assertEquals(new CasResult(false, "w1"), cas(kv, "k1", "v1", "x"));
            assertEquals(new CasResult(false, null), cas(kv, "new", "v", "x"));
            assertEquals(new CasResult(true, null), cas(kv, "new", null, "n"));
            assertTrue(kv.delete("k2").get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertFalse(kv.delete("k2").get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));

            final int leader = cluster.awaitLeader();
            final List<CompletableFuture<Void>> inFlight = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                inFlight.add(kv.put("p" + i, "q" + i));
            }
            cluster.stop(leader);
            for (CompletableFuture<Void> f : inFlight) {
                f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // none fails, none is unknown: the client retried
            }
            assertTrue(cluster.awaitLeader() != leader);
            for (int i = 0; i < 40; i++) {
                assertEquals(Optional.of("q" + i), get(kv, "p" + i));
            }
            assertEquals(Optional.of("w1"), get(kv, "k1"), "written before the leader changed");
            assertEquals(new CasResult(true, null), cas(kv, "k3", "v3", "z3"));

            try (java.util.stream.Stream<Path> snapshots = java.nio.file.Files.list(root.resolve("node-" + leader)
                .resolve("snapshots"))) {
                assertTrue(snapshots.findAny().isPresent(), "node " + leader + " took a snapshot before it stopped");
            }
            start(leader); // restored from its snapshot, then its journal, then the new leader's log
            final Map<String, String> expected = new TreeMap<>();
            for (int i = 0; i < 20; i++) {
                expected.put("k" + i, "v" + i);
            }
            expected.put("k1", "w1");
            expected.remove("k2");
            expected.put("k3", "z3");
            expected.put("new", "n");
            for (int i = 0; i < 40; i++) {
                expected.put("p" + i, "q" + i);
            }
            for (int id = 1; id <= 3; id++) {
                final KvStateMachine sm = stateMachines[id];
                ServerCluster.await(() -> holds(sm, expected), "node " + id + " holds every write");
                assertNull(cluster.failure(id), "node " + id + " failed");
            }
        }
    }

    @Test
    void aWriteResentWithTheSameClientAndSequenceIsAppliedOnce() throws Exception {
        startCluster();
        try (PontoonClient client = new PontoonClient(clientConfig())) {
            final long me = 77;
            final byte[] put = KvCodec.encode(new KvCommand(KvCodec.PUT, me, 1, 1, "k", null, "a"));
            final byte[] cas = KvCodec.encode(new KvCommand(KvCodec.CAS, me, 2, 2, "k", "a", "b"));
            final byte[] otherPut = KvCodec.encode(new KvCommand(KvCodec.PUT, 78, 1, 1, "k", null, "a"));
            assertEquals(KvResult.OK, request(client, put));
            assertEquals(KvResult.OK, request(client, cas));
            assertEquals(KvResult.OK, request(client, otherPut)); // someone puts "a" back
            // the cas's answer was "lost" and it is sent again: answered with its first outcome, not swapped again
            assertEquals(KvResult.OK, request(client, cas));
            final byte[] get = KvCodec.encode(new KvCommand(KvCodec.GET, 0, 0, 0, "k", null, null));
            assertEquals(KvResult.value("a"), request(client, get));
            // a malformed request is refused naming the problem, and the connection stays usable
            final Throwable e = failure(client.request(new byte[] {9}));
            assertTrue(e instanceof IllegalArgumentException && e.getMessage().contains("shorter than its 28-byte"),
                String.valueOf(e));
            assertEquals(KvResult.value("a"), request(client, get));
        }
    }

    private static KvResult request(PontoonClient client, byte[] request) throws Exception {
        return KvCodec.decodeResult(client.request(request).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("expected a failure");
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static CasResult cas(KvClient kv, String key, String expected, String value) throws Exception {
        return kv.cas(key, expected, value).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Optional<String> get(KvClient kv, String key) throws Exception {
        return kv.get(key).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static boolean holds(KvStateMachine sm, Map<String, String> expected) {
        if (sm.size() != expected.size()) {
            return false;
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if (!e.getValue().equals(sm.localGet(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private PontoonClientConfig clientConfig() {
        return cluster.clientConfig().requestTimeoutNs(TimeUnit.SECONDS.toNanos(5)).build();
    }

    private void startCluster() {
        cluster = new ServerCluster(root, 3);
        for (int id = 1; id <= 3; id++) {
            start(id);
        }
        cluster.awaitLeader();
    }

    /** Server {@code id} over {@code root/node-<id>}, running the store, snapshotting every 25 entries. */
    private void start(int id) {
        stateMachines[id] = new KvStateMachine();
        cluster.start(id, (nodeId, b) -> b
            .snapshotEvery(25)
            .stateMachine(stateMachines[id])
            .requestHandler(new KvRequestHandler(stateMachines[id])));
    }
}
