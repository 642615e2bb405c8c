package io.pontoon;

import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.memory.InMemoryMetaStore;
import io.pontoon.memory.InMemorySnapshotStore;
import io.pontoon.memory.LocalNetwork;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Transport;

import java.util.HashMap;
import java.util.Map;

/** {@link ClusterFabric} over a {@link LocalNetwork} with in-memory stores kept across restarts. */
public final class InMemoryFabric implements ClusterFabric {
    private final LocalNetwork network = new LocalNetwork();
    private final Map<Integer, InMemoryLogStore> logs = new HashMap<>();
    private final Map<Integer, InMemoryMetaStore> metas = new HashMap<>();
    private final Map<Integer, InMemorySnapshotStore> snapshots = new HashMap<>();

    @Override
    public Transport transport(int nodeId, int[] memberIds) {
        return network.endpoint();
    }

    @Override
    public synchronized LogStore logStore(int nodeId) {
        return logs.computeIfAbsent(nodeId, id -> new InMemoryLogStore());
    }

    @Override
    public synchronized MetaStore metaStore(int nodeId) {
        return metas.computeIfAbsent(nodeId, id -> new InMemoryMetaStore());
    }

    @Override
    public synchronized io.pontoon.spi.SnapshotStore snapshotStore(int nodeId) {
        return snapshots.computeIfAbsent(nodeId, id -> new InMemorySnapshotStore());
    }

    @Override
    public void disconnect(int nodeId) {
        network.disconnect(nodeId);
    }

    @Override
    public void reconnect(int nodeId) {
        network.reconnect(nodeId);
    }

    @Override
    public boolean isConnected(int nodeId) {
        return network.isConnected(nodeId);
    }

    @Override
    public void cut(int fromNodeId, int toNodeId) {
        network.cut(fromNodeId, toNodeId);
    }

    @Override
    public void restore(int fromNodeId, int toNodeId) {
        network.restore(fromNodeId, toNodeId);
    }

    @Override
    public void dropProbability(double p) {
        network.dropProbability(p);
    }

    @Override
    public void delay(long fixedNs, long jitterNs) {
        network.delay(fixedNs, jitterNs);
    }

    @Override
    public String name() {
        return "in-memory";
    }

    @Override
    public void close() {
        network.close();
    }
}
