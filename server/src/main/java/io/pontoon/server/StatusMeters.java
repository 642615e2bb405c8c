package io.pontoon.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pontoon.RaftNode;
import io.pontoon.RaftStatus;

import java.util.HashSet;
import java.util.Set;

/**
 * Gauges over the node's {@link RaftStatus}: commit index, term, and each follower's match index and lag. The status
 * is taken once per scrape ({@link #refresh()}), not once per gauge, since each {@link RaftNode#status()} is a round
 * trip to the Raft thread.
 *
 * <p>Called by the metrics server's thread only (refresh, then the registry reads the gauges on that thread).
 */
final class StatusMeters {
    private final RaftNode node;
    private final MeterRegistry registry;
    private final Set<Integer> followersRegistered = new HashSet<>();
    private volatile RaftStatus last;

    StatusMeters(RaftNode node, MeterRegistry registry) {
        this.node = node;
        this.registry = registry;
        Gauge.builder("pontoon.commit.index", this, m -> m.value(RaftStatus::commitIndex))
            .description("Highest log index known committed").register(registry);
        Gauge.builder("pontoon.applied.index", this, m -> m.value(RaftStatus::lastApplied))
            .description("Highest log index applied to the state machine").register(registry);
        Gauge.builder("pontoon.log.last.index", this, m -> m.value(RaftStatus::lastLogIndex))
            .description("Index of the last entry in this node's log").register(registry);
        Gauge.builder("pontoon.term", this, m -> m.value(RaftStatus::term))
            .description("Current term").register(registry);
        Gauge.builder("pontoon.leader.id", this, m -> m.value(s -> s.leaderId()))
            .description("Id of the leader this node knows, 0 for none").register(registry);
        Gauge.builder("pontoon.leader", this, m -> m.value(s -> s.role() == io.pontoon.Role.LEADER ? 1 : 0))
            .description("1 while this node leads, else 0").register(registry);
    }

    /** Takes the node's status for the gauges to read, and adds gauges for followers seen for the first time. */
    void refresh() {
        final RaftStatus s = node.status();
        last = s;
        for (RaftStatus.Follower f : s.followers()) {
            if (followersRegistered.add(f.nodeId())) {
                final int id = f.nodeId();
                final String tag = Integer.toString(id);
                Gauge.builder("pontoon.follower.match.index", this, m -> m.follower(id, false))
                    .tag("follower", tag).description("Highest index known to match on the follower (on the leader)")
                    .register(registry);
                Gauge.builder("pontoon.follower.lag.entries", this, m -> m.follower(id, true))
                    .tag("follower", tag).description("Entries the follower lacks of the leader's log (on the leader)")
                    .register(registry);
            }
        }
    }

    private double value(java.util.function.ToDoubleFunction<RaftStatus> f) {
        final RaftStatus s = last;
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    /** The follower's lag or match index while this node leads; NaN otherwise (no such view). */
    private double follower(int id, boolean lag) {
        final RaftStatus s = last;
        if (s == null) {
            return Double.NaN;
        }
        for (RaftStatus.Follower f : s.followers()) {
            if (f.nodeId() == id) {
                return lag ? f.lag(s.lastLogIndex()) : f.matchIndex();
            }
        }
        return Double.NaN;
    }
}
