package io.pontoon.transport.client;

import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.transport.NettyFabricAccess;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9: each client connection took a callback slot on the node for good (65,534 connections, then every
 * append failed). Connections that open, append and close leave the node's slot count flat.
 */
class ConnectionChurnTest {
    @Test
    void clientConnectionsThatComeAndGoLeaveNoCallbackSlotsBehind() throws Exception {
        final NettyFabricAccess fabric = new NettyFabricAccess(91);
        try (LocalCluster cluster = LocalCluster.start(3, RaftConfig.defaults(), fabric.fabric())) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            fabric.serveClients(cluster);
            final RaftNode node = cluster.node(leader);
            final int before = node.callbackSlotsInUse();
            int maxInUse = before;
            for (int i = 0; i < 600; i++) {
                try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder()
                    .address(fabric.address(leader + 1)).clusterId(fabric.clusterId()).build())) {
                    assertTrue(client.append(new byte[] {(byte) i}).get(60, TimeUnit.SECONDS) > 0);
                }
                maxInUse = Math.max(maxInUse, node.callbackSlotsInUse());
            }
            // The last connections' slots are given back when the node sees them close.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.callbackSlotsInUse() > before && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertTrue(node.callbackSlotsInUse() <= before, "slots in use after 600 connections: "
                + node.callbackSlotsInUse() + " (before: " + before + ")");
            assertTrue(maxInUse < 100, "slots in use never piled up: at most " + maxInUse);
        } finally {
            fabric.close();
        }
    }
}
