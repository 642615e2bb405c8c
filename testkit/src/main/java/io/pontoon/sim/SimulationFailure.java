package io.pontoon.sim;

/**
 * A broken invariant (or an engine exception) found by the simulator. The message is the whole report:
 * seed, invariant, details, the cluster state, the last events and the commands that replay the run.
 * An {@link AssertionError}, so JUnit reports it as a test failure.
 */
public final class SimulationFailure extends AssertionError {
    private final long seed;
    private final int nodes;
    private final String invariant;
    private final String details;
    private final String replay;

    SimulationFailure(long seed, int nodes, String invariant, String details, String report, String replay,
                      Throwable cause) {
        super(report, cause);
        this.seed = seed;
        this.nodes = nodes;
        this.invariant = invariant;
        this.details = details;
        this.replay = replay;
    }

    public long seed() {
        return seed;
    }

    public int nodes() {
        return nodes;
    }

    /** Name of the violated invariant, e.g. "election safety", or "engine exception". */
    public String invariant() {
        return invariant;
    }

    public String details() {
        return details;
    }

    /** Commands that replay this run, one per line. */
    public String replay() {
        return replay;
    }

    /** One-line summary: seed, nodes, invariant, details. */
    public String summary() {
        return "seed=" + seed + " nodes=" + nodes + " invariant=\"" + invariant + "\": " + details;
    }
}
