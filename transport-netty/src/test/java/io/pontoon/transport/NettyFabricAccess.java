package io.pontoon.transport;

import io.pontoon.ClusterFabric;
import io.pontoon.LocalCluster;

import java.net.InetSocketAddress;

/** Test-side access to the package-private Netty+Chronicle fabric from other test packages. */
public final class NettyFabricAccess {
    private final NettyChronicleFabric fabric;

    public NettyFabricAccess(long seed) {
        fabric = new NettyChronicleFabric(seed);
    }

    public ClusterFabric fabric() {
        return fabric;
    }

    public int clusterId() {
        return NettyChronicleFabric.CLUSTER_ID;
    }

    public void serveClients(LocalCluster cluster) {
        fabric.serveClients(cluster);
    }

    public InetSocketAddress address(int nodeId) {
        return fabric.address(nodeId);
    }

    public void close() {
        fabric.close();
    }
}
