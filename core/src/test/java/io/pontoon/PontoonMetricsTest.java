package io.pontoon;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pontoon.metrics.PontoonMetrics;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PontoonMetrics}: the meters read what the node publishes (issue 13). */
class PontoonMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final RaftConfig CONFIG = RaftConfig.builder()
        .electionTimeout(Duration.ofMillis(150)).heartbeatInterval(Duration.ofMillis(30)).build();

    private static void await(DoubleSupplier value, double atLeast, String what) {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (value.getAsDouble() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " stayed at " + value.getAsDouble() + ", below " + atLeast);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void metersShowCommitsProposalsTermAndAFollowersLagThatGrowsAndShrinks() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
            final int leader = cluster.awaitLeader(WAIT);
            final RaftNode node = cluster.node(leader);
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            PontoonMetrics.bindTo(node, registry);
            final String id = Integer.toString(node.nodeId());
            for (int i = 0; i < 10; i++) {
                node.propose(("e" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            await(() -> registry.get("pontoon.commits").tag("node", id).functionCounter().count(), 10, "commits");
            await(() -> registry.get("pontoon.proposals").tag("outcome", "OK").functionCounter().count(), 10,
                "OK proposals");
            assertTrue(registry.get("pontoon.term").tag("node", id).gauge().value() >= 1);
            assertEquals(3, registry.get("pontoon.role").gauge().value(), "LEADER");

            final int cut = (leader + 1) % 3;
            final String cutId = Integer.toString(cluster.node(cut).nodeId());
            cluster.disconnect(cut);
            for (int i = 0; i < 25; i++) {
                node.propose(("m" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            final DoubleSupplier lag = () -> registry.get("pontoon.follower.lag.entries").tag("follower", cutId)
                .gauge().value();
            await(lag, 25, "the cut-off follower's lag");
            assertTrue(registry.get("pontoon.follower.lag.bytes").tag("follower", cutId).gauge().value() > 0);
            cluster.reconnect(cut);
            node.propose("x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            await(() -> -lag.getAsDouble(), 0, "the reconnected follower's lag back to 0");
        }
    }

    @Test
    void aMemberAddedAfterBindingGetsFollowerMetersAtTheNextScrape() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
            final RaftNode node = cluster.node(cluster.awaitLeader(WAIT));
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            PontoonMetrics.bindTo(node, registry);
            node.propose("first".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            // No role change: no report listener hears of the new member. Node 9 does not exist, so it never catches up.
            node.addLearner(9, null).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                node.propose(("n" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            assertNull(registry.find("pontoon.follower.lag.entries").tag("follower", "9").gauge(),
                "not registered before a scrape");
            // A scrape reads every meter; reading pontoon.followers registers the new follower's meters.
            final DoubleSupplier followers = () -> registry.get("pontoon.followers").gauge().value();
            await(followers, 3, "followers of the leader");
            final DoubleSupplier lag = () -> registry.get("pontoon.follower.lag.entries").tag("follower", "9")
                .gauge().value();
            await(lag, 6, "the new learner's lag");
            assertTrue(registry.get("pontoon.follower.lag.bytes").tag("follower", "9").gauge().value() > 0);
            assertNotNull(registry.find("pontoon.follower.inflight").tag("follower", "9").gauge());
            assertNotNull(registry.find("pontoon.follower.match.index").tag("follower", "9").gauge());
        }
    }
}
