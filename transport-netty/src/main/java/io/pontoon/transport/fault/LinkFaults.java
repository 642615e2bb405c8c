package io.pontoon.transport.fault;

/**
 * Faults applied to the frames of one direction of one link. Immutable; build from {@link #NONE}
 * with the {@code withXxx} methods. Applied per frame in this order: partition, drop, duplicate,
 * reorder window, delay.
 *
 * @param partitioned          every frame is discarded (the link is cut)
 * @param dropProbability      probability in [0, 1] that a frame is discarded
 * @param delayNs              fixed delay added to every frame
 * @param jitterNs             extra uniform random delay in [0, jitterNs]; frames may overtake each other
 * @param duplicateProbability probability in [0, 1] that a frame is delivered twice
 * @param reorderWindow        frames are collected in blocks of this many and released in a seeded
 *                             random order; 1 = keep order
 * @param reorderMaxHoldNs     an incomplete block is released after this long, so a quiet link never
 *                             holds frames forever
 */
public record LinkFaults(boolean partitioned, double dropProbability, long delayNs, long jitterNs,
                         double duplicateProbability, int reorderWindow, long reorderMaxHoldNs) {
    public static final int MAX_REORDER_WINDOW = 1024;
    public static final long DEFAULT_REORDER_MAX_HOLD_NS = 5_000_000L;

    /** No faults. */
    public static final LinkFaults NONE = new LinkFaults(false, 0.0, 0, 0, 0.0, 1, DEFAULT_REORDER_MAX_HOLD_NS);

    public LinkFaults {
        probability("dropProbability", dropProbability);
        probability("duplicateProbability", duplicateProbability);
        if (delayNs < 0) {
            throw new IllegalArgumentException("delayNs must be >= 0, got " + delayNs);
        }
        if (jitterNs < 0 || jitterNs == Long.MAX_VALUE) {
            throw new IllegalArgumentException("jitterNs must be in [0, Long.MAX_VALUE), got " + jitterNs);
        }
        if (reorderWindow < 1 || reorderWindow > MAX_REORDER_WINDOW) {
            throw new IllegalArgumentException("reorderWindow must be in [1, " + MAX_REORDER_WINDOW + "], got " + reorderWindow);
        }
        if (reorderMaxHoldNs <= 0) {
            throw new IllegalArgumentException("reorderMaxHoldNs must be > 0, got " + reorderMaxHoldNs);
        }
    }

    private static void probability(String field, double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException(field + " must be in [0.0, 1.0], got " + p);
        }
    }

    /** True when no fault is configured (the handler's fast path). */
    public boolean isNone() {
        return !partitioned && dropProbability == 0.0 && delayNs == 0 && jitterNs == 0
            && duplicateProbability == 0.0 && reorderWindow == 1;
    }

    public LinkFaults withPartitioned(boolean value) {
        return new LinkFaults(value, dropProbability, delayNs, jitterNs, duplicateProbability, reorderWindow, reorderMaxHoldNs);
    }

    public LinkFaults withDropProbability(double value) {
        return new LinkFaults(partitioned, value, delayNs, jitterNs, duplicateProbability, reorderWindow, reorderMaxHoldNs);
    }

    public LinkFaults withDelay(long fixedNs, long jitterNs) {
        return new LinkFaults(partitioned, dropProbability, fixedNs, jitterNs, duplicateProbability, reorderWindow, reorderMaxHoldNs);
    }

    public LinkFaults withDuplicateProbability(double value) {
        return new LinkFaults(partitioned, dropProbability, delayNs, jitterNs, value, reorderWindow, reorderMaxHoldNs);
    }

    public LinkFaults withReorder(int window, long maxHoldNs) {
        return new LinkFaults(partitioned, dropProbability, delayNs, jitterNs, duplicateProbability, window, maxHoldNs);
    }
}
