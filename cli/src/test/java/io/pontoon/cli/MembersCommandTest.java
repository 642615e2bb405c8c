package io.pontoon.cli;

import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.testkit.TestClusters;
import io.pontoon.transport.NettyLoopbackFabric;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pontoon members} and the MEMBERSHIP lines of {@code pontoon status}, in-process against a 3-node cluster in
 * this JVM served over Netty; and its usage errors, which name what is wrong before anything is sent.
 */
class MembersCommandTest {
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

    private static CliRun members(String... args) {
        final String[] all = new String[args.length + 5];
        all[0] = "members";
        all[1] = "--cluster";
        all[2] = addresses;
        all[3] = "--cluster-id";
        all[4] = CLUSTER_ID;
        System.arraycopy(args, 0, all, 5, args.length);
        return CliRun.of(all);
    }

    @Test
    void aLearnerIsAddedListedInStatusAndRemovedAndRefusalsNameTheReason() {
        CliRun run = members("list");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertEquals(List.of("VOTER 1 -", "VOTER 2 -", "VOTER 3 -"), run.outLines(), "LocalCluster starts without "
            + "addresses in its configuration");

        final String learnerAddress = fabric.memberAddress(4);
        run = members("add", "4=" + learnerAddress, "--learner");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertEquals(List.of("VOTER 1 -", "VOTER 2 -", "VOTER 3 -", "LEARNER 4 " + learnerAddress), run.outLines());

        final CliRun status = CliRun.of("status", "--cluster", addresses, "--cluster-id", CLUSTER_ID);
        assertEquals(PontoonCli.EXIT_OK, status.exitCode(), status.out() + status.err());
        final List<String> membership = status.outLines().stream().filter(l -> l.startsWith("MEMBERSHIP ")).toList();
        assertEquals(3, membership.size(), status.out());
        for (String line : membership) {
            assertTrue(line.matches("MEMBERSHIP of=[123] voters=1,2,3 learners=4"), line);
        }

        run = members("add", "2=127.0.0.1:7002", "--learner");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("members add 2=127.0.0.1:7002 --learner failed: refused: ")
            && run.err().contains("node 2 is already a member"), run.err());
        run = members("promote", "9");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("members promote 9 failed: refused: ")
            && run.err().contains("node 9 is not a learner"), run.err());

        run = members("remove", "4");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertEquals(List.of("VOTER 1 -", "VOTER 2 -", "VOTER 3 -"), run.outLines());
    }

    @Test
    void aClusterNobodyAnswersForFailsNamingTheUnreachableNode() throws Exception {
        final String nobody = "127.0.0.1:" + freePort();
        final CliRun run = CliRun.of("members", "--cluster", nobody, "list", "--timeout-ms", "500");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("members list failed: "), run.err());
        assertTrue(run.err().contains(nobody), run.err());
        assertEquals("", run.out());
    }

    @Test
    void badActionsMembersIdsAndAddressesAreUsageErrorsNamingWhatIsWrong() {
        assertUsage("ACTION must be list, add, promote or remove, got 'frob'", "frob");
        assertUsage("'add' needs ID=HOST:PORT", "add");
        assertUsage("'add' needs ID=HOST:PORT, got '4'", "add", "4");
        assertUsage("node ID must be a positive integer, got 'x' in 'x=h:1'", "add", "x=h:1");
        assertUsage("'add 4=h': the address 'h' is not host:port", "add", "4=h");
        assertUsage("port '0', not in [1, 65535]", "add", "4=h:0");
        assertUsage("node ID must be a positive integer, got '0'", "promote", "0");
        assertUsage("'remove' needs a node ID", "remove");
        assertUsage("'list' takes no MEMBER, got '3'", "list", "3");
        assertUsage("--learner goes with 'add', not 'promote'", "promote", "4", "--learner");
        assertUsage("Missing required parameter: 'ACTION'");
        assertUsage("--timeout-ms must be in [1, 600000], got 0", "list", "--timeout-ms", "0");
    }

    private static void assertUsage(String expected, String... args) {
        final String[] all = new String[args.length + 3];
        all[0] = "members";
        all[1] = "--cluster";
        all[2] = "127.0.0.1:1";
        System.arraycopy(args, 0, all, 3, args.length);
        final CliRun run = CliRun.of(all);
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertTrue(run.err().contains("pontoon members --help"), run.err());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
