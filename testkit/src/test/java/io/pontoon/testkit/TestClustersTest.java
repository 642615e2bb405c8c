package io.pontoon.testkit;

import io.pontoon.HashingStateMachine;
import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test kit's building blocks: clusters in memory and over Netty with Chronicle, free ports, the await helper. */
class TestClustersTest {
    private static final RaftConfig CONFIG = RaftConfig.builder()
        .electionTimeout(Duration.ofMillis(150)).heartbeatInterval(Duration.ofMillis(30)).build();

    @Test
    void aClusterOverNettyWithChronicleCommitsAndEveryNodeAppliesIt() throws Exception {
        try (LocalCluster cluster = TestClusters.overNetty(3, CONFIG, id -> new HashingStateMachine())) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(20));
            final long lsn = cluster.node(leader).propose("x".getBytes(StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS);
            Await.until(() -> {
                for (int i = 0; i < cluster.size(); i++) {
                    if (((HashingStateMachine) cluster.stateMachine(i)).index() < lsn) {
                        return false;
                    }
                }
                return true;
            }, Duration.ofSeconds(10), "every node applied " + lsn);
            assertTrue(cluster.fabric() instanceof io.pontoon.transport.NettyLoopbackFabric, cluster.fabric().name());
        }
    }

    @Test
    void anInMemoryClusterElectsALeader() {
        try (LocalCluster cluster = TestClusters.inMemory(3, CONFIG)) {
            assertTrue(cluster.awaitLeader(Duration.ofSeconds(10)) >= 0);
        }
    }

    @Test
    void freePortsAreDistinctAndAwaitNamesWhatItWaitedFor() {
        final int[] ports = FreePorts.take(5);
        assertEquals(5, Arrays.stream(ports).distinct().count());
        final AssertionError e = assertThrows(AssertionError.class,
            () -> Await.until(() -> false, Duration.ofMillis(20), "the moon turns blue"));
        assertTrue(e.getMessage().contains("the moon turns blue"), e.getMessage());
        assertEquals("done", Await.value(() -> "done", Duration.ofSeconds(1), "a value"));
    }
}
