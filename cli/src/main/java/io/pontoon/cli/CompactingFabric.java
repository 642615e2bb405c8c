package io.pontoon.cli;

import io.pontoon.ClusterFabric;
import io.pontoon.CommitListener;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Transport;
import org.agrona.DirectBuffer;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The in-memory fabric, with logs that drop entries every node has applied, so a long demo does not
 * keep every entry in the heap (Pontoon has no snapshots yet, so nothing else compacts an in-memory
 * log). Each node's {@link #appliedTracker(int)} records the last LSN it applied; on a commit-index
 * advance a log deletes entries below the lowest of those, minus {@link #MARGIN_ENTRIES}. A lagging or
 * disconnected node holds the watermark back, so every node can still be sent what it lacks.
 */
final class CompactingFabric implements ClusterFabric {
    static final long MARGIN_ENTRIES = 1 << 16;

    private final ClusterFabric delegate = ClusterFabric.inMemory();
    private final AtomicLongArray appliedLsn;

    CompactingFabric(int nodes) {
        appliedLsn = new AtomicLongArray(nodes);
    }

    /** A commit listener for node {@code position} that records its applied LSN. */
    CommitListener appliedTracker(int position) {
        return (lsn, term, data, offset, length) -> appliedLsn.lazySet(position, lsn);
    }

    private long watermark() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < appliedLsn.length(); i++) {
            min = Math.min(min, appliedLsn.get(i));
        }
        return min - MARGIN_ENTRIES;
    }

    @Override
    public LogStore logStore(int nodeId) {
        return new CompactingLogStore(delegate.logStore(nodeId));
    }

    @Override
    public Transport transport(int nodeId, int[] memberIds) {
        return delegate.transport(nodeId, memberIds);
    }

    @Override
    public MetaStore metaStore(int nodeId) {
        return delegate.metaStore(nodeId);
    }

    @Override
    public void disconnect(int nodeId) {
        delegate.disconnect(nodeId);
    }

    @Override
    public void reconnect(int nodeId) {
        delegate.reconnect(nodeId);
    }

    @Override
    public boolean isConnected(int nodeId) {
        return delegate.isConnected(nodeId);
    }

    @Override
    public void dropProbability(double p) {
        delegate.dropProbability(p);
    }

    @Override
    public void delay(long fixedNs, long jitterNs) {
        delegate.delay(fixedNs, jitterNs);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** Delegates everything; compacts on the Raft thread when the commit index advances. */
    private final class CompactingLogStore implements LogStore {
        private final LogStore log;
        private long compactedBelow;

        CompactingLogStore(LogStore log) {
            this.log = log;
        }

        @Override
        public void onCommitIndex(long commitIndex) {
            log.onCommitIndex(commitIndex);
            final long below = Math.min(watermark(), commitIndex);
            if (below > compactedBelow) {
                log.deleteBefore(below);
                compactedBelow = below;
            }
        }

        @Override
        public long firstIndex() {
            return log.firstIndex();
        }

        @Override
        public long lastIndex() {
            return log.lastIndex();
        }

        @Override
        public long lastTerm() {
            return log.lastTerm();
        }

        @Override
        public long termAt(long index) {
            return log.termAt(index);
        }

        @Override
        public int payloadLength(long index) {
            return log.payloadLength(index);
        }

        @Override
        public void append(long index, long term, DirectBuffer src, int offset, int length) {
            log.append(index, term, src, offset, length);
        }

        @Override
        public void truncateFrom(long fromIndex) {
            log.truncateFrom(fromIndex);
        }

        @Override
        public boolean read(long index, EntryReader reader) {
            return log.read(index, reader);
        }

        @Override
        public long durableIndex() {
            return log.durableIndex();
        }

        @Override
        public void deleteBefore(long index) {
            log.deleteBefore(index);
        }

        @Override
        public void close() {
            log.close();
        }
    }
}
