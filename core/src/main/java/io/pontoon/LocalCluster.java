package io.pontoon;

import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.memory.InMemoryMetaStore;
import io.pontoon.memory.LocalNetwork;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * An in-process cluster of {@link RaftNode}s over a {@link LocalNetwork}, with in-memory stores: the
 * seed's {@code MakeRafts}, with its Disconnect/Reconnect events and packet-dropping helpers. Node at
 * position {@code i} has node id {@code i + 1}. Thread-safe.
 */
public final class LocalCluster implements AutoCloseable {
    private final RaftNode[] nodes;
    private final LocalNetwork network;

    private LocalCluster(RaftNode[] nodes, LocalNetwork network) {
        this.nodes = nodes;
        this.network = network;
    }

    /** Starts {@code nodes} members with default settings. */
    public static LocalCluster start(int nodes) {
        return start(nodes, RaftConfig.defaults());
    }

    /** Starts {@code nodes} members (1..99) with the given settings. */
    public static LocalCluster start(int nodes, RaftConfig config) {
        if (nodes < 1 || nodes > 99) {
            throw new IllegalArgumentException("nodes must be in [1, 99], got " + nodes);
        }
        final int[] ids = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            ids[i] = i + 1;
        }
        final LocalNetwork network = new LocalNetwork();
        final RaftNode[] started = new RaftNode[nodes];
        for (int i = 0; i < nodes; i++) {
            started[i] = RaftNode.builder().nodeId(ids[i]).members(ids).config(config)
                .logStore(new InMemoryLogStore()).metaStore(new InMemoryMetaStore())
                .transport(network.endpoint()).randomSeed(System.nanoTime() + i).start();
        }
        return new LocalCluster(started, network);
    }

    public int size() {
        return nodes.length;
    }

    /** Node by position 0..size-1 (its node id is {@code i + 1}). */
    public RaftNode node(int i) {
        if (i < 0 || i >= nodes.length) {
            throw new IllegalArgumentException("node position must be in [0, " + (nodes.length - 1) + "], got " + i);
        }
        return nodes[i];
    }

    /**
     * Waits until a connected node is leader and a majority of connected nodes (itself included) agree
     * on it in its term; returns its position. Throws {@link IllegalStateException} on timeout.
     */
    public int awaitLeader(Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            final int leader = agreedLeader();
            if (leader >= 0) {
                return leader;
            }
            LockSupport.parkNanos(1_000_000);
        }
        throw new IllegalStateException("no leader agreed by a majority within " + timeout);
    }

    private int agreedLeader() {
        final RaftStatus[] st = new RaftStatus[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            if (network.isConnected(i + 1)) {
                st[i] = nodes[i].status();
            }
        }
        for (int i = 0; i < nodes.length; i++) {
            if (st[i] == null || st[i].role() != Role.LEADER) {
                continue;
            }
            int agree = 0;
            for (RaftStatus s : st) {
                if (s != null && s.term() == st[i].term() && s.leaderId() == st[i].nodeId()) {
                    agree++;
                }
            }
            if (agree >= nodes.length / 2 + 1) {
                return i;
            }
        }
        return -1;
    }

    /** Cuts node {@code i} off from the others, both directions (the seed's DisconnectEvent). */
    public void disconnect(int i) {
        node(i);
        network.disconnect(i + 1);
    }

    /** Reconnects node {@code i} (the seed's ReconnectEvent). */
    public void reconnect(int i) {
        node(i);
        network.reconnect(i + 1);
    }

    public boolean isConnected(int i) {
        return network.isConnected(i + 1);
    }

    /** Probability in [0, 1] that any message is dropped (the seed's packet-dropping helper). */
    public void dropProbability(double p) {
        network.dropProbability(p);
    }

    /** Delivery delay for every message: fixed plus uniform jitter (the seed's sleeping helper). */
    public void delay(Duration fixed, Duration jitter) {
        network.delay(fixed.toNanos(), jitter.toNanos());
    }

    @Override
    public void close() {
        for (RaftNode n : nodes) {
            n.close();
        }
        network.close();
    }
}
