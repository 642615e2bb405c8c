package io.pontoon;

import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Transport;

/**
 * What a {@link LocalCluster} is built from: per-node stores and transports, and the network faults the
 * seed's test helpers offered. The in-memory fabric ({@link #inMemory()}) is the default; the Netty
 * module provides one over loopback with Chronicle journals, so one scenario suite runs over both.
 *
 * <p>Called from the thread that builds or changes the cluster, never from a Raft thread.
 */
public interface ClusterFabric extends AutoCloseable {
    /** A transport for {@code nodeId}; called again when the node restarts. */
    Transport transport(int nodeId, int[] memberIds);

    /** The log of {@code nodeId}; after a restart, a store over the same durable contents. */
    LogStore logStore(int nodeId);

    /** Term and vote of {@code nodeId}; after a restart, over the same durable contents. */
    MetaStore metaStore(int nodeId);

    /**
     * The snapshots of {@code nodeId} (for nodes with a state machine); after a restart, over the same durable
     * contents. Default: this fabric keeps none.
     */
    default io.pontoon.spi.SnapshotStore snapshotStore(int nodeId) {
        throw new UnsupportedOperationException(name() + " fabric keeps no snapshots (needed for state machines)");
    }

    /** Cuts {@code nodeId} off from every other node, both directions. */
    void disconnect(int nodeId);

    void reconnect(int nodeId);

    boolean isConnected(int nodeId);

    /**
     * Cuts the link from {@code fromNodeId} to {@code toNodeId} one way: messages that way are lost, the other way
     * still flows (a one-way partition). Default: not supported by this fabric.
     */
    default void cut(int fromNodeId, int toNodeId) {
        throw new UnsupportedOperationException(name() + " fabric cannot cut a link one way");
    }

    /** Undoes {@link #cut}. */
    default void restore(int fromNodeId, int toNodeId) {
        throw new UnsupportedOperationException(name() + " fabric cannot cut a link one way");
    }

    /**
     * The {@code host:port} node {@code nodeId} listens on, for a configuration entry that adds it at run time
     * ({@link RaftNode#addLearner}); null for a fabric that needs no addresses (in memory). Default null.
     */
    default String memberAddress(int nodeId) {
        return null;
    }

    /** Probability in [0, 1] that any message is dropped. */
    void dropProbability(double p);

    /** Delivery delay for every message: fixed plus uniform jitter. */
    void delay(long fixedNs, long jitterNs);

    /** A short name for reports ("in-memory", "netty+chronicle"). */
    String name();

    @Override
    void close();

    /** In-process network and in-memory stores that survive a node restart (everything is durable). */
    static ClusterFabric inMemory() {
        return new InMemoryFabric();
    }
}
