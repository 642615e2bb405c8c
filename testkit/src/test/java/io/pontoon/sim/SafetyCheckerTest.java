package io.pontoon.sim;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker itself: each invariant fires when its property is broken. The engine is correct, so the
 * breakage is done by hand on the simulated disks, as a faulty engine or store would.
 */
class SafetyCheckerTest {
    private static final long MS = 1_000_000L;

    private static Simulation runningCluster() {
        final Simulation sim = Simulation.builder().nodes(3)
            .config(RaftConfig.builder().electionTimeoutNs(100 * MS).heartbeatIntervalNs(20 * MS).build())
            .build().start();
        sim.awaitLeader(2_000 * MS);
        return sim;
    }

    private static UnsafeBuffer payload(long id) {
        return new UnsafeBuffer(Payloads.preloaded(id, 77));
    }

    @Test
    void twoDifferentEntriesWithTheSameIndexAndTermBreakLogMatching() {
        final Simulation sim = Simulation.builder().nodes(3).build();
        sim.node(1).log().appendPreloaded(1);
        final SafetyChecker.Violation v = assertThrows(SafetyChecker.Violation.class,
            () -> sim.node(2).log().append(1, 1, payload(9), 0, 12));
        assertEquals("log matching", v.invariant);
    }

    @Test
    void truncatingACommittedEntryIsReported() {
        final Simulation sim = runningCluster();
        final int leader = sim.leader();
        final Proposal p = sim.propose(leader);
        sim.runUntil(p::committed, 500 * MS);
        final int follower = leader % 3 + 1;
        sim.runUntil(() -> sim.node(follower).log().lastIndex() >= p.index(), 500 * MS);
        final SafetyChecker.Violation v = assertThrows(SafetyChecker.Violation.class,
            () -> sim.node(follower).log().truncateFrom(p.index()));
        assertEquals("committed entry truncated", v.invariant);
    }

    @Test
    void aCommittedEntryLostFromTheNextLeadersLogBreaksLeaderCompleteness() {
        final Simulation sim = runningCluster();
        final int leader = sim.leader();
        final Proposal p = sim.propose(leader);
        sim.runUntil(() -> p.outcome() == ResultCode.OK, 500 * MS);
        sim.runFor(100 * MS);
        // A disk that silently loses acknowledged entries on every node but the leader.
        for (SimNode n : sim.nodes()) {
            if (n.id != leader) {
                sim.crash(n.id);
                n.log.crashLosingEverythingFrom(p.index());
            }
        }
        sim.crash(leader);
        for (SimNode n : sim.nodes()) {
            if (n.id != leader) {
                sim.restart(n.id);
            }
        }
        final SimulationFailure f = assertThrows(SimulationFailure.class, () -> sim.awaitLeader(2_000 * MS));
        assertEquals("leader completeness", f.invariant());
        assertTrue(f.getMessage().contains("replay:"), "the report says how to replay");
    }

    @Test
    void aFailureReportNamesTheSeedTheInvariantAndTheRecentEvents() {
        final Simulation sim = runningCluster();
        final SimulationFailure f = assertThrows(SimulationFailure.class,
            () -> sim.expect(false, "an expectation that does not hold"));
        assertEquals("scenario expectation", f.invariant());
        final String report = f.getMessage();
        assertTrue(report.contains("seed=1") && report.contains("last 50 events")
            && report.contains("./pontoon sim --seeds 1 --first-seed 1 --nodes 3"), report);
    }

    @Test
    void theSameSeedReplaysTheSameRun() {
        final SimStats first = SimulationRunner.runSeed(12345, 0);
        final SimStats again = SimulationRunner.runSeed(12345, 0);
        assertEquals(first, again);
    }
}
