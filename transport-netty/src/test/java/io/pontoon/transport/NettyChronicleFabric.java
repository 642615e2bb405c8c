package io.pontoon.transport;

import io.pontoon.storage.Durability;
import io.pontoon.storage.TempNodeStores;

/** The loopback fabric with Chronicle journals (PAGE_CACHE) in a temporary directory, for the tests. */
final class NettyChronicleFabric extends NettyLoopbackFabric {
    NettyChronicleFabric(long seed) {
        this(seed, new TempNodeStores("pontoon-netty-fabric", Durability.PAGE_CACHE, 16 * 1024 * 1024));
    }

    private NettyChronicleFabric(long seed, TempNodeStores stores) {
        super(seed, stores::logStore, stores::metaStore, stores::close);
    }
}
