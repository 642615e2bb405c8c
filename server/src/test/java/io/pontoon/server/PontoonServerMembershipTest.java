package io.pontoon.server;

import io.pontoon.HashingStateMachine;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.spi.Membership;
import io.pontoon.storage.Durability;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes through the client protocol against {@link PontoonServer}s in one JVM (Netty on loopback,
 * Chronicle journals): node 4 is started as a learner of the running cluster, added with
 * {@link PontoonClient#addLearner}, promoted once it caught up, and node 3 removed; the configuration lists them, every
 * entry reaches node 4, and the cluster keeps committing without node 3.
 */
class PontoonServerMembershipTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private final PontoonServer[] servers = new PontoonServer[5];
    private final HashingStateMachine[] stateMachines = new HashingStateMachine[5];
    private final Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
    private int[] ports;

    @AfterEach
    void closeAll() {
        for (PontoonServer s : servers) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void theBootstrapConfigurationCarriesEveryPeersAddress() throws Exception {
        ports = freePorts(4);
        start(1, new int[0], 1, 2, 3);
        final Membership m = servers[1].node().membership();
        assertArrayEquals(new int[] {1, 2, 3}, m.voters());
        for (int id = 1; id <= 3; id++) {
            assertEquals(address(id), m.address(id));
        }
        start(2, new int[] {3}, 1, 2, 3);
        assertArrayEquals(new int[] {1, 2}, servers[2].node().membership().voters());
        assertArrayEquals(new int[] {3}, servers[2].node().membership().learners());
        assertEquals(address(3), servers[2].node().membership().address(3));
    }

    @Test
    void aLearnerIsAddedPromotedAndAVoterRemovedWhileTheClusterKeepsCommitting() throws Exception {
        ports = freePorts(4);
        for (int id = 1; id <= 3; id++) {
            start(id, new int[0], 1, 2, 3);
        }
        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder()
            .addresses(address(1) + "," + address(2) + "," + address(3)).build())) {
            appendAll(client, 0, 50);
            // Node 4 starts knowing the cluster and itself as a learner; the leader then adds it.
            start(4, new int[] {4}, 1, 2, 3, 4);
            final Membership added = client.addLearner(4, address(4)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(new int[] {1, 2, 3}, added.voters());
            assertArrayEquals(new int[] {4}, added.learners());
            assertEquals(address(4), added.address(4));
            awaitCaughtUp(client, 4);

            final Membership promoted = client.promote(4).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(new int[] {1, 2, 3, 4}, promoted.voters());
            assertArrayEquals(new int[0], promoted.learners());

            final Membership removed = client.removeMember(3).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(new int[] {1, 2, 4}, removed.voters());
            assertNull(removed.address(3));
            servers[3].close();
            servers[3] = null;

            final Membership listed = client.members().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(listed.sameMembers(removed), "members lists " + listed.describe());
            assertEquals(address(4), listed.address(4));
            final long last = appendAll(client, 50, 50);
            for (int id : new int[] {1, 2, 4}) {
                final HashingStateMachine sm = stateMachines[id];
                await(() -> sm.index() >= last, "node " + id + " applies up to " + last);
                assertEquals(100, sm.count(), "node " + id + " applied every entry once");
                assertEquals(stateMachines[1].hash(), sm.hash(), "node " + id + " holds node 1's state");
            }
            for (int id = 1; id <= 4; id++) {
                assertNull(failures.get(id), "node " + id + " failed");
            }
        }
    }

    /**
     * A leader removes itself: it manages the cluster until the change commits (thesis §4.2.2), so the followers keep
     * their link to it until then (the transport follows the members of the configuration in effect and of the
     * committed one). It failed with TIMEOUT when the followers dropped the link as soon as the entry was in their logs.
     */
    @Test
    void aLeaderThatRemovesItselfCommitsTheChangeAndHandsOver() throws Exception {
        ports = freePorts(4);
        for (int id = 1; id <= 3; id++) {
            start(id, new int[0], 1, 2, 3);
        }
        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder()
            .addresses(address(1) + "," + address(2) + "," + address(3)).build())) {
            appendAll(client, 0, 10);
            final int leader = leaderId(client);
            final Membership removed = client.removeMember(leader).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(2, removed.voters().length, removed.describe());
            servers[leader].close();
            servers[leader] = null;
            appendAll(client, 10, 10);
        }
    }

    private int leaderId(PontoonClient client) {
        final int[] found = {0};
        await(() -> {
            for (int id = 1; id <= 3; id++) {
                try {
                    final RaftStatus s = client.status(address(id)).get(5, TimeUnit.SECONDS);
                    if (s.role() == Role.LEADER) {
                        found[0] = s.nodeId();
                        return true;
                    }
                } catch (Exception unreachable) {
                    // another may lead
                }
            }
            return false;
        }, "a leader");
        return found[0];
    }

    /** Waits until the leader sees node {@code id} within 10 entries of its log. */
    private static void awaitCaughtUp(PontoonClient client, int id) {
        await(() -> {
            final Membership m = client.members().join();
            for (int voter : m.voters()) {
                final RaftStatus s;
                try {
                    s = client.status(m.address(voter)).get(5, TimeUnit.SECONDS);
                } catch (Exception unreachable) {
                    continue;
                }
                if (s.role() == Role.LEADER) {
                    return s.followers().stream().anyMatch(f -> f.nodeId() == id && f.lag(s.lastLogIndex()) <= 10);
                }
            }
            return false;
        }, "node " + id + " catches up");
    }

    /** Appends {@code count} entries through the client; returns the last LSN. */
    private static long appendAll(PontoonClient client, int first, int count) throws Exception {
        long last = 0;
        for (int n = first; n < first + count; n++) {
            last = client.append(("entry-" + n).getBytes(StandardCharsets.UTF_8))
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return last;
    }

    private String address(int id) {
        return "127.0.0.1:" + ports[id - 1];
    }

    /** Server {@code id} over {@code root/node-<id>}, with the given learners and peers. */
    private void start(int id, int[] learners, int... peers) {
        stateMachines[id] = new HashingStateMachine();
        final PontoonServer.Builder b = PontoonServer.builder()
            .nodeId(id)
            .dataDir(root.resolve("node-" + id))
            .listen(address(id))
            .durability(Durability.PAGE_CACHE)
            .electionTimeout(Duration.ofMillis(300))
            .heartbeatInterval(Duration.ofMillis(50))
            .learners(learners)
            .stateMachine(stateMachines[id])
            .errorHandler(cause -> failures.put(id, cause));
        for (int p : peers) {
            b.peer(p, address(p));
        }
        servers[id] = b.start();
    }

    private static void await(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }

    private static int[] freePorts(int n) throws IOException {
        final int[] found = new int[n];
        final ServerSocket[] sockets = new ServerSocket[n];
        for (int i = 0; i < n; i++) {
            sockets[i] = new ServerSocket(0);
            found[i] = sockets[i].getLocalPort();
        }
        for (ServerSocket s : sockets) {
            s.close();
        }
        return found;
    }
}
