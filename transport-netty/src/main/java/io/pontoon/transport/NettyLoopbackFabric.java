package io.pontoon.transport;

import io.pontoon.ClusterFabric;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Transport;
import io.pontoon.transport.fault.Direction;
import io.pontoon.transport.fault.FaultRules;
import io.pontoon.transport.fault.LinkFaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * {@link ClusterFabric} over real sockets: one {@link NettyTransport} per node on loopback (fixed ports,
 * so a restarted node is reachable at the same address) with fault injection on, and stores from the
 * given factories (for example Chronicle journals in a temporary directory). Network faults are applied
 * through each transport's {@link FaultRules}: drop and delay on the sending side, disconnect as a
 * partition on both ends. A node added at run time gets a port as well ({@link #memberAddress} is the
 * {@code host:port} its configuration entry carries). Used by the cluster scenario suite, the demo and the
 * benchmarks. Called from the thread that builds or changes the cluster.
 */
public class NettyLoopbackFabric implements ClusterFabric {
    /** Cluster id the fabric's transports use. */
    public static final int CLUSTER_ID = 11;
    private final long seed;
    private final IntFunction<LogStore> logStores;
    private final IntFunction<MetaStore> metaStores;
    private final Runnable onClose;
    private IntFunction<io.pontoon.spi.SnapshotStore> snapshotStores;
    private final Map<Integer, Integer> ports = new HashMap<>();
    private final Map<Integer, NettyTransport> transports = new HashMap<>();
    private final Set<Integer> disconnected = new HashSet<>();
    private int[] members = new int[0];
    /** One-way cuts, as (from << 32 | to). */
    private final java.util.Set<Long> cuts = new java.util.HashSet<>();
    private LinkFaults outbound = LinkFaults.NONE;

    /**
     * @param seed       seed of the fault injection handlers
     * @param logStores  opens (or reopens after a restart) the log of a node id
     * @param metaStores opens (or reopens) the term/vote store of a node id
     * @param onClose    run after every transport is closed (e.g. delete the temporary directories)
     */
    public NettyLoopbackFabric(long seed, IntFunction<LogStore> logStores, IntFunction<MetaStore> metaStores,
                               Runnable onClose) {
        this.seed = seed;
        this.logStores = logStores;
        this.metaStores = metaStores;
        this.onClose = onClose;
    }

    @Override
    public synchronized Transport transport(int nodeId, int[] memberIds) {
        if (ports.isEmpty()) {
            members = memberIds.clone();
            final int[] free = freeLoopbackPorts(memberIds.length);
            for (int i = 0; i < memberIds.length; i++) {
                ports.put(memberIds[i], free[i]);
            }
        }
        reservePort(nodeId); // a node added at run time gets a port of its own, as do the members it is told of
        for (int id : memberIds) {
            reservePort(id);
        }
        final NettyTransportConfig.Builder b = NettyTransportConfig.builder()
            .nodeId(nodeId).clusterId(CLUSTER_ID).listenAddress(loopback(ports.get(nodeId)))
            .reconnectBackoffMinNs(5_000_000L).reconnectBackoffMaxNs(100_000_000L)
            .faultInjection(true, seed * 31 + nodeId);
        for (int id : memberIds) {
            b.peer(id, loopback(ports.get(id)));
        }
        final NettyTransport t = new NettyTransport(b.build());
        transports.put(nodeId, t);
        apply(nodeId);
        return t;
    }

    @Override
    public synchronized LogStore logStore(int nodeId) {
        return logStores.apply(nodeId);
    }

    @Override
    public synchronized MetaStore metaStore(int nodeId) {
        return metaStores.apply(nodeId);
    }

    /** Where nodes with a state machine keep their snapshots (opens, or reopens after a restart). */
    public synchronized NettyLoopbackFabric snapshotStores(IntFunction<io.pontoon.spi.SnapshotStore> stores) {
        this.snapshotStores = stores;
        return this;
    }

    @Override
    public synchronized io.pontoon.spi.SnapshotStore snapshotStore(int nodeId) {
        if (snapshotStores == null) {
            return ClusterFabric.super.snapshotStore(nodeId);
        }
        return snapshotStores.apply(nodeId);
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Free loopback ports (bound, then released: another process could take one in between). */
    private static int[] freeLoopbackPorts(int n) {
        final List<ServerSocket> sockets = new ArrayList<>();
        try {
            final int[] free = new int[n];
            for (int i = 0; i < n; i++) {
                final ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                sockets.add(s);
                free[i] = s.getLocalPort();
            }
            return free;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free loopback ports", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** Re-applies the fabric's faults to the transport of {@code nodeId}. */
    private void apply(int nodeId) {
        final NettyTransport t = transports.get(nodeId);
        if (t == null) {
            return;
        }
        final FaultRules rules = t.faults().clear().setDefault(Direction.OUTBOUND, outbound);
        for (int peer : members) {
            if (peer != nodeId && (disconnected.contains(nodeId) || disconnected.contains(peer))) {
                rules.partition(peer);
            } else if (peer != nodeId && cuts.contains(((long) nodeId << 32) | peer)) {
                // One way: this node's frames to the peer are lost; the peer's frames still arrive.
                rules.set(Direction.OUTBOUND, peer, rules.rule(Direction.OUTBOUND, peer).withPartitioned(true));
            }
        }
    }

    private void applyAll() {
        for (int id : transports.keySet()) {
            apply(id);
        }
    }

    @Override
    public synchronized void disconnect(int nodeId) {
        disconnected.add(nodeId);
        applyAll();
    }

    @Override
    public synchronized void reconnect(int nodeId) {
        disconnected.remove(nodeId);
        applyAll();
    }

    @Override
    public synchronized boolean isConnected(int nodeId) {
        return !disconnected.contains(nodeId);
    }

    @Override
    public synchronized void cut(int fromNodeId, int toNodeId) {
        cuts.add(((long) fromNodeId << 32) | toNodeId);
        applyAll();
    }

    @Override
    public synchronized void restore(int fromNodeId, int toNodeId) {
        cuts.remove(((long) fromNodeId << 32) | toNodeId);
        applyAll();
    }

    @Override
    public synchronized void dropProbability(double p) {
        outbound = outbound.withDropProbability(p);
        applyAll();
    }

    @Override
    public synchronized void delay(long fixedNs, long jitterNs) {
        outbound = outbound.withDelay(fixedNs, jitterNs);
        applyAll();
    }

    /** Lets every running node of {@code cluster} answer clients on its port (again after restarts). */
    public synchronized void serveClients(io.pontoon.LocalCluster cluster) {
        serveClients(cluster, i -> null);
    }

    /**
     * As {@link #serveClients(io.pontoon.LocalCluster)}, node {@code i} (position) answering application requests
     * with {@code handlers.apply(i)} (null: none); call it again for a node after it restarted.
     */
    public synchronized void serveClients(io.pontoon.LocalCluster cluster,
                                          java.util.function.IntFunction<ApplicationHandler> handlers) {
        for (int i = 0; i < cluster.size(); i++) {
            final NettyTransport t = transports.get(i + 1);
            if (t != null && cluster.isRunning(i)) {
                t.serveClients(ClientService.of(cluster.node(i), handlers.apply(i)));
            }
        }
    }

    /**
     * The {@code host:port} of {@code nodeId} as a configuration carries it ({@code RaftNode.addLearner(id, address)}),
     * reserving a port for a node not built yet.
     */
    public synchronized String memberAddress(int nodeId) {
        return NettyTransportConfig.format(loopback(reservePort(nodeId)));
    }

    /** The port of {@code nodeId}, a free one for a node not seen before (the fabric's faults apply to it too). */
    private int reservePort(int nodeId) {
        final Integer port = ports.get(nodeId);
        if (port != null) {
            return port;
        }
        final int free = freeLoopbackPorts(1)[0];
        ports.put(nodeId, free);
        members = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(members),
            java.util.stream.IntStream.of(nodeId)).toArray();
        return free;
    }

    /** The client-facing address of {@code nodeId}. */
    public synchronized InetSocketAddress address(int nodeId) {
        return loopback(ports.get(nodeId));
    }

    /** Frames that passed the live transports' fault handlers while a rule was set. */
    public synchronized long passedFrames() {
        return transports.values().stream().mapToLong(t -> t.faults().passedFrames()).sum();
    }

    /** Frames dropped so far by the live transports' fault handlers. */
    public synchronized long droppedFrames() {
        return transports.values().stream().mapToLong(t -> t.faults().droppedFrames()).sum();
    }

    @Override
    public String name() {
        return "netty+chronicle";
    }

    /** The transport of a running node, or null. */
    public synchronized NettyTransport transportOf(int nodeId) {
        return transports.get(nodeId);
    }

    @Override
    public synchronized void close() {
        transports.values().forEach(NettyTransport::close);
        onClose.run();
    }
}
