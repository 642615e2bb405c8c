package io.pontoon.cli;

import io.pontoon.sim.SimulationFailure;
import io.pontoon.sim.SimulationRunner;

import java.io.PrintStream;
import java.util.List;

/** {@link SimCommand.Simulator} over the testkit module's {@link SimulationRunner}. */
enum TestkitSimulator implements SimCommand.Simulator {
    INSTANCE;

    @Override
    public SimCommand.Report run(long seeds, long firstSeed, int nodes, boolean trace, PrintStream out) {
        if (trace) {
            return replay(firstSeed, nodes, out);
        }
        final SimulationRunner.Result r = SimulationRunner.run(seeds, firstSeed, nodes, out);
        return new SimCommand.Report(r.seeds(), r.violations(), r.failingSeeds());
    }

    /** One seed with every event printed; the same RESULT line at the end. */
    private static SimCommand.Report replay(long seed, int nodes, PrintStream out) {
        try {
            SimulationRunner.replay(seed, nodes, out);
            out.println("RESULT seeds=1 violations=0");
            return new SimCommand.Report(1, 0, List.of());
        } catch (SimulationFailure f) {
            out.println(f.getMessage());
            out.println("RESULT seeds=1 violations=1");
            return new SimCommand.Report(1, 1, List.of(seed));
        }
    }
}
