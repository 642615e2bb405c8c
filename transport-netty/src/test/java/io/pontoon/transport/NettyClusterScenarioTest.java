package io.pontoon.transport;

import io.pontoon.ClusterFabric;
import io.pontoon.LocalCluster;
import io.pontoon.runtime.ClusterScenarioSuite;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core cluster scenario suite, unchanged, over Netty on loopback with Chronicle journals: elections,
 * redirects, partitions, crash/restart, and the 1% and 5% frame-loss runs (drops by the
 * FaultInjectionHandler on every sending connection) where every acknowledged proposal must be
 * committed identically on all nodes.
 */
class NettyClusterScenarioTest extends ClusterScenarioSuite {
    private static final long SEED = Long.getLong("netty.fabric.seed", 4242L);

    @Override
    protected ClusterFabric newFabric() {
        return new NettyChronicleFabric(SEED);
    }

    @Override
    protected int manyProposals() {
        return Integer.getInteger("cluster.proposals", 50_000);
    }

    /**
     * Guards the loss scenarios above: the fabric's drop setting really drops frames on the sockets.
     * Proposals go one at a time, so each needs its own AppendEntries round trip (batching would
     * otherwise carry hundreds of proposals in a handful of frames), and each acknowledged one must be
     * applied on every node with the same payload.
     */
    @Test
    void lossSettingDropsRealFramesAndSequentialProposalsStillCommitEverywhere() throws Exception {
        final NettyChronicleFabric fabric = new NettyChronicleFabric(SEED);
        try (LocalCluster cluster = LocalCluster.start(3, config(), fabric)) {
            final java.util.Map<Long, String>[] applied = new java.util.Map[3];
            for (int i = 0; i < 3; i++) {
                final java.util.Map<Long, String> m = new java.util.concurrent.ConcurrentHashMap<>();
                applied[i] = m;
                cluster.onCommit(i, (lsn, term, data, offset, length) -> m.put(lsn, data.getStringWithoutLengthAscii(offset, length)));
            }
            fabric.dropProbability(0.05);
            final java.util.Map<Long, String> acked = new java.util.HashMap<>();
            for (int i = 0; i < 200; i++) {
                final String payload = "p" + i;
                final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
                try {
                    acked.put(cluster.node(leader).propose(payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .get(60, TimeUnit.SECONDS), payload);
                } catch (java.util.concurrent.ExecutionException e) {
                    // a leader change under loss fails some proposals: they are simply not acknowledged
                }
            }
            assertTrue(acked.size() > 100, "only " + acked.size() + " of 200 proposals acknowledged");
            assertTrue(fabric.droppedFrames() > 0, "5% loss dropped no frame; passed " + fabric.passedFrames());
            fabric.dropProbability(0);
            for (int i = 0; i < 3; i++) {
                final java.util.Map<Long, String> m = applied[i];
                awaitCondition(() -> acked.keySet().stream().allMatch(m::containsKey), "node " + (i + 1) + " applies every ack");
                acked.forEach((lsn, payload) -> org.junit.jupiter.api.Assertions.assertEquals(payload, m.get(lsn)));
            }
        }
    }
}
