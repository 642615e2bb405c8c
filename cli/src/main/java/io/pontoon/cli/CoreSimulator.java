package io.pontoon.cli;

import java.io.PrintStream;

/** {@link SimCommand.Simulator} over the core test-jar's simulation runner. */
enum CoreSimulator implements SimCommand.Simulator {
    INSTANCE;

    @Override
    public SimCommand.Report run(long seeds, long firstSeed, int nodes, PrintStream out) {
        throw new UnsupportedOperationException("the simulation runner is not in the core test-jar yet");
    }
}
