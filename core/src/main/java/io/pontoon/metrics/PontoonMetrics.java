package io.pontoon.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pontoon.ChangeReason;
import io.pontoon.RaftNode;
import io.pontoon.ResultCode;
import io.pontoon.runtime.NodeCounters;
import io.pontoon.runtime.NodeProbe;
import io.pontoon.spi.LogStoreStats;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Micrometer meters for a {@link RaftNode} (issue 13). Every meter is a function meter that reads what the node's
 * threads already publish (the Raft thread once per duty cycle, the journal per sync) when the registry is scraped:
 * binding adds no work per entry and no allocation on the node's hot path. Meter names start with {@code pontoon.}
 * and carry a {@code node} tag.
 *
 * <p>Micrometer is an optional dependency of pontoon-core: only this package refers to it, so a node without
 * micrometer on the class path runs as before; call {@link #bindTo} only when it is there.
 *
 * <p>Per-follower meters ({@code pontoon.follower.*}, tag {@code follower}) are registered for the members the node
 * knows when bound, for any that appear in a later report of a role change, and for a member added while this node
 * leads: reading {@code pontoon.followers} (which a scrape does) registers the meters of followers it has not seen,
 * so they appear by the next scrape. A follower that is not (or no longer) followed by this node reads 0 (NaN for the
 * match index).
 */
public final class PontoonMetrics {
    private PontoonMetrics() {
    }

    /** Registers {@code node}'s meters in {@code registry}. Any thread; bind a node once per registry. */
    public static void bindTo(RaftNode node, MeterRegistry registry) {
        final NodeProbe probe = NodeProbe.of(node);
        final NodeCounters c = probe.counters();
        final Tags tags = Tags.of("node", Integer.toString(node.nodeId()));

        FunctionCounter.builder("pontoon.commits", c, x -> x.get(NodeCounters.COMMITS))
            .description("entries this node saw committed").tags(tags).register(registry);
        for (ResultCode code : ResultCode.values()) {
            FunctionCounter.builder("pontoon.proposals", c, x -> x.proposals(code))
                .description("proposals that ended, by outcome").tags(tags).tag("outcome", code.name())
                .register(registry);
        }
        Gauge.builder("pontoon.term", c, x -> x.get(NodeCounters.TERM)).tags(tags).register(registry);
        Gauge.builder("pontoon.leader", c, x -> x.get(NodeCounters.LEADER))
            .description("the leader this node knows of (0: none)").tags(tags).register(registry);
        Gauge.builder("pontoon.role", c, x -> x.get(NodeCounters.ROLE))
            .description("0 follower, 1 pre-candidate, 2 candidate, 3 leader, 4 failed").tags(tags).register(registry);
        Gauge.builder("pontoon.commit.index", c, x -> x.get(NodeCounters.COMMIT_INDEX)).tags(tags).register(registry);
        Gauge.builder("pontoon.last.applied", c, x -> x.get(NodeCounters.LAST_APPLIED)).tags(tags).register(registry);
        Gauge.builder("pontoon.log.last.index", c, x -> x.get(NodeCounters.LAST_LOG_INDEX)).tags(tags)
            .register(registry);
        FunctionCounter.builder("pontoon.elections", c, x -> x.get(NodeCounters.ELECTIONS))
            .description("elections this node started").tags(tags).register(registry);
        // The reason tag names why the last change happened; the count is of all changes.
        for (ChangeReason reason : ChangeReason.values()) {
            if (reason == ChangeReason.NONE) {
                continue;
            }
            Gauge.builder("pontoon.term.last.change", c, x -> x.reason(NodeCounters.TERM_REASON) == reason ? 1 : 0)
                .description("1 for the reason of the last term change").tags(tags).tag("reason", reason.label())
                .register(registry);
            Gauge.builder("pontoon.leader.last.change", c,
                    x -> x.reason(NodeCounters.LEADER_REASON) == reason ? 1 : 0)
                .description("1 for the reason of the last leader change").tags(tags).tag("reason", reason.label())
                .register(registry);
        }
        FunctionCounter.builder("pontoon.term.changes", c, x -> x.get(NodeCounters.TERM_CHANGES)).tags(tags)
            .register(registry);
        FunctionCounter.builder("pontoon.leader.changes", c, x -> x.get(NodeCounters.LEADER_CHANGES)).tags(tags)
            .register(registry);

        Gauge.builder("pontoon.inbound.ring.bytes", probe, NodeProbe::inboundRingBytes)
            .description("bytes waiting in the inbound rings").baseUnit("bytes").tags(tags).register(registry);
        Gauge.builder("pontoon.inbound.ring.capacity", probe, NodeProbe::inboundRingCapacity).baseUnit("bytes")
            .tags(tags).register(registry);

        FunctionCounter.builder("pontoon.snapshots.taken", probe, NodeProbe::snapshotsTaken).tags(tags)
            .register(registry);
        FunctionCounter.builder("pontoon.snapshots.installed", probe, NodeProbe::snapshotsInstalled).tags(tags)
            .register(registry);
        Gauge.builder("pontoon.snapshot.last.duration", probe, p -> p.lastSnapshotNs() / 1e9).baseUnit("seconds")
            .tags(tags).register(registry);
        Gauge.builder("pontoon.snapshot.last.size", probe, NodeProbe::lastSnapshotBytes).baseUnit("bytes")
            .tags(tags).register(registry);
        Gauge.builder("pontoon.snapshot.install.received", c, x -> x.get(NodeCounters.INSTALL_RECEIVED))
            .baseUnit("bytes").tags(tags).register(registry);
        Gauge.builder("pontoon.snapshot.install.total", c, x -> x.get(NodeCounters.INSTALL_TOTAL))
            .baseUnit("bytes").tags(tags).register(registry);

        final LogStoreStats journal = probe.journalStats();
        if (journal != null) {
            FunctionTimer.builder("pontoon.journal.sync", journal, LogStoreStats::syncs,
                    LogStoreStats::syncTotalNs, TimeUnit.NANOSECONDS)
                .description("journal syncs (fsync of a group commit)").tags(tags).register(registry);
            Gauge.builder("pontoon.journal.sync.max", journal, j -> j.syncMaxNs() / 1e9).baseUnit("seconds")
                .tags(tags).register(registry);
            for (int i = 0; i < journal.syncBuckets(); i++) {
                final int bucket = i;
                // Cumulative, like a Prometheus histogram bucket: syncs that took less than 2^i microseconds.
                FunctionCounter.builder("pontoon.journal.sync.buckets", journal, j -> {
                    long sum = 0;
                    for (int b = 0; b <= bucket; b++) {
                        sum += j.syncsInBucket(b);
                    }
                    return sum;
                }).tags(tags).tag("le_us", Long.toString(1L << bucket)).register(registry);
            }
            FunctionCounter.builder("pontoon.journal.records", journal, LogStoreStats::recordsWritten).tags(tags)
                .register(registry);
            FunctionCounter.builder("pontoon.journal.entries", journal, LogStoreStats::entriesWritten).tags(tags)
                .register(registry);
        }

        final FollowerMeters followers = new FollowerMeters(registry, c, tags);
        for (int id : node.membership().members()) {
            if (id != node.nodeId()) {
                followers.bind(id);
            }
        }
        node.addReportListener(report -> report.followers().forEach(f -> followers.bind(f.nodeId())));
        // Held strongly: nothing else refers to the tracker, and a gauge holds its object weakly by default.
        Gauge.builder("pontoon.followers", followers, FollowerMeters::sync)
            .description("followers this node replicates to (0 unless it leads)").tags(tags).strongReference(true)
            .register(registry);
    }

    /**
     * The per-follower meters, registered once per follower id: for the members known at binding, on a role change
     * (report listener), and on a read of {@code pontoon.followers} for a member that joined while this node leads (a
     * membership change is no role change, so no listener hears of it). The published follower array is replaced
     * only when the follower set changes, so a scrape in steady state compares one reference.
     */
    private static final class FollowerMeters {
        private final MeterRegistry registry;
        private final NodeCounters counters;
        private final Tags tags;
        private final Set<Integer> bound = ConcurrentHashMap.newKeySet();
        private volatile AtomicLongArray seen;

        FollowerMeters(MeterRegistry registry, NodeCounters counters, Tags tags) {
            this.registry = registry;
            this.counters = counters;
            this.tags = tags;
        }

        /** The scraping thread: the number of followers; registers the meters of any not seen before. */
        double sync() {
            final AtomicLongArray f = counters.followers();
            if (f != seen) {
                for (int b = 0; b < f.length(); b += NodeCounters.F_FIELDS) {
                    bind((int) f.get(b + NodeCounters.F_ID));
                }
                seen = f;
            }
            return f.length() / NodeCounters.F_FIELDS;
        }

        /** Any thread: registers the meters of follower {@code id} unless they are. */
        void bind(int id) {
            if (!bound.add(id)) {
                return;
            }
            final NodeCounters c = counters;
            final Tags t = tags.and("follower", Integer.toString(id));
            Gauge.builder("pontoon.follower.match.index", c, x -> field(x, id, NodeCounters.F_MATCH, Double.NaN))
                .tags(t).register(registry);
            Gauge.builder("pontoon.follower.lag.entries", c, x -> field(x, id, NodeCounters.F_LAG_ENTRIES, 0))
                .tags(t).register(registry);
            Gauge.builder("pontoon.follower.lag.bytes", c, x -> field(x, id, NodeCounters.F_LAG_BYTES, 0))
                .description("estimate: lag in entries times the mean entry size").baseUnit("bytes").tags(t)
                .register(registry);
            Gauge.builder("pontoon.follower.inflight", c, x -> field(x, id, NodeCounters.F_INFLIGHT, 0))
                .description("AppendEntries in flight").tags(t).register(registry);
        }
    }

    private static double field(NodeCounters c, int followerId, int field, double absent) {
        final AtomicLongArray f = c.followers();
        for (int b = 0; b < f.length(); b += NodeCounters.F_FIELDS) {
            if (f.get(b + NodeCounters.F_ID) == followerId) {
                return f.get(b + field);
            }
        }
        return absent;
    }
}
