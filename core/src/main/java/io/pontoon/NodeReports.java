package io.pontoon;

import io.pontoon.runtime.InboundRing;
import io.pontoon.runtime.NodeCounters;
import io.pontoon.runtime.PontoonEvents;
import io.pontoon.spi.LogStoreStats;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A node's reports (issue 13): builds {@link NodeReport}s from what its threads publish, and on each change the
 * Raft thread signals logs one structured line, commits the JFR events and tells the report listeners.
 */
final class NodeReports implements io.pontoon.runtime.NodeProbe {
    private static final System.Logger LOG = System.getLogger("io.pontoon.RaftNode");

    private final int nodeId;
    private final NodeCounters counters;
    private final InboundRing inbound;
    private final InboundRing proposals;
    private final long ringCapacity;
    /** The log store's statistics, or null when it publishes none. */
    private final LogStoreStats journal;
    private final LongSupplier snapshotsTaken;
    private final LongSupplier lastSnapshotNs;
    private final LongSupplier lastSnapshotBytes;
    private final CopyOnWriteArrayList<Consumer<NodeReport>> listeners = new CopyOnWriteArrayList<>();
    private volatile long snapshotsInstalled;

    NodeReports(int nodeId, NodeCounters counters, InboundRing inbound, InboundRing proposals, long ringCapacity,
                LogStoreStats journal, LongSupplier snapshotsTaken, LongSupplier lastSnapshotNs,
                LongSupplier lastSnapshotBytes) {
        this.nodeId = nodeId;
        this.counters = counters;
        this.inbound = inbound;
        this.proposals = proposals;
        this.ringCapacity = ringCapacity;
        this.journal = journal;
        this.snapshotsTaken = snapshotsTaken;
        this.lastSnapshotNs = lastSnapshotNs;
        this.lastSnapshotBytes = lastSnapshotBytes;
    }

    @Override
    public NodeCounters counters() {
        return counters;
    }

    @Override
    public LogStoreStats journalStats() {
        return journal;
    }

    @Override
    public long inboundRingBytes() {
        return (long) inbound.size() + proposals.size();
    }

    @Override
    public long inboundRingCapacity() {
        return ringCapacity;
    }

    @Override
    public long snapshotsTaken() {
        return snapshotsTaken.getAsLong();
    }

    @Override
    public long lastSnapshotNs() {
        return lastSnapshotNs.getAsLong();
    }

    @Override
    public long lastSnapshotBytes() {
        return lastSnapshotBytes.getAsLong();
    }

    @Override
    public long snapshotsInstalled() {
        return snapshotsInstalled;
    }

    void addListener(Consumer<NodeReport> listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    boolean removeListener(Consumer<NodeReport> listener) {
        return listeners.remove(listener);
    }

    /** The Raft thread or the apply thread: a snapshot from the leader was installed. */
    void onSnapshotInstalled(io.pontoon.spi.SnapshotMeta installed) {
        snapshotsInstalled++; // one writer: the thread that installs
        final PontoonEvents.SnapshotInstall e = new PontoonEvents.SnapshotInstall();
        if (e.isEnabled()) {
            e.nodeId = nodeId;
            e.index = installed.index();
            e.term = installed.term();
            e.sizeBytes = installed.sizeBytes();
            e.commit();
        }
    }

    /** Raft thread (RaftAgent.ChangeSink): the role, leader or term changed, or an election started. */
    void onChange(Role previousRole, int previousLeader, long previousTerm, boolean electionStarted, Role failedRole) {
        final Role role = failedRole != null ? failedRole : counters.role();
        final long term = counters.get(NodeCounters.TERM);
        final int leader = (int) counters.get(NodeCounters.LEADER);
        final String reason = counters.reason(NodeCounters.LEADER_REASON).label();
        if (electionStarted) {
            final PontoonEvents.Election e = new PontoonEvents.Election();
            if (e.isEnabled()) {
                e.nodeId = nodeId;
                e.term = term;
                e.reason = counters.reason(NodeCounters.TERM_REASON).label();
                e.commit();
            }
        }
        if (leader != previousLeader) {
            final PontoonEvents.LeaderChange e = new PontoonEvents.LeaderChange();
            if (e.isEnabled()) {
                e.nodeId = nodeId;
                e.term = term;
                e.previousLeader = previousLeader;
                e.leader = leader;
                e.role = role.name();
                e.reason = reason;
                e.commit();
            }
        }
        if (role != previousRole) {
            LOG.log(System.Logger.Level.INFO, "pontoon role node=" + nodeId + " term=" + term + " role=" + role
                + " leader=" + leader + " previous=" + previousRole + " reason="
                + counters.reason(NodeCounters.ROLE_REASON).label());
            if (!listeners.isEmpty()) {
                final NodeReport r = report(role);
                for (Consumer<NodeReport> l : listeners) {
                    try {
                        l.accept(r);
                    } catch (RuntimeException ex) {
                        LOG.log(System.Logger.Level.WARNING, "pontoon node " + nodeId + ": a report listener threw", ex);
                    }
                }
            }
        }
    }

    /** Any thread: a report from the published counters ({@code role} overrides the published one, e.g. FAILED). */
    NodeReport report(Role role) {
        final NodeCounters c = counters;
        final Map<ResultCode, Long> byOutcome = new EnumMap<>(ResultCode.class);
        for (ResultCode code : ResultCode.values()) {
            byOutcome.put(code, c.proposals(code));
        }
        final AtomicLongArray f = c.followers();
        final int n = f.length() / NodeCounters.F_FIELDS;
        final List<NodeReport.Follower> followers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int b = i * NodeCounters.F_FIELDS;
            followers.add(new NodeReport.Follower((int) f.get(b + NodeCounters.F_ID), f.get(b + NodeCounters.F_MATCH),
                f.get(b + NodeCounters.F_LAG_ENTRIES), f.get(b + NodeCounters.F_LAG_BYTES),
                (int) f.get(b + NodeCounters.F_INFLIGHT)));
        }
        NodeReport.Journal j = NodeReport.Journal.NONE;
        if (journal != null) {
            final List<Long> buckets = new ArrayList<>(journal.syncBuckets());
            for (int i = 0; i < journal.syncBuckets(); i++) {
                buckets.add(journal.syncsInBucket(i));
            }
            j = new NodeReport.Journal(true, journal.syncs(), journal.syncTotalNs(), journal.syncMaxNs(),
                journal.recordsWritten(), journal.entriesWritten(), buckets);
        }
        final NodeReport.Snapshots snaps = new NodeReport.Snapshots(snapshotsTaken.getAsLong(), snapshotsInstalled,
            lastSnapshotNs.getAsLong(), lastSnapshotBytes.getAsLong(), c.get(NodeCounters.INSTALL_RECEIVED),
            c.get(NodeCounters.INSTALL_TOTAL));
        return new NodeReport(nodeId, role == null ? c.role() : role, c.get(NodeCounters.TERM),
            (int) c.get(NodeCounters.LEADER), c.get(NodeCounters.COMMIT_INDEX), c.get(NodeCounters.LAST_APPLIED),
            c.get(NodeCounters.LAST_LOG_INDEX), c.get(NodeCounters.COMMITS), byOutcome,
            c.get(NodeCounters.ELECTIONS), c.get(NodeCounters.TERM_CHANGES), c.reason(NodeCounters.TERM_REASON),
            c.get(NodeCounters.LEADER_CHANGES), c.reason(NodeCounters.LEADER_REASON), followers, j,
            inboundRingBytes(), ringCapacity, snaps);
    }
}
