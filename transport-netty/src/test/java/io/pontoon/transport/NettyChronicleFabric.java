package io.pontoon.transport;

import io.pontoon.ClusterFabric;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Transport;
import io.pontoon.storage.ChronicleLogStore;
import io.pontoon.storage.ChronicleLogStoreOptions;
import io.pontoon.storage.Durability;
import io.pontoon.storage.FileMetaStore;
import io.pontoon.transport.fault.Direction;
import io.pontoon.transport.fault.FaultRules;
import io.pontoon.transport.fault.LinkFaults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@link ClusterFabric} over real sockets: one {@link NettyTransport} per node on loopback (fixed ports,
 * so a restarted node is reachable at the same address) with fault injection on, and Chronicle journals
 * plus file meta stores in a temporary directory per node. Network faults are applied through each
 * transport's {@link FaultRules}: drop and delay on the sending side, disconnect as a partition on both
 * ends. Called from the test thread only.
 */
final class NettyChronicleFabric implements ClusterFabric {
    static final int CLUSTER_ID = 11;
    private final Path root;
    private final long seed;
    private final Map<Integer, Integer> ports = new HashMap<>();
    private final Map<Integer, NettyTransport> transports = new HashMap<>();
    private final Set<Integer> disconnected = new HashSet<>();
    private int[] members = new int[0];
    private LinkFaults outbound = LinkFaults.NONE;

    NettyChronicleFabric(long seed) {
        this.seed = seed;
        try {
            root = Files.createTempDirectory("pontoon-netty-fabric");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized Transport transport(int nodeId, int[] memberIds) {
        if (ports.isEmpty()) {
            members = memberIds.clone();
            final int[] free = TestNodes.freePorts(memberIds.length);
            for (int i = 0; i < memberIds.length; i++) {
                ports.put(memberIds[i], free[i]);
            }
        }
        final NettyTransportConfig.Builder b = NettyTransportConfig.builder()
            .nodeId(nodeId).clusterId(CLUSTER_ID).listenAddress(TestNodes.loopback(ports.get(nodeId)))
            .reconnectBackoffMinNs(5_000_000L).reconnectBackoffMaxNs(100_000_000L)
            .faultInjection(true, seed * 31 + nodeId);
        for (int id : memberIds) {
            b.peer(id, TestNodes.loopback(ports.get(id)));
        }
        final NettyTransport t = new NettyTransport(b.build());
        transports.put(nodeId, t);
        apply(nodeId);
        return t;
    }

    private Path dir(int nodeId) {
        final Path dir = root.resolve("node-" + nodeId);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    @Override
    public synchronized LogStore logStore(int nodeId) {
        final Path journal = dir(nodeId).resolve("journal");
        try {
            Files.createDirectories(journal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ChronicleLogStore.open(ChronicleLogStoreOptions.builder(journal)
            .durability(Durability.PAGE_CACHE).ringCapacityBytes(4 * 1024 * 1024).cacheCapacityBytes(4 * 1024 * 1024)
            .build());
    }

    @Override
    public synchronized MetaStore metaStore(int nodeId) {
        return FileMetaStore.open(dir(nodeId));
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
    synchronized void serveClients(io.pontoon.LocalCluster cluster) {
        for (int i = 0; i < cluster.size(); i++) {
            final NettyTransport t = transports.get(i + 1);
            if (t != null && cluster.isRunning(i)) {
                t.serveClients(io.pontoon.transport.client.ClientService.of(cluster.node(i)));
            }
        }
    }

    /** The client-facing address of {@code nodeId}. */
    synchronized java.net.InetSocketAddress address(int nodeId) {
        return TestNodes.loopback(ports.get(nodeId));
    }

    /** Frames that passed the live transports' fault handlers while a rule was set. */
    synchronized long passedFrames() {
        return transports.values().stream().mapToLong(t -> t.faults().passedFrames()).sum();
    }

    /** Frames dropped so far by the live transports' fault handlers. */
    synchronized long droppedFrames() {
        return transports.values().stream().mapToLong(t -> t.faults().droppedFrames()).sum();
    }

    @Override
    public String name() {
        return "netty+chronicle";
    }

    @Override
    public synchronized void close() {
        transports.values().forEach(NettyTransport::close);
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort cleanup of a temp dir
        }
    }
}
