package io.pontoon.cli;

import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.testkit.TestClusters;
import io.pontoon.transport.NettyLoopbackFabric;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pontoon transfer} and {@code pontoon read-index} run in-process against a 3-node cluster in this JVM
 * served over Netty (loopback, Chronicle journals in a temporary directory).
 */
class TransferCommandTest {
    private static final String CLUSTER_ID = String.valueOf(NettyLoopbackFabric.CLUSTER_ID);
    private static NettyLoopbackFabric fabric;
    private static LocalCluster cluster;
    private static String addresses;

    @BeforeAll
    static void startCluster() {
        cluster = TestClusters.overNetty(3, RaftConfig.builder().electionTimeoutNs(150_000_000L)
            .heartbeatIntervalNs(20_000_000L).build(), null);
        fabric = (NettyLoopbackFabric) cluster.fabric();
        cluster.awaitLeader(Duration.ofSeconds(30));
        fabric.serveClients(cluster);
        addresses = address(1) + "," + address(2) + "," + address(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close(); // closes the fabric, which deletes the stores
        }
    }

    private static String address(int nodeId) {
        final InetSocketAddress a = fabric.address(nodeId);
        return a.getHostString() + ":" + a.getPort();
    }

    @Test
    void transferHandsLeadershipToTheNamedNodeAndPrintsOneOkLine() {
        final int leader = cluster.awaitLeader(Duration.ofSeconds(30)) + 1;
        final int target = leader % 3 + 1;
        final CliRun run = CliRun.of("transfer", "--cluster", addresses, "--cluster-id", CLUSTER_ID,
            "--to", String.valueOf(target), "--timeout-ms", "30000");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.outLines().size(), run.out());
        final Matcher m = Pattern.compile("TRANSFER ok from=(\\d+) to=(\\d+) term=(\\d+)").matcher(run.lastOutLine());
        assertTrue(m.matches(), run.out());
        assertEquals(leader, Integer.parseInt(m.group(1)));
        assertEquals(target, Integer.parseInt(m.group(2)));
        assertEquals(target - 1, cluster.awaitLeader(Duration.ofSeconds(30)), "node " + target + " leads");
        assertEquals(Long.parseLong(m.group(3)), cluster.node(target - 1).status().term());
    }

    @Test
    void statusPrintsEachFollowersMatchIndexAndLagAfterTheLeadersLine() throws Exception {
        final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
        final long lsn = cluster.node(leader).propose(new byte[] {1}).get(30, java.util.concurrent.TimeUnit.SECONDS);
        final CliRun run = CliRun.of("status", "--cluster", addresses, "--cluster-id", CLUSTER_ID);
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        final java.util.List<String> followers =
            run.outLines().stream().filter(l -> l.startsWith("FOLLOWER ")).toList();
        assertEquals(2, followers.size(), run.out());
        final Pattern line = Pattern.compile(
            "FOLLOWER of=(\\d+) id=(\\d+) match_index=(\\d+) next_index=(\\d+) lag=(\\d+)"
                + " state=(PROBE|REPLICATE|SNAPSHOT) voter=true");
        for (String f : followers) {
            final Matcher m = line.matcher(f);
            assertTrue(m.matches(), f);
            assertEquals(leader + 1, Integer.parseInt(m.group(1)), f);
            assertTrue(Integer.parseInt(m.group(2)) != leader + 1, f);
            assertTrue(Long.parseLong(m.group(3)) + Long.parseLong(m.group(5)) >= lsn, f);
        }
    }

    @Test
    void transferToTheCurrentLeaderIsAlreadyDone() {
        final int leader = cluster.awaitLeader(Duration.ofSeconds(30)) + 1;
        final CliRun run = CliRun.of("transfer", "--cluster", addresses, "--cluster-id", CLUSTER_ID,
            "--to", String.valueOf(leader), "--timeout-ms", "30000");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertTrue(run.lastOutLine().matches("TRANSFER ok from=" + leader + " to=" + leader + " term=\\d+"), run.out());
    }

    @Test
    void transferToANonMemberFailsWithTheLeadersRefusal() {
        final int leader = cluster.awaitLeader(Duration.ofSeconds(30)) + 1;
        final CliRun run = CliRun.of("transfer", "--cluster", addresses, "--cluster-id", CLUSTER_ID,
            "--to", "9", "--timeout-ms", "30000");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.lastOutLine().startsWith("TRANSFER failed code=INVALID from=" + leader + " to=9"), run.out());
    }

    @Test
    void transferWithNoReachableNodeFailsNoLeader() throws Exception {
        final String nobody = "127.0.0.1:" + freePort();
        final CliRun run = CliRun.of("transfer", "--cluster", nobody, "--cluster-id", CLUSTER_ID, "--to", "2",
            "--timeout-ms", "300");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.lastOutLine().startsWith("TRANSFER failed code=NO_LEADER to=2"), run.out());
    }

    @Test
    void transferToANodeIdBelowOneIsAUsageError() {
        final CliRun run = CliRun.of("transfer", "--cluster", "127.0.0.1:1", "--to", "0");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("--to must be in [1, 2147483647], got 0"), run.err());
        assertTrue(run.err().contains("pontoon transfer --help"), run.err());
    }

    @Test
    void readIndexOfEveryNodeCoversAnAcknowledgedAppend() throws Exception {
        cluster.awaitLeader(Duration.ofSeconds(30));
        final long lsn;
        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(addresses)
            .clusterId(NettyLoopbackFabric.CLUSTER_ID).build())) {
            lsn = client.append("read-me".getBytes(StandardCharsets.US_ASCII)).get(30, TimeUnit.SECONDS);
        }
        final CliRun run = CliRun.of("read-index", "--cluster", addresses, "--cluster-id", CLUSTER_ID,
            "--timeout-ms", "30000");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        final List<String> lines = run.outLines();
        assertEquals(3, lines.size(), run.out());
        for (int i = 0; i < 3; i++) {
            final Matcher m = Pattern.compile("READ_INDEX node=" + Pattern.quote(address(i + 1)) + " index=(\\d+)")
                .matcher(lines.get(i));
            assertTrue(m.matches(), lines.get(i));
            assertTrue(Long.parseLong(m.group(1)) >= lsn, lines.get(i) + " covers lsn " + lsn);
        }
    }

    @Test
    void aLeaseReadOnAFollowerFails() {
        final int follower = (cluster.awaitLeader(Duration.ofSeconds(30)) + 1) % 3 + 1;
        final CliRun run = CliRun.of("read-index", "--cluster", addresses, "--cluster-id", CLUSTER_ID,
            "--node", address(follower), "--lease", "--timeout-ms", "30000");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertEquals("READ_INDEX node=" + address(follower) + " failed=NOT_LEADER", run.lastOutLine());
    }

    @Test
    void readIndexWithAMalformedNodeIsAUsageError() {
        final CliRun run = CliRun.of("read-index", "--cluster", "127.0.0.1:1", "--node", "nohostport");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("--node must be host:port"), run.err());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
