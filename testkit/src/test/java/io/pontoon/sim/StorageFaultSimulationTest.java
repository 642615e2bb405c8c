package io.pontoon.sim;

import io.pontoon.ResultCode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fail-stop in the deterministic simulation (issue 9): a node whose log store reports a failed sync, or whose
 * MetaStore cannot save, stops for good (its unsynced writes lost, like a crash) and stays down until repaired.
 * Every step is checked by the SafetyChecker (election safety, log matching, leader completeness, durability,
 * proposal honesty); on top, the cluster keeps committing without the failed node, and after the repair every
 * node applies every acknowledged proposal.
 */
class StorageFaultSimulationTest {
    private static final long MS = 1_000_000L;

    @Test
    void nodesThatFailStopOnStorageFaultsLoseNothingAcknowledged() {
        for (long seed = 1; seed <= 40; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        final Simulation sim = Simulation.builder().seed(seed).nodes(3).build().start();
        final List<Proposal> proposals = new ArrayList<>();
        final int leader = sim.awaitLeader(10_000 * MS);
        proposeSome(sim, leader, proposals, 10);

        // A follower's sync fails: it stops; the other two go on committing.
        final int follower = leader % 3 + 1;
        sim.failStorage(follower, false);
        sim.runUntil(() -> sim.node(follower).isFailed(), 5_000 * MS);
        sim.expect(sim.node(follower).isFailed(), "n" + follower + " fail-stops on its failed sync");
        final int stillLeader = sim.awaitLeader(10_000 * MS);
        proposeSome(sim, stillLeader, proposals, 10);

        sim.repairAndRestart(follower);
        sim.runFor(1_000 * MS);

        // The third node cannot persist a term change: with the leader cut off, it fail-stops at the election
        // (as candidate, or as the voter the repaired follower asks).
        final int third = 6 - leader - follower;
        if (third != stillLeader) {
            sim.failStorage(third, true);
            sim.network().isolate(stillLeader);
            sim.runUntil(() -> sim.node(third).isFailed(), 10_000 * MS);
            sim.expect(sim.node(third).isFailed(), "n" + third + " fail-stops when it cannot save a new term");
            sim.network().heal();
            sim.repairAndRestart(third);
        }
        final int finalLeader = sim.awaitLeader(20_000 * MS);
        proposeSome(sim, finalLeader, proposals, 10);

        // Every proposal acknowledged OK is applied on every node, the repaired ones included.
        sim.runUntil(() -> {
            for (SimNode n : sim.nodes()) {
                for (Proposal p : proposals) {
                    if (p.outcome == ResultCode.OK && (!n.isUp() || n.lastAppliedLsn() < p.outcomeIndex)) {
                        return false;
                    }
                }
            }
            return true;
        }, 20_000 * MS);
        long acked = 0;
        for (Proposal p : proposals) {
            if (p.outcome == ResultCode.OK) {
                acked++;
                for (SimNode n : sim.nodes()) {
                    sim.expect(n.isUp() && n.lastAppliedLsn() >= p.outcomeIndex,
                        "n" + n.id() + " applied acknowledged #" + p.id + " at " + p.outcomeIndex);
                }
            }
        }
        assertTrue(acked >= 10, "seed " + seed + ": proposals were acknowledged (" + acked + ")");
    }

    private static void proposeSome(Simulation sim, int leader, List<Proposal> proposals, int count) {
        for (int i = 0; i < count; i++) {
            if (sim.node(leader).isUp()) {
                proposals.add(sim.propose(leader));
            }
            sim.runFor(20 * MS);
        }
        sim.runFor(500 * MS);
    }
}
