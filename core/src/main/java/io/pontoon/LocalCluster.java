package io.pontoon;


import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * An in-process cluster of {@link RaftNode}s: the seed's {@code MakeRafts}, with its
 * Disconnect/Reconnect events and packet-dropping helpers. By default the nodes talk over an in-memory
 * network with in-memory stores; {@link #start(int, RaftConfig, ClusterFabric)} takes another fabric
 * (Netty on loopback with Chronicle journals). Node at position {@code i} has node id {@code i + 1}.
 * Each node has its own Raft thread, unless {@link #start(int, RaftConfig, ClusterFabric, int)} asks for shared
 * ones ({@link RaftThreads}).
 */
public final class LocalCluster implements AutoCloseable {
    private final RaftNode[] nodes;
    private final boolean[] running;
    private final int[] ids;
    private final RaftConfig config;
    private final ClusterFabric network;
    /** Shared Raft threads owned by this cluster, or null: each node has its own. */
    private final RaftThreads raftThreads;
    private final java.util.List<java.util.List<CommitListener>> listeners = new java.util.ArrayList<>();
    /** Makes each node's state machine at every (re)start, or null: the nodes have none. */
    private final java.util.function.IntFunction<StateMachine> stateMachines;
    private final StateMachine[] current;

    private LocalCluster(int[] ids, RaftConfig config, ClusterFabric fabric, RaftThreads raftThreads,
                         java.util.function.IntFunction<StateMachine> stateMachines) {
        this.stateMachines = stateMachines;
        this.current = new StateMachine[ids.length];
        this.ids = ids;
        this.config = config;
        this.network = fabric;
        this.raftThreads = raftThreads;
        this.nodes = new RaftNode[ids.length];
        this.running = new boolean[ids.length];
        for (int i = 0; i < ids.length; i++) {
            listeners.add(new java.util.concurrent.CopyOnWriteArrayList<>());
        }
    }

    /** Starts {@code nodes} members with default settings. */
    public static LocalCluster start(int nodes) {
        return start(nodes, RaftConfig.defaults());
    }

    /** Starts {@code nodes} members (1..99) with the given settings, in memory. */
    public static LocalCluster start(int nodes, RaftConfig config) {
        return start(nodes, config, ClusterFabric.inMemory());
    }

    /** Starts {@code nodes} members (1..99) over {@code fabric}; the cluster closes the fabric. */
    public static LocalCluster start(int nodes, RaftConfig config, ClusterFabric fabric) {
        return start(nodes, config, fabric, 0);
    }

    /**
     * Starts {@code nodes} members (1..99) over {@code fabric}, their Raft agents on {@code sharedRaftThreads}
     * shared threads (Aeron's shared threading mode, {@link RaftThreads}, idling as {@code config.idleMode} says),
     * or each on its own thread when {@code sharedRaftThreads} is 0 (the default). The cluster owns and closes the
     * shared threads and the fabric.
     */
    public static LocalCluster start(int nodes, RaftConfig config, ClusterFabric fabric, int sharedRaftThreads) {
        return start(nodes, config, fabric, sharedRaftThreads, null);
    }

    /**
     * As above, each node with a state machine: {@code stateMachines} makes node id's state machine at every start
     * and restart (a restarted node gets a fresh one, restored from its latest snapshot, as a restarted process
     * would); snapshots go to {@link ClusterFabric#snapshotStore}.
     */
    public static LocalCluster start(int nodes, RaftConfig config, ClusterFabric fabric, int sharedRaftThreads,
                                     java.util.function.IntFunction<StateMachine> stateMachines) {
        if (nodes < 1 || nodes > 99) {
            throw new IllegalArgumentException("nodes must be in [1, 99], got " + nodes);
        }
        if (sharedRaftThreads < 0 || sharedRaftThreads > RaftThreads.MAX_THREADS) {
            throw new IllegalArgumentException("sharedRaftThreads must be in [0, " + RaftThreads.MAX_THREADS
                + "] (0 = a thread per node), got " + sharedRaftThreads);
        }
        final int[] ids = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            ids[i] = i + 1;
        }
        final RaftThreads threads = sharedRaftThreads == 0 ? null : RaftThreads.start(sharedRaftThreads, config.idleMode);
        final LocalCluster cluster = new LocalCluster(ids, config, fabric, threads, stateMachines);
        for (int i = 0; i < nodes; i++) {
            cluster.restart(i);
        }
        return cluster;
    }

    /** The shared Raft threads the nodes run on, or null when each node has its own. */
    public RaftThreads raftThreads() {
        return raftThreads;
    }

    /** The fabric the nodes run on. */
    public ClusterFabric fabric() {
        return network;
    }

    /**
     * Stops node {@code i} as a crash would: its thread stops and its stores close; only what they had
     * made durable survives. Pending proposals on it complete with CLOSED.
     */
    public synchronized void stop(int i) {
        node(i);
        if (running[i]) {
            running[i] = false;
            nodes[i].close();
        }
    }

    /** Starts node {@code i} again (or the first time) over its stores' durable contents. */
    public synchronized void restart(int i) {
        if (i < 0 || i >= ids.length) {
            throw new IllegalArgumentException("node position must be in [0, " + (ids.length - 1) + "], got " + i);
        }
        if (running[i]) {
            return;
        }
        final int id = ids[i];
        final RaftNode.Builder b = RaftNode.builder().nodeId(id).members(ids).config(config)
            .logStore(network.logStore(id)).metaStore(network.metaStore(id))
            .transport(network.transport(id, ids)).randomSeed(System.nanoTime() + i).raftThreads(raftThreads);
        for (CommitListener l : listeners.get(i)) {
            b.onCommit(l);
        }
        if (stateMachines != null) {
            current[i] = stateMachines.apply(id);
            b.stateMachine(current[i]).snapshotStore(network.snapshotStore(id));
        }
        nodes[i] = b.start();
        running[i] = true;
    }

    /**
     * Adds a commit listener to node {@code i} that stays attached across restarts: after a restart the
     * node applies its log again from LSN 1, so the listener sees those entries again.
     */
    public synchronized void onCommit(int i, CommitListener listener) {
        node(i);
        listeners.get(i).add(listener);
        if (running[i]) {
            nodes[i].onCommit(listener);
        }
    }

    /** The state machine of node {@code i}'s current (or last) incarnation, or null without state machines. */
    public synchronized StateMachine stateMachine(int i) {
        node(i);
        return current[i];
    }

    public synchronized boolean isRunning(int i) {
        node(i);
        return running[i];
    }

    public int size() {
        return nodes.length;
    }

    /** Node by position 0..size-1 (its node id is {@code i + 1}); after a restart, the new instance. */
    public synchronized RaftNode node(int i) {
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
            if (network.isConnected(i + 1) && isRunning(i)) {
                st[i] = node(i).status();
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

    private boolean closed;

    /** Stops every node, then the shared Raft threads if any, and closes the fabric. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < nodes.length; i++) {
            stop(i);
        }
        if (raftThreads != null) {
            raftThreads.close();
        }
        network.close();
    }
}
