package io.pontoon;

import io.pontoon.runtime.PontoonEvents;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RaftNode#report()}, report listeners and the JFR events (issue 13). */
class NodeReportTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final RaftConfig CONFIG = RaftConfig.builder()
        .electionTimeout(Duration.ofMillis(150)).heartbeatInterval(Duration.ofMillis(30)).build();

    /** Waits until the node's published report satisfies {@code ok} (reports trail a duty cycle). */
    private static NodeReport awaitReport(Supplier<NodeReport> report, Predicate<NodeReport> ok, String what) {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        NodeReport r = report.get();
        while (!ok.test(r)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never " + what + "; last report " + r);
            }
            LockSupport.parkNanos(1_000_000);
            r = report.get();
        }
        return r;
    }

    @Test
    void leaderReportCountsCommitsAndProposalsAndTracksAFollowersLagWhileItIsCutOff() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
            final int leader = cluster.awaitLeader(WAIT);
            final RaftNode node = cluster.node(leader);
            for (int i = 0; i < 20; i++) {
                node.propose(("entry-" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            final NodeReport r = awaitReport(node::report,
                x -> x.proposals().get(ResultCode.OK) >= 20 && x.commits() >= 20, "counted 20 proposals");
            assertEquals(Role.LEADER, r.role());
            assertEquals(node.nodeId(), r.leaderId());
            assertTrue(r.term() >= 1);
            assertEquals(2, r.followers().size());
            assertTrue(r.commitIndex() >= 21, "the no-op and 20 entries: " + r);
            assertEquals(Role.FOLLOWER, cluster.node((leader + 1) % 3).report().role());

            final int cut = (leader + 1) % 3;
            final int cutId = cluster.node(cut).nodeId();
            cluster.disconnect(cut);
            for (int i = 0; i < 30; i++) {
                node.propose(("more-" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            final NodeReport lagging = awaitReport(node::report, x -> follower(x, cutId).lagEntries() >= 30,
                "showed the cut-off follower 30 entries behind");
            assertTrue(follower(lagging, cutId).lagBytes() >= 30L * "more-0".length(), lagging.toString());
            cluster.reconnect(cut);
            node.propose("after".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            awaitReport(node::report, x -> follower(x, cutId).lagEntries() == 0, "showed the follower caught up");
        }
    }

    private static NodeReport.Follower follower(NodeReport r, int id) {
        return r.followers().stream().filter(f -> f.nodeId() == id).findFirst()
            .orElseThrow(() -> new AssertionError("no follower " + id + " in " + r));
    }

    @Test
    void reportListenersHearEachRoleChangeOfATransferWithItsReason() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
            final int leader = cluster.awaitLeader(WAIT);
            final int target = (leader + 1) % 3;
            final LinkedBlockingQueue<NodeReport> heard = new LinkedBlockingQueue<>();
            cluster.node(leader).addReportListener(heard::add);
            cluster.node(target).addReportListener(heard::add);
            cluster.node(leader).transferLeadership(cluster.node(target).nodeId()).get(10, TimeUnit.SECONDS);
            boolean sawNewLeader = false;
            boolean sawOldLeaderFollow = false;
            while (!(sawNewLeader && sawOldLeaderFollow)) {
                final NodeReport r = heard.poll(10, TimeUnit.SECONDS);
                assertNotNull(r, "a role change was not reported");
                if (r.nodeId() == cluster.node(target).nodeId() && r.role() == Role.LEADER) {
                    assertEquals(ChangeReason.TRANSFER, r.lastLeaderChangeReason(), r.toString());
                    assertTrue(r.electionsStarted() >= 1);
                    sawNewLeader = true;
                }
                if (r.nodeId() == cluster.node(leader).nodeId() && r.role() == Role.FOLLOWER) {
                    sawOldLeaderFollow = true;
                }
            }
        }
    }

    @Test
    void anElectionIsRecordedAsJfrEventsWithItsReason(@TempDir Path dir) throws Exception {
        final List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            recording.enable(PontoonEvents.Election.class);
            recording.enable(PontoonEvents.LeaderChange.class);
            recording.start();
            try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
                cluster.awaitLeader(WAIT);
            }
            recording.stop();
            final Path file = dir.resolve("election.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("pontoon.Election")
            && e.getString("reason").equals("timeout")), "an election started by a timeout: " + events);
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("pontoon.LeaderChange")
            && e.getString("role").equals("LEADER") && e.getInt("leader") == e.getInt("nodeId")),
            "a node became leader: " + events);
    }
}
