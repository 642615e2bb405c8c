package io.pontoon.sim;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The simulation catches storage bugs end to end (issue 9). Each test runs seeds with a mutant and with the
 * checker's two direct storage checks ("persist before act", "durable before commit") switched off, so only
 * the end-to-end invariants remain: election safety, log matching, leader completeness, state machine safety,
 * proposal honesty. Crashes aimed at the moments that matter (just after a vote, an ack or a durable index,
 * and inside a term or vote save) must turn the mutant into a visible violation. The same seeds without the
 * mutant pass, so the violation is the mutant's doing.
 */
class StorageMutantsTest {
    /** Seeds tried per mutant before the test gives up; each one takes about 2 ms. */
    private static final int MAX_SEEDS = 4000;

    @Test
    void anEngineThatNeverPersistsItsVoteIsCaughtWithoutTheDirectCheck() {
        final SimulationFailure f = firstFailure(new RandomizedRun.Faults(3, true, false, false));
        assertEquals("election safety", f.invariant(), f.summary());
        passesWithoutTheMutant(f, new RandomizedRun.Faults(3, false, false, false));
    }

    @Test
    void aJournalThatPublishesDurabilityWithoutSyncingIsCaughtWithoutTheDirectCheck() {
        final SimulationFailure f = firstFailure(new RandomizedRun.Faults(3, false, true, false));
        assertNotEquals("durable before commit", f.invariant(), f.summary());
        assertNotEquals("engine exception", f.invariant(), f.summary());
        passesWithoutTheMutant(f, new RandomizedRun.Faults(3, false, false, false));
    }

    @Test
    void theDirectChecksCatchBothMutantsAtTheirFirstOccurrence() {
        assertEquals("persist before act", firstFailure(new RandomizedRun.Faults(1, true, false, true)).invariant());
        assertEquals("durable before commit",
            firstFailure(new RandomizedRun.Faults(1, false, true, true)).invariant());
    }

    /**
     * The double vote, built by hand: A and B will both run for term 1; V votes for A and crashes just after;
     * restarted, V is asked by B in the same term. A correct engine remembers its vote and refuses; the mutant
     * forgot it, grants, and B becomes a second leader of term 1.
     */
    @Test
    void aVoteCastJustBeforeACrashIsRememberedAfterTheRestart() {
        assertEquals(0, doubleVoteScenario(false), "a correct engine: B never leads term 1");
        final SimulationFailure f = org.junit.jupiter.api.Assertions.assertThrows(SimulationFailure.class,
            () -> doubleVoteScenario(true));
        assertEquals("election safety", f.invariant(), f.summary());
    }

    /** Returns the number of leaders of term 1 other than A (1 with the mutant, which the checker stops at). */
    private static int doubleVoteScenario(boolean mutant) {
        final long ms = 1_000_000L;
        final Simulation sim = Simulation.builder().seed(7).nodes(3)
            .config(io.pontoon.RaftConfig.builder().electionTimeoutNs(100 * ms).heartbeatIntervalNs(20 * ms)
                .preVote(false).checkQuorum(false).build())
            .replayCommand("mvn -pl testkit -am test -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dtest=StorageMutantsTest#aVoteCastJustBeforeACrashIsRememberedAfterTheRestart")
            .build();
        if (mutant) {
            sim.mutantSkipVotePersistence();
        }
        sim.directStorageChecks(false);
        final int a = 1;
        final int b = 2;
        final int v = 3;
        sim.network().cut(a, b).cut(b, a);
        sim.start();
        sim.pauseTicks(b).pauseTicks(v);
        sim.expect(sim.runUntil(() -> sim.node(v).engine().votedFor() == a, 1_000 * ms), "V votes for A in term 1");
        sim.network().cut(a, v); // V's log stays as short as B's
        sim.expect(sim.node(v).engine().term() == 1, "the vote is in term 1");
        sim.resumeTicks(v); // the new incarnation's clock freezes at its own start
        sim.crash(v);
        sim.restart(v);
        sim.pauseTicks(v);
        sim.expect(sim.runUntil(() -> sim.leaderOfTerm(1) == a, 1_000 * ms), "A leads term 1");
        sim.resumeTicks(b);
        sim.runUntil(() -> sim.node(b).engine().term() > 1 || sim.leaderOfTerm(1) != a, 2_000 * ms);
        sim.expect(sim.node(b).engine().term() >= 1, "B ran for term 1");
        return sim.leaderOfTerm(1) == a ? 0 : 1;
    }

    private static SimulationFailure firstFailure(RandomizedRun.Faults faults) {
        final Map<String, Integer> seen = new TreeMap<>();
        for (long seed = 1; seed <= MAX_SEEDS; seed++) {
            try {
                RandomizedRun.run(seed, SimulationRunner.nodesFor(seed, 0), faults);
            } catch (SimulationFailure f) {
                return f;
            }
        }
        assertNotNull(null, "no seed of " + MAX_SEEDS + " caught the mutant " + faults + " " + seen);
        return null;
    }

    private static void passesWithoutTheMutant(SimulationFailure f, RandomizedRun.Faults honest) {
        RandomizedRun.run(f.seed(), f.nodes(), honest);
    }
}
