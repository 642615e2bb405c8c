package io.pontoon.sim;

/**
 * The last {@value #SIZE} events of a run (a ring of the event objects, formatted only when a failure
 * is reported), and the failure report itself.
 */
final class EventTrace {
    static final int SIZE = 50;

    private final SimEvent[] ring = new SimEvent[SIZE];
    private int next;

    void add(SimEvent e) {
        ring[next] = e;
        next = (next + 1) % SIZE;
    }

    /** Oldest first, one per line, indented. */
    String recent() {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SIZE; i++) {
            final SimEvent e = ring[(next + i) % SIZE];
            if (e != null) {
                sb.append("  ").append(e.format()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Seed, invariant, details, config, cluster and network state, last events, replay commands. */
    static String report(Simulation sim, String invariant, String details, String replay) {
        final StringBuilder sb = new StringBuilder(4096);
        sb.append("SIMULATION FAILURE seed=").append(sim.seed).append(" nodes=").append(sim.nodeCount)
            .append(" at ").append(Simulation.formatTime(sim.nowNs())).append('\n');
        sb.append("invariant: ").append(invariant).append('\n');
        sb.append("details:   ").append(details).append('\n');
        sb.append("config:    ").append(sim.config).append(" tick=").append(sim.tickIntervalNs / 1000).append("us\n");
        sb.append("cluster:\n");
        for (SimNode n : sim.nodes()) {
            try {
                sb.append("  ").append(n.describe()).append('\n');
            } catch (RuntimeException e) {
                sb.append("  n").append(n.id).append(" (state unreadable: ").append(e).append(")\n");
            }
        }
        sb.append("  network: ").append(sim.network().describe()).append('\n');
        sb.append("last ").append(SIZE).append(" events (newest last):\n").append(sim.recentEvents());
        sb.append("replay:\n").append(replay);
        return sb.toString();
    }
}
