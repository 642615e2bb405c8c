package io.pontoon.sim;

import io.pontoon.RaftConfig;
import io.pontoon.protocol.MessageType;
import io.pontoon.spi.SnapshotMeta;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * InstallSnapshot when the install is slow: the leader takes newer snapshots (and compacts) while a follower is
 * still receiving an older one. The follower must catch up with that one install and AppendEntries after it, not
 * need a newer snapshot each time it finishes one (the install loop of SOFAJRaft #80 and hashicorp/raft #212).
 */
class SnapshotInstallScenariosTest {
    private static final long MS = 1_000_000L;

    @Test
    void aFollowerStillInstallingAnOlderSnapshotCatchesUpWithThatOneInstall() {
        final Simulation sim = Simulation.builder().seed(11).nodes(3)
            .config(RaftConfig.builder().electionTimeoutNs(100 * MS).heartbeatIntervalNs(20 * MS)
                .snapshotChunkTimeoutNs(200 * MS).build())
            .build().start();
        final int leader = sim.awaitLeader(2_000 * MS);
        final int lagging = leader % 3 + 1;

        // The lagging follower misses entries that two snapshots then compact away.
        sim.network().isolate(lagging);
        commit(sim, leader, 40);
        assertNotNull(sim.takeSnapshot(leader));
        commit(sim, leader, 40);
        final SnapshotMeta sent = sim.takeSnapshot(leader);
        assertNotNull(sent);
        assertTrue(sim.node(leader).log().firstIndex() > 1, "the leader compacted its log");

        // It comes back, and its install stalls: every chunk it receives is lost for a while.
        final boolean[] stall = {true};
        final MessageFilter lostChunks = (from, to, type, body, offset, length) ->
            stall[0] && to == lagging && type == MessageType.INSTALL_SNAPSHOT;
        sim.network().addFilter(lostChunks);
        sim.network().reconnect(lagging);
        sim.runFor(200 * MS);
        assertEquals(0, sim.node(lagging).snapshotsInstalled);

        // Meanwhile the leader takes two newer snapshots, each compacting its log.
        commit(sim, leader, 40);
        assertNotNull(sim.takeSnapshot(leader));
        commit(sim, leader, 40);
        assertNotNull(sim.takeSnapshot(leader));
        assertTrue(sim.node(leader).log().firstIndex() <= sent.index() + 1,
            "the leader kept the entries after the snapshot it is sending: first index "
                + sim.node(leader).log().firstIndex() + ", snapshot at " + sent.index());

        // The install goes through; the follower continues with AppendEntries from there.
        stall[0] = false;
        final long target = sim.engine(leader).commitIndex();
        assertTrue(sim.runUntil(() -> sim.engine(lagging) != null && sim.engine(lagging).lastApplied() >= target,
            5_000 * MS), () -> "the lagging follower catches up: " + sim.describeCluster() + "\n"
            + sim.recentEvents());
        assertEquals(1, sim.node(lagging).snapshotsInstalled, "installs");
        sim.network().removeFilter(lostChunks);
    }

    private static void commit(Simulation sim, int leader, int entries) {
        Proposal last = null;
        for (int i = 0; i < entries; i++) {
            last = sim.propose(leader);
        }
        final Proposal p = last;
        assertTrue(sim.runUntil(p::committed, 2_000 * MS), "committed");
    }
}
