package io.pontoon.sim;

import io.pontoon.RaftConfig;

/** Settings of a simulation; defaults suit scenario tests (a quiet network, a fast disk). */
public final class SimulationBuilder {
    long seed = 1;
    int nodes = 3;
    RaftConfig config = RaftConfig.builder()
        .electionTimeoutNs(100_000_000L).heartbeatIntervalNs(20_000_000L).build();
    long tickIntervalNs = 1_000_000L;
    boolean alignedTicks;
    long netDelayMinNs = 500_000L;
    long netDelayJitterNs = 500_000L;
    long diskDelayMinNs = 100_000L;
    long diskDelayJitterNs = 400_000L;
    Simulation.RandomSourceFactory randomSources;
    int learners;
    int spares;
    String replayCommand;

    SimulationBuilder() {
    }

    /**
     * The last {@code count} nodes are not members at the start (after the learners, if any): spares that a membership
     * change may add ({@link Simulation#changeMembership}). Each starts as a learner of the starting configuration
     * (the way a node joins a running cluster) and hears nothing until the leader adds it.
     */
    public SimulationBuilder spares(int count) {
        this.spares = count;
        return this;
    }

    /** The last {@code count} nodes are learners: they receive the log but never vote or lead. */
    public SimulationBuilder learners(int count) {
        this.learners = count;
        return this;
    }

    public SimulationBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    public SimulationBuilder nodes(int nodes) {
        if (nodes < 1 || nodes > 15) {
            throw new IllegalArgumentException("nodes must be in [1, 15], got " + nodes);
        }
        this.nodes = nodes;
        return this;
    }

    public SimulationBuilder config(RaftConfig config) {
        this.config = config;
        return this;
    }

    public SimulationBuilder tickIntervalNs(long tickIntervalNs) {
        this.tickIntervalNs = tickIntervalNs;
        return this;
    }

    /** Every node ticks at the same instants (else each node gets a random phase). */
    public SimulationBuilder alignedTicks(boolean aligned) {
        this.alignedTicks = aligned;
        return this;
    }

    public SimulationBuilder networkDelay(long minNs, long jitterNs) {
        this.netDelayMinNs = minNs;
        this.netDelayJitterNs = jitterNs;
        return this;
    }

    public SimulationBuilder diskDelay(long minNs, long jitterNs) {
        this.diskDelayMinNs = minNs;
        this.diskDelayJitterNs = jitterNs;
        return this;
    }

    public SimulationBuilder randomSources(Simulation.RandomSourceFactory factory) {
        this.randomSources = factory;
        return this;
    }

    /** What a failure report prints as the replay command (default: the seed replay commands). */
    public SimulationBuilder replayCommand(String command) {
        this.replayCommand = command;
        return this;
    }

    public Simulation build() {
        return new Simulation(this);
    }
}
