package io.pontoon.cli;

import io.pontoon.ClusterFabric;
import io.pontoon.ForwardingClusterFabric;
import io.pontoon.CommitListener;
import io.pontoon.spi.ForwardingLogStore;
import io.pontoon.spi.LogStore;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fabric (in memory, or Netty with Chronicle journals) whose logs drop entries every node has applied. It was
 * the demo's only compaction before state machines had snapshots; the demo's nodes now also snapshot and compact
 * up to their previous snapshot, and this watermark stays as a second bound until a long run shows the snapshot
 * compaction alone keeps heap and disk flat (then it can go).
 *
 * <p>Each node's {@link #appliedTracker(int)} records the last LSN it applied. When a node's commit index
 * advances, its log (on its own Raft thread, the only thread that may call a {@link LogStore}) deletes entries
 * below the lowest applied LSN of all nodes minus {@link #DEFAULT_MARGIN_ENTRIES}. The slowest node, or a
 * disconnected one, holds the watermark back for everyone (snapshot compaction does not wait for it: such a
 * node catches up through InstallSnapshot); the margin covers a new leader backing a follower up past its applied index.
 * A store may keep more than asked (Chronicle deletes whole roll-cycle files).
 *
 * <p>Threads: the trackers run on each node's Raft thread (commit listener) and publish with a lazy set; the
 * logs read the published values on their Raft threads; the rest is called by the thread that owns the cluster.
 */
final class CompactingFabric extends ForwardingClusterFabric {
    static final long DEFAULT_MARGIN_ENTRIES = 1 << 16;
    /** Least advance of the watermark worth a {@code deleteBefore} call (each call costs the store a look-up). */
    static final long DEFAULT_STEP_ENTRIES = 1 << 14;

    private final AtomicLongArray appliedLsn;
    private final long marginEntries;
    private final long stepEntries;

    CompactingFabric(ClusterFabric delegate, int nodes) {
        this(delegate, nodes, DEFAULT_MARGIN_ENTRIES, DEFAULT_STEP_ENTRIES);
    }

    CompactingFabric(ClusterFabric delegate, int nodes, long marginEntries, long stepEntries) {
        super(delegate);
        if (marginEntries < 0 || stepEntries < 1) {
            throw new IllegalArgumentException("marginEntries must be >= 0 and stepEntries >= 1, got "
                + marginEntries + " and " + stepEntries);
        }
        this.appliedLsn = new AtomicLongArray(nodes);
        this.marginEntries = marginEntries;
        this.stepEntries = stepEntries;
    }

    /** A commit listener for node {@code position} (node id {@code position + 1}) that records its applied LSN. */
    CommitListener appliedTracker(int position) {
        return (lsn, term, data, offset, length) -> appliedLsn.lazySet(position, lsn);
    }

    /** Entries below this index may go on every node: the lowest applied LSN of all nodes minus the margin. */
    long watermark() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < appliedLsn.length(); i++) {
            min = Math.min(min, appliedLsn.get(i));
        }
        return min - marginEntries;
    }

    @Override
    public LogStore logStore(int nodeId) {
        return new CompactingLogStore(delegate().logStore(nodeId));
    }

    /**
     * Forwards every method (ForwardingLogStore: back-pressure, durable-index wake-up and failure reports reach the
     * runtime unchanged); compacts on the Raft thread when the commit index advances.
     */
    final class CompactingLogStore extends ForwardingLogStore {
        private long compactedBelow;

        CompactingLogStore(LogStore log) {
            super(log);
        }

        @Override
        public void onCommitIndex(long commitIndex) {
            super.onCommitIndex(commitIndex);
            final long below = Math.min(watermark(), commitIndex);
            if (below >= compactedBelow + stepEntries) {
                delegate().deleteBefore(below);
                compactedBelow = below;
            }
        }
    }
}
