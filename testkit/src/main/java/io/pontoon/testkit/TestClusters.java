package io.pontoon.testkit;

import io.pontoon.ClusterFabric;
import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.StateMachine;
import io.pontoon.storage.Durability;
import io.pontoon.storage.FileSnapshotStore;
import io.pontoon.storage.TempNodeStores;
import io.pontoon.transport.NettyLoopbackFabric;

import java.util.function.IntFunction;

/**
 * Clusters for tests, in one JVM: in memory (fast, for logic), or over Netty on loopback with Chronicle journals and
 * file snapshots in a temporary directory (the real stack, for integration tests). Both are a {@link LocalCluster}:
 * stop and restart nodes, cut links ({@code fabric().cut}), drop and delay messages, and run a {@link Nemesis} on it.
 * Closing the cluster deletes its files.
 */
public final class TestClusters {
    private TestClusters() {
    }

    /** {@code nodes} nodes in memory, without state machines (commit listeners only). */
    public static LocalCluster inMemory(int nodes, RaftConfig config) {
        return LocalCluster.start(nodes, config, ClusterFabric.inMemory());
    }

    /** {@code nodes} nodes in memory, node {@code id} with {@code stateMachines.apply(id)} at every start. */
    public static LocalCluster inMemory(int nodes, RaftConfig config, IntFunction<StateMachine> stateMachines) {
        return LocalCluster.start(nodes, config, ClusterFabric.inMemory(), 0, stateMachines);
    }

    /**
     * {@code nodes} nodes over Netty on loopback, each with a Chronicle journal (PAGE_CACHE durability) and a file
     * snapshot store under a temporary directory, node {@code id} with {@code stateMachines.apply(id)} (null for
     * none). The fabric ({@code (NettyLoopbackFabric) cluster.fabric()}) gives each node's address and lets clients
     * in ({@code serveClients}).
     */
    public static LocalCluster overNetty(int nodes, RaftConfig config, IntFunction<StateMachine> stateMachines) {
        final TempNodeStores stores = new TempNodeStores("pontoon-test-cluster", Durability.PAGE_CACHE,
            16 * 1024 * 1024);
        final NettyLoopbackFabric fabric = new NettyLoopbackFabric(System.nanoTime(), stores::logStore,
            stores::metaStore, stores::close);
        fabric.snapshotStores(id -> FileSnapshotStore.open(stores.dataDir(id)));
        return stateMachines == null ? LocalCluster.start(nodes, config, fabric)
            : LocalCluster.start(nodes, config, fabric, 0, stateMachines);
    }
}
