package io.pontoon.transport.client;

import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.transport.NettyFabricAccess;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PontoonClient against a real 3-node Raft cluster over Netty with Chronicle journals. */
class ClientOverRaftTest {
    private static RaftConfig config() {
        return RaftConfig.builder().electionTimeoutNs(150_000_000L).heartbeatIntervalNs(20_000_000L)
            .proposalTimeoutNs(30_000_000_000L).build();
    }

    @Test
    void clientAppendsAreCommittedOnEveryNodeAtTheirLsnAndSurviveALeaderCrash() throws Exception {
        final NettyFabricAccess fabric = new NettyFabricAccess(77);
        try (LocalCluster cluster = LocalCluster.start(3, config(), fabric.fabric())) {
            final List<Map<Long, String>> applied = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                final Map<Long, String> m = new ConcurrentHashMap<>();
                applied.add(m);
                cluster.onCommit(i, (lsn, term, data, offset, length) -> m.put(lsn, data.getStringWithoutLengthAscii(offset, length)));
            }
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            fabric.serveClients(cluster);
            final int follower = (leader + 1) % 3;

            final PontoonClientConfig.Builder b = PontoonClientConfig.builder().clusterId(fabric.clusterId());
            b.address(fabric.address(follower + 1)); // first try a follower: must be redirected
            for (int i = 0; i < 3; i++) {
                b.address(fabric.address(i + 1));
            }
            try (PontoonClient client = new PontoonClient(b.build())) {
                final List<CompletableFuture<Long>> acks = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    acks.add(client.append(("e" + i).getBytes(StandardCharsets.US_ASCII)));
                }
                final Set<Long> lsns = new HashSet<>();
                for (int i = 0; i < acks.size(); i++) {
                    final long lsn = acks.get(i).get(60, TimeUnit.SECONDS);
                    assertTrue(lsns.add(lsn), "duplicate lsn " + lsn);
                    final String expected = "e" + i;
                    for (int n = 0; n < 3; n++) {
                        final Map<Long, String> m = applied.get(n);
                        awaitCondition(() -> m.containsKey(lsn), "node " + (n + 1) + " applies lsn " + lsn);
                        assertEquals(expected, m.get(lsn));
                    }
                }
                assertEquals(fabric.address(leader + 1), client.leaderHint());

                final RaftStatus s = client.status(fabric.address(follower + 1)).get(30, TimeUnit.SECONDS);
                assertEquals(follower + 1, s.nodeId());
                assertEquals(Role.FOLLOWER, s.role());
                assertEquals(leader + 1, s.leaderId());

                // crash the leader: the client finds the new one
                cluster.stop(leader);
                final int newLeader = cluster.awaitLeader(Duration.ofSeconds(30));
                long lsn = -1;
                final StringBuilder failures = new StringBuilder();
                for (int attempt = 0; attempt < 20 && lsn < 0; attempt++) {
                    try {
                        lsn = client.append("after-crash".getBytes(StandardCharsets.US_ASCII)).get(60, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        // the first tries may still hit the dead leader's connection
                        failures.append("\n attempt ").append(attempt).append(": ").append(e.getCause())
                            .append(" target=").append(client.leaderHint()).append(' ').append(statuses(cluster));
                    }
                }
                assertTrue(lsn > 0, "no append succeeded after the leader crash (new leader " + (newLeader + 1) + ")" + failures);
                assertEquals(fabric.address(newLeader + 1), client.leaderHint());
                final long committed = lsn;
                awaitCondition(() -> "after-crash".equals(applied.get(newLeader).get(committed)), "new leader applies it");
            }
        } finally {
            fabric.close();
        }
    }

    private static String statuses(LocalCluster cluster) {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.isRunning(i)) {
                sb.append(" [").append(cluster.node(i).status()).append(']');
            }
        }
        return sb.toString();
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}
