package io.pontoon.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The randomized simulation as a test: {@code -Dsim.seeds=N} seeds (default 2000, set by the parent pom)
 * alternating 3- and 5-node clusters, from {@code -Dsim.firstSeed} (default 1); {@code -Dsim.nodes=K}
 * fixes the cluster size.
 *
 * <p>Replay one seed: {@code mvn -pl testkit -am test -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=SimulationTest -Dsim.seed=S [-Dsim.nodes=K] [-Dsim.trace=true]} (the trace prints every event;
 * {@code -am} builds core from source, and the flag lets core run none of its tests).
 */
class SimulationTest {
    @Test
    void everySeedKeepsTheSafetyInvariantsAndRecoversAfterFaultsHeal() {
        final int nodes = Integer.getInteger("sim.nodes", 0);
        final Long single = Long.getLong("sim.seed");
        if (single != null) {
            if (Boolean.getBoolean("sim.trace")) {
                SimulationRunner.replay(single, nodes, System.out);
            } else {
                SimulationRunner.runSeed(single, nodes);
            }
            return;
        }
        final long seeds = Integer.getInteger("sim.seeds", 2000);
        final long firstSeed = Long.getLong("sim.firstSeed", 1L);
        final SimulationRunner.Result result = SimulationRunner.run(seeds, firstSeed, nodes, System.out);
        assertEquals(0, result.violations(), "failing seeds " + result.failingSeeds() + " (reports above); "
            + result.resultLine());
    }
}
