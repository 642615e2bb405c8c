package io.pontoon.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The simulated network: which directed links are cut, and the per-message faults in force. Decisions
 * are made when a message is sent; the simulator draws the randomness. Reordering comes from random
 * delays. Node ids are 1..N.
 */
public final class SimNetwork {
    private final int nodes;
    /** blocked[from][to]: messages from {@code from} to {@code to} are lost. */
    private final boolean[][] blocked;
    private final List<MessageFilter> filters = new ArrayList<>();
    double dropRate;
    double duplicateRate;
    long delayMinNs;
    long delayJitterNs;
    /** Probability that a message is held back for up to {@link #spikeMaxNs} (stale deliveries). */
    double spikeRate;
    long spikeMaxNs;
    /**
     * Per-link FIFO (as a TCP connection): a message is never delivered before one sent earlier on the
     * same link, so a delay spike holds back what follows it. When false, random delays reorder freely.
     */
    boolean fifo;
    /** Latest delivery time scheduled per directed link, for FIFO links. */
    final long[][] lastDeliveryNs;
    long sent;
    long dropped;
    long duplicated;

    SimNetwork(int nodes, long delayMinNs, long delayJitterNs) {
        this.nodes = nodes;
        this.blocked = new boolean[nodes + 1][nodes + 1];
        this.lastDeliveryNs = new long[nodes + 1][nodes + 1];
        this.delayMinNs = delayMinNs;
        this.delayJitterNs = delayJitterNs;
    }

    /** Cuts every link between different groups (symmetric partition); nodes in no group are isolated. */
    public SimNetwork partition(int[]... groups) {
        final int[] groupOf = new int[nodes + 1];
        for (int g = 0; g < groups.length; g++) {
            for (int id : groups[g]) {
                groupOf[id] = g + 1;
            }
        }
        for (int a = 1; a <= nodes; a++) {
            for (int b = 1; b <= nodes; b++) {
                blocked[a][b] = a != b && (groupOf[a] == 0 || groupOf[a] != groupOf[b]);
            }
        }
        return this;
    }

    /** Cuts every link to and from {@code id}. */
    public SimNetwork isolate(int id) {
        for (int other = 1; other <= nodes; other++) {
            if (other != id) {
                blocked[id][other] = true;
                blocked[other][id] = true;
            }
        }
        return this;
    }

    /** Restores every link to and from {@code id}. */
    public SimNetwork reconnect(int id) {
        for (int other = 1; other <= nodes; other++) {
            blocked[id][other] = false;
            blocked[other][id] = false;
        }
        return this;
    }

    /** Cuts one direction only: {@code from} can no longer reach {@code to} (asymmetric partition). */
    public SimNetwork cut(int from, int to) {
        blocked[from][to] = true;
        return this;
    }

    public SimNetwork restore(int from, int to) {
        blocked[from][to] = false;
        return this;
    }

    public boolean isCut(int from, int to) {
        return blocked[from][to];
    }

    public SimNetwork addFilter(MessageFilter filter) {
        filters.add(filter);
        return this;
    }

    public SimNetwork removeFilter(MessageFilter filter) {
        filters.remove(filter);
        return this;
    }

    /** Per-message faults: loss and duplication probabilities, delay = min + uniform jitter. */
    public SimNetwork faults(double dropRate, double duplicateRate, long delayMinNs, long delayJitterNs) {
        this.dropRate = dropRate;
        this.duplicateRate = duplicateRate;
        this.delayMinNs = delayMinNs;
        this.delayJitterNs = delayJitterNs;
        return this;
    }

    /** Per-link FIFO delivery (true) or free reordering by random delay (false). */
    public SimNetwork fifo(boolean fifo) {
        this.fifo = fifo;
        return this;
    }

    /** Occasionally holds a message back for a long time, so it arrives stale. */
    public SimNetwork spikes(double rate, long maxNs) {
        this.spikeRate = rate;
        this.spikeMaxNs = maxNs;
        return this;
    }

    /** A clean network: every link up, no filters, no loss, no duplication, no spikes; delays kept. */
    public SimNetwork heal() {
        for (boolean[] row : blocked) {
            Arrays.fill(row, false);
        }
        filters.clear();
        dropRate = 0;
        duplicateRate = 0;
        spikeRate = 0;
        return this;
    }

    boolean isClean() {
        if (!filters.isEmpty() || dropRate > 0 || duplicateRate > 0 || spikeRate > 0) {
            return false;
        }
        for (boolean[] row : blocked) {
            for (boolean b : row) {
                if (b) {
                    return false;
                }
            }
        }
        return true;
    }

    List<MessageFilter> filters() {
        return filters;
    }

    String describe() {
        final StringBuilder sb = new StringBuilder();
        sb.append(fifo ? "fifo " : "reordering ").append("drop=").append(dropRate).append(" dup=").append(duplicateRate)
            .append(" delay=").append(delayMinNs / 1000).append("us+").append(delayJitterNs / 1000).append("us")
            .append(" spikes=").append(spikeRate).append(" filters=").append(filters.size()).append(" cut:");
        boolean any = false;
        for (int a = 1; a <= nodes; a++) {
            for (int b = 1; b <= nodes; b++) {
                if (blocked[a][b]) {
                    sb.append(' ').append(a).append("->").append(b);
                    any = true;
                }
            }
        }
        if (!any) {
            sb.append(" none");
        }
        return sb.toString();
    }
}
