package io.pontoon;

import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Transport;

/**
 * A {@link ClusterFabric} that forwards everything to another; wrappers override what they change (the stores of
 * a compacting demo, stores with injected faults).
 */
public class ForwardingClusterFabric implements ClusterFabric {
    private final ClusterFabric delegate;

    public ForwardingClusterFabric(ClusterFabric delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped fabric. */
    protected ClusterFabric delegate() {
        return delegate;
    }

    @Override
    public Transport transport(int nodeId, int[] memberIds) {
        return delegate.transport(nodeId, memberIds);
    }

    @Override
    public LogStore logStore(int nodeId) {
        return delegate.logStore(nodeId);
    }

    @Override
    public MetaStore metaStore(int nodeId) {
        return delegate.metaStore(nodeId);
    }

    @Override
    public io.pontoon.spi.SnapshotStore snapshotStore(int nodeId) {
        return delegate.snapshotStore(nodeId);
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
}
