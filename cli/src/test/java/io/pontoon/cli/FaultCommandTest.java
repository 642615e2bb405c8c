package io.pontoon.cli;

import io.pontoon.HashingStateMachine;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.server.PontoonServer;
import io.pontoon.server.testing.ServerCluster;
import io.pontoon.transport.client.PontoonClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pontoon fault} in-process against three {@link PontoonServer}s in this JVM: nodes 1 and 2 run with fault
 * control, node 3 without. The command cuts node 1 off and heals it, and its refusals and usage errors name what is
 * wrong.
 */
class FaultCommandTest {
    private static final Duration TIMEOUT = ServerCluster.TIMEOUT;

    @TempDir
    static Path root;

    private static ServerCluster servers;
    private static String cluster;
    private static Path adminSecretFile;
    private static Path clientSecretFile;
    private static byte[] clientSecret;

    @BeforeAll
    static void startCluster() throws IOException {
        final byte[] peerSecret = "fault-cli peer secret, nodes only".getBytes(StandardCharsets.US_ASCII);
        clientSecret = "fault-cli client secret for apps".getBytes(StandardCharsets.US_ASCII);
        final byte[] adminSecret = "fault-cli admin secret, operators".getBytes(StandardCharsets.US_ASCII);
        adminSecretFile = Files.write(root.resolve("admin.secret"), adminSecret);
        clientSecretFile = Files.write(root.resolve("client.secret"), clientSecret);
        servers = new ServerCluster(root, 3).startAll((id, b) -> b
            .peerSecret(peerSecret).clientSecret(clientSecret).adminSecret(adminSecret)
            .faultControl(id != 3)
            .stateMachine(new HashingStateMachine()));
        cluster = servers.addresses();
    }

    @AfterAll
    static void stopCluster() {
        if (servers != null) {
            servers.close();
        }
    }

    private static String address(int id) {
        return servers.address(id);
    }

    private static CliRun fault(Path secretFile, String... args) {
        final List<String> all = new ArrayList<>(List.of("fault", "--cluster", cluster, "--admin-secret-file",
            secretFile.toString()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(new String[0]));
    }

    @Test
    void aNodeIsCutOffByPartitionAndCatchesUpOnceCleared() throws Exception {
        try (PontoonClient apps = client(1, 2, 3); PontoonClient rest = client(2, 3)) {
            apps.append("before".getBytes(StandardCharsets.UTF_8)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            CliRun run = fault(adminSecretFile, "--node", "1", "--partition", "1/2,3");
            assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
            assertEquals("FAULT ok node=1 address=" + address(1) + " partition=1", run.lastOutLine());

            ServerCluster.await(() -> role(apps, 2) == Role.LEADER || role(apps, 3) == Role.LEADER, "node 2 or 3 leads");
            long lsn = 0;
            for (int i = 0; i < 5; i++) {
                lsn = rest.append(("cut-" + i).getBytes(StandardCharsets.UTF_8)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            final RaftStatus cut = apps.status(address(1)).get(30, TimeUnit.SECONDS);
            assertTrue(cut.commitIndex() < lsn, "node 1 committed " + cut.commitIndex() + " while cut off; the others "
                + lsn);

            run = fault(adminSecretFile, "--node", "1", "--clear");
            assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
            assertEquals("FAULT ok node=1 address=" + address(1) + " none", run.lastOutLine());
            final long committed = lsn;
            ServerCluster.await(() -> commitIndex(apps, 1) >= committed, "node 1 commits " + committed + " once cleared");
        }
    }

    @Test
    void dropAndDelayAreSetAndTheRulesCleared() {
        CliRun run = fault(adminSecretFile, "--node", "2", "--drop", "0.05", "--delay-ms", "2", "--jitter-ms", "1");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertEquals("FAULT ok node=2 address=" + address(2) + " drop=0.05 delay_ms=2 jitter_ms=1", run.lastOutLine());
        run = fault(adminSecretFile, "--node", "2", "--clear");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
    }

    @Test
    void refusalsNameWhy() {
        CliRun run = fault(adminSecretFile, "--node", "3", "--drop", "0.5");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("fault --node 3 failed: refused: fault control is off on node 3 (start it "
            + "with --fault-control"), run.err());
        assertEquals("", run.out());

        run = fault(clientSecretFile, "--node", "1", "--drop", "0.5");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("refused: FAULT needs the admin credential"), run.err());

        run = fault(adminSecretFile, "--node", "9", "--clear");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("fault --node 9 --clear failed: node 9 is not among the nodes of --cluster ("
            + address(1) + ": node 1; "), run.err());
    }

    @Test
    void badOptionsAreUsageErrorsNamingWhatIsWrong() {
        assertUsage("give at least one of --drop, --delay-ms, --jitter-ms, --partition, or --clear", "--node", "1");
        assertUsage("--clear removes every rule; it cannot be combined with --drop", "--node", "1", "--clear",
            "--drop", "0.1");
        assertUsage("--drop must be a probability in [0, 1], got 1.5", "--node", "1", "--drop", "1.5");
        assertUsage("--delay-ms must be in [0, 60000], got 60001", "--node", "1", "--delay-ms", "60001");
        assertUsage("--jitter-ms must be in [0, 60000], got -1", "--node", "1", "--jitter-ms", "-1");
        assertUsage("--partition needs at least two groups of node ids separated by '/'", "--node", "1",
            "--partition", "1,2");
        assertUsage("--partition '1,2/2' lists node 2 twice", "--node", "1", "--partition", "1,2/2");
        assertUsage("--partition '1,2/3' puts node 4 (--node) in no group", "--node", "4", "--partition", "1,2/3");
        assertUsage("--partition '1,x/3': 'x' is not a node id", "--node", "1", "--partition", "1,x/3");
        assertUsage("'' is not a node id (a positive integer); is a group empty?", "--node", "1", "--partition", "1/");
        assertUsage("--node must be in [1, 2147483647], got 0", "--node", "0", "--clear");
        assertUsage("--timeout-ms must be in [1, 600000], got 0", "--node", "1", "--clear", "--timeout-ms", "0");
        final CliRun run = CliRun.of("fault", "--cluster", "127.0.0.1:1", "--node", "1", "--clear");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("Missing required option: '--admin-secret-file"), run.err());
    }

    @Test
    void helpDescribesTheFaultsAndTheCredential() {
        final CliRun run = CliRun.of("fault", "--help");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.err());
        for (String expected : new String[] {"--fault-control", "--partition 1,2/3", "--admin-secret-file",
            "Each run replaces the node's previous rules", "peer links only, never on client"}) {
            assertTrue(run.out().contains(expected), expected + " in\n" + run.out());
        }
    }

    private static void assertUsage(String expected, String... args) {
        final List<String> all = new ArrayList<>(List.of("fault", "--cluster", "127.0.0.1:1", "--admin-secret-file",
            adminSecretFile.toString()));
        all.addAll(List.of(args));
        final CliRun run = CliRun.of(all.toArray(new String[0]));
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertTrue(run.err().contains("pontoon fault --help"), run.err());
    }

    private static PontoonClient client(int... nodes) {
        return servers.client(clientSecret, nodes);
    }

    private static Role role(PontoonClient client, int id) {
        final RaftStatus s = servers.statusOrNull(client, id);
        return s == null ? null : s.role();
    }

    private static long commitIndex(PontoonClient client, int id) {
        final RaftStatus s = servers.statusOrNull(client, id);
        return s == null ? -1 : s.commitIndex();
    }
}
