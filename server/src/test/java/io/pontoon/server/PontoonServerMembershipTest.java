package io.pontoon.server;

import io.pontoon.HashingStateMachine;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.server.testing.ServerCluster;
import io.pontoon.spi.Membership;
import io.pontoon.transport.client.PontoonClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
    private static final Duration TIMEOUT = ServerCluster.TIMEOUT;

    @TempDir
    Path root;

    private ServerCluster cluster;
    private final HashingStateMachine[] stateMachines = new HashingStateMachine[5];

    @AfterEach
    void closeAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theBootstrapConfigurationCarriesEveryPeersAddress() throws Exception {
        cluster = new ServerCluster(root, 4);
        start(1, new int[0], 1, 2, 3);
        final Membership m = cluster.server(1).node().membership();
        assertArrayEquals(new int[] {1, 2, 3}, m.voters());
        for (int id = 1; id <= 3; id++) {
            assertEquals(address(id), m.address(id));
        }
        start(2, new int[] {3}, 1, 2, 3);
        assertArrayEquals(new int[] {1, 2}, cluster.server(2).node().membership().voters());
        assertArrayEquals(new int[] {3}, cluster.server(2).node().membership().learners());
        assertEquals(address(3), cluster.server(2).node().membership().address(3));
    }

    @Test
    void aLearnerIsAddedPromotedAndAVoterRemovedWhileTheClusterKeepsCommitting() throws Exception {
        cluster = new ServerCluster(root, 4);
        for (int id = 1; id <= 3; id++) {
            start(id, new int[0], 1, 2, 3);
        }
        try (PontoonClient client = new PontoonClient(cluster.clientConfig(1, 2, 3).build())) {
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
            cluster.stop(3);

            final Membership listed = client.members().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(listed.sameMembers(removed), "members lists " + listed.describe());
            assertEquals(address(4), listed.address(4));
            final long last = appendAll(client, 50, 50);
            for (int id : new int[] {1, 2, 4}) {
                final HashingStateMachine sm = stateMachines[id];
                ServerCluster.await(() -> sm.index() >= last, "node " + id + " applies up to " + last);
                assertEquals(100, sm.count(), "node " + id + " applied every entry once");
                assertEquals(stateMachines[1].hash(), sm.hash(), "node " + id + " holds node 1's state");
            }
            for (int id = 1; id <= 4; id++) {
                assertNull(cluster.failure(id), "node " + id + " failed");
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
        cluster = new ServerCluster(root, 4);
        for (int id = 1; id <= 3; id++) {
            start(id, new int[0], 1, 2, 3);
        }
        try (PontoonClient client = new PontoonClient(cluster.clientConfig(1, 2, 3).build())) {
            appendAll(client, 0, 10);
            final int leader = cluster.awaitLeader(client, 1, 2, 3);
            final Membership removed = client.removeMember(leader).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(2, removed.voters().length, removed.describe());
            cluster.stop(leader);
            appendAll(client, 10, 10);
        }
    }

    /** Waits until the leader sees node {@code id} within 10 entries of its log. */
    private static void awaitCaughtUp(PontoonClient client, int id) {
        ServerCluster.await(() -> {
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
        return cluster.address(id);
    }

    /** Server {@code id} over {@code root/node-<id>}, with the given learners and peers. */
    private void start(int id, int[] learners, int... peers) {
        stateMachines[id] = new HashingStateMachine();
        cluster.start(id, peers, (nodeId, b) -> b.learners(learners).stateMachine(stateMachines[id]));
    }
}
