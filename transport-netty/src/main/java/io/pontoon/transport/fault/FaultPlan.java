package io.pontoon.transport.fault;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The faults one node applies to its own peer links, as set at run time by an operator ({@code ./pontoon fault},
 * {@code PontoonClient.fault}): a drop chance, delay and jitter on the frames it sends to its peers, and optionally a
 * partition group, the peers it keeps its links to; every other peer link is cut both ways. Client connections are
 * never affected. A plan replaces the node's rules as a whole ({@link #applyTo}); {@link #NONE} clears them.
 * Immutable.
 *
 * @param dropProbability chance in [0, 1] that the node drops a frame it sends to a peer; carried in millionths
 * @param delayNs         added to every frame the node sends to a peer; 0 .. {@link #MAX_DELAY}
 * @param jitterNs        plus a uniform random 0 .. jitterNs (frames may then overtake each other); 0 .. {@link #MAX_DELAY}
 * @param partitionGroup  null for no partition; else the node ids of the node's group, sorted, each once (the node's own
 *                        id may be listed or not; empty or only itself cuts it off from every peer)
 */
public record FaultPlan(double dropProbability, long delayNs, long jitterNs, List<Integer> partitionGroup) {
    /** Longest delay, and longest jitter, a plan may set. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(60);
    /** Most node ids in a partition group. */
    public static final int MAX_GROUP = 1024;
    /** No fault: applying it clears the node's rules. */
    public static final FaultPlan NONE = new FaultPlan(0.0, 0, 0, null);

    public FaultPlan {
        if (!(dropProbability >= 0.0 && dropProbability <= 1.0)) {
            throw new IllegalArgumentException("dropProbability must be in [0.0, 1.0], got " + dropProbability);
        }
        checkDelay("delayNs", delayNs);
        checkDelay("jitterNs", jitterNs);
        if (partitionGroup != null) {
            final TreeSet<Integer> ids = new TreeSet<>();
            for (Integer id : partitionGroup) {
                if (id == null || id < 1) {
                    throw new IllegalArgumentException("partitionGroup node ids must be positive, got " + id);
                }
                if (!ids.add(id)) {
                    throw new IllegalArgumentException("partitionGroup lists node " + id + " twice");
                }
            }
            if (ids.size() > MAX_GROUP) {
                throw new IllegalArgumentException("partitionGroup has " + ids.size() + " node ids, at most "
                    + MAX_GROUP);
            }
            partitionGroup = List.copyOf(ids);
        }
    }

    private static void checkDelay(String field, long ns) {
        if (ns < 0 || ns > MAX_DELAY.toNanos()) {
            throw new IllegalArgumentException(field + " must be in [0, " + MAX_DELAY.toNanos() + "] (60 s), got " + ns);
        }
    }

    /** This plan with frames sent to peers dropped with probability {@code p}. */
    public FaultPlan withDrop(double p) {
        return new FaultPlan(p, delayNs, jitterNs, partitionGroup);
    }

    /** This plan with frames sent to peers delayed by {@code fixed} plus a random 0 .. {@code jitter}. */
    public FaultPlan withDelay(Duration fixed, Duration jitter) {
        return new FaultPlan(dropProbability, fixed.toNanos(), jitter.toNanos(), partitionGroup);
    }

    /** This plan with the node keeping its links to {@code group} only (both directions); the rest are cut. */
    public FaultPlan withPartition(List<Integer> group) {
        return new FaultPlan(dropProbability, delayNs, jitterNs, group);
    }

    /** True when the plan sets no fault (applying it clears the node's rules). */
    public boolean isNone() {
        return dropProbability == 0.0 && delayNs == 0 && jitterNs == 0 && partitionGroup == null;
    }

    /** The drop probability in millionths, as carried on the wire. */
    public int dropPpm() {
        return (int) Math.round(dropProbability * 1_000_000);
    }

    /** The partition group as an array, for the wire; null when there is no partition. */
    public int[] partitionIds() {
        return partitionGroup == null ? null : partitionGroup.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A plan from its wire fields (drop chance in millionths). */
    public static FaultPlan ofWire(int dropPpm, long delayNs, long jitterNs, List<Integer> partitionGroup) {
        return new FaultPlan(dropPpm / 1_000_000.0, delayNs, jitterNs, partitionGroup);
    }

    /**
     * Replaces {@code rules} with this plan, as seen from node {@code localNodeId}: frames it sends to a peer are
     * dropped and delayed; with a partition, the links to peers outside the group are cut both ways, those added to
     * the cluster later included. Any thread; the handlers see the old rules or the new ones, never a mix.
     */
    public void applyTo(FaultRules rules, int localNodeId) {
        final LinkFaults outbound = LinkFaults.NONE.withDropProbability(dropProbability).withDelay(delayNs, jitterNs);
        if (partitionGroup == null) {
            rules.replace(outbound, LinkFaults.NONE, Map.of(), Map.of());
            return;
        }
        final Map<Integer, LinkFaults> keptOutbound = new HashMap<>();
        final Map<Integer, LinkFaults> keptInbound = new HashMap<>();
        for (int id : partitionGroup) {
            if (id != localNodeId) {
                keptOutbound.put(id, outbound);
                keptInbound.put(id, LinkFaults.NONE);
            }
        }
        rules.replace(outbound.withPartitioned(true), LinkFaults.NONE.withPartitioned(true), keptOutbound, keptInbound);
    }

    /** One line for logs and the command line: {@code drop=0.1 delay_ms=50 jitter_ms=5 partition=1,2}, or {@code none}. */
    public String describe() {
        if (isNone()) {
            return "none";
        }
        final StringBuilder s = new StringBuilder();
        if (dropProbability > 0) {
            s.append(" drop=").append(dropProbability);
        }
        if (delayNs > 0 || jitterNs > 0) {
            s.append(" delay_ms=").append(millis(delayNs)).append(" jitter_ms=").append(millis(jitterNs));
        }
        if (partitionGroup != null) {
            s.append(" partition=").append(partitionGroup.isEmpty() ? "-" : String.join(",",
                partitionGroup.stream().map(String::valueOf).toList()));
        }
        return s.substring(1);
    }

    private static String millis(long ns) {
        return ns % 1_000_000L == 0 ? String.valueOf(ns / 1_000_000L) : String.valueOf(ns / 1e6);
    }
}
