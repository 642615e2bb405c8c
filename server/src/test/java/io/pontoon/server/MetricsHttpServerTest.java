package io.pontoon.server;

import io.pontoon.HashingStateMachine;
import io.pontoon.RaftNode;
import io.pontoon.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pontoon.server.MetricsEndpoints.get;
import static io.pontoon.server.MetricsEndpoints.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three {@link PontoonServer}s with {@link PontoonServer.Builder#metricsPort}: /metrics, /status and the page. */
class MetricsHttpServerTest {
    @TempDir
    Path root;

    private MetricsTestNodes cluster;

    @AfterEach
    void closeAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void scrapeAfterLoadShowsCommitTermAndLagAndACutOffFollowersLagGrowsThenShrinks() throws Exception {
        cluster = new MetricsTestNodes(root, 3).startAll();
        final int leader = cluster.awaitLeader();
        final PontoonServer leaderServer = cluster.server(leader);
        final int follower = leader % 3 + 1;
        proposeAll(leaderServer.node(), 200);

        // PontoonMetrics' meters, read from counters the Raft thread publishes once per duty cycle: await the cycle.
        Await.until(() -> sample(scrapeOrEmpty(leaderServer), "pontoon_commits_total", "") >= 200,
            MetricsTestNodes.TIMEOUT, "the leader's commits are published");
        final String scrape = get(leaderServer, "/metrics");
        final String node = "node=\"" + leader + "\"";
        assertTrue(sample(scrape, "pontoon_commit_index", node) >= 200, scrape);
        assertTrue(sample(scrape, "pontoon_proposals_total", "outcome=\"OK\"") >= 200, scrape);
        assertTrue(sample(scrape, "pontoon_term", node) >= 1, scrape);
        assertEquals(leader, sample(scrape, "pontoon_leader", node), scrape);
        assertEquals(3.0, sample(scrape, "pontoon_role", node), "3: LEADER\n" + scrape);
        assertEquals(2.0, sample(scrape, "pontoon_followers", node), scrape);
        // A follower may still be catching up (a slow start): its lag is at most the leader's whole log.
        final double last = sample(scrape, "pontoon_log_last_index", node);
        assertTrue(last >= 200, scrape);
        for (int id = 1; id <= 3; id++) {
            if (id != leader) {
                final String f = "follower=\"" + id + "\"";
                final double lag = sample(scrape, "pontoon_follower_lag_entries", f);
                assertTrue(lag >= 0 && lag <= last, "lag of follower " + id + ": " + lag + "\n" + scrape);
                assertTrue(sample(scrape, "pontoon_follower_lag_bytes", f) >= 0, scrape);
                assertTrue(sample(scrape, "pontoon_follower_inflight", f) >= 0, scrape);
                assertTrue(sample(scrape, "pontoon_follower_match_index", f) >= 0, scrape);
            }
        }
        assertTrue(scrape.contains("# TYPE pontoon_commits_total counter"), scrape);

        // Cut the follower off (its process stops); the leader goes on committing with the third node.
        cluster.stop(follower);
        proposeAll(leaderServer.node(), 300);
        Await.until(() -> lagOf(scrapeOrEmpty(leaderServer), follower) >= 300, MetricsTestNodes.TIMEOUT,
            "the cut-off follower's lag grows to the 300 entries it missed");
        final String cutOff = get(leaderServer, "/metrics");
        // 300 entries of at least "entry-0".length() bytes: the estimate (lag x mean entry size) is at least that.
        assertTrue(sample(cutOff, "pontoon_follower_lag_bytes", "follower=\"" + follower + "\"") >= 300 * 7,
            "the cut-off follower's lag in bytes grows:\n" + cutOff);

        // /status agrees: the row's lag in bytes is its lag in entries times the same mean entry size.
        final Matcher row = Pattern.compile("\\{\"nodeId\":" + follower
            + ",\"matchIndex\":\\d+,\"nextIndex\":\\d+,\"lag\":(\\d+),\"lagBytes\":(\\d+),\"inflight\":(\\d+),")
            .matcher(get(leaderServer, "/status"));
        assertTrue(row.find(), "the cut-off follower's row in /status");
        final long lagEntries = Long.parseLong(row.group(1));
        assertTrue(lagEntries >= 300 && Long.parseLong(row.group(2)) >= 7 * lagEntries, row.group());

        // Back on its data directory, it catches up: its lag shrinks to nothing.
        cluster.start(follower);
        Await.until(() -> lagOf(scrapeOrEmpty(leaderServer), follower) == 0,
            MetricsTestNodes.TIMEOUT, "follower " + follower + "'s lag is back to 0 after it reconnects");
        for (int id = 1; id <= 3; id++) {
            assertNull(cluster.failure(id), "node " + id + " failed");
        }
    }

    @Test
    void statusIsJsonWithEachFollowersLagAndThePageIsServed() throws Exception {
        cluster = new MetricsTestNodes(root, 3).startAll();
        final int leader = cluster.awaitLeader();
        proposeAll(cluster.server(leader).node(), 50);
        final String status = get(cluster.server(leader), "/status");
        assertTrue(status.startsWith("{\"nodeId\":" + leader + ",\"role\":\"LEADER\""), status);
        assertTrue(status.contains("\"leaderId\":" + leader), status);
        for (int id = 1; id <= 3; id++) {
            if (id != leader) {
                assertTrue(status.contains("{\"nodeId\":" + id + ",\"matchIndex\":"), status);
            }
        }
        assertTrue(status.contains("\"lag\":"), status);
        assertTrue(status.matches(".*\"lagBytes\":\\d+,\"inflight\":\\d+,\"state\":.*"), status);
        final String followerStatus = get(cluster.server(leader % 3 + 1), "/status");
        assertTrue(followerStatus.contains("\"role\":\"FOLLOWER\"") && followerStatus.endsWith("\"followers\":[]}"),
            followerStatus);

        final String page = get(cluster.server(leader), "/");
        assertTrue(page.contains("<title>Pontoon node</title>") && page.contains("fetch(\"status\""), page);
        assertThrows(IOException.class, () -> get(cluster.server(leader), "/nothing-here"), "404");
    }

    @Test
    void metricsPortIsOffByDefaultAndChecked() {
        final PontoonServer.Builder b = PontoonServer.builder();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.metricsPort(70_000));
        assertEquals("metricsPort must be in [0, 65535] (0: off), got 70000", e.getMessage());
        final String address = "127.0.0.1:" + io.pontoon.testkit.FreePorts.take(1)[0];
        final PontoonServer server = PontoonServer.builder().nodeId(1).dataDir(root).listen(address).peer(1, address).stateMachine(new HashingStateMachine()).durability(
                io.pontoon.storage.Durability.PAGE_CACHE).start();
        try {
            assertNull(server.metricsAddress());
        } finally {
            server.close();
        }
    }

    private static double lagOf(String scrape, int follower) {
        return sample(scrape, "pontoon_follower_lag_entries", "follower=\"" + follower + "\"");
    }

    private static String scrapeOrEmpty(PontoonServer server) {
        try {
            return get(server, "/metrics");
        } catch (IOException e) {
            return "";
        }
    }

    private static void proposeAll(RaftNode node, int n) throws Exception {
        final List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(node.propose(("entry-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
            .get(MetricsTestNodes.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
