package io.pontoon.cli;

import io.pontoon.HashingStateMachine;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.server.PontoonServer;
import io.pontoon.storage.Durability;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pontoon fault} in-process against three {@link PontoonServer}s in this JVM: nodes 1 and 2 run with fault
 * control, node 3 without. The command cuts node 1 off and heals it, and its refusals and usage errors name what is
 * wrong.
 */
class FaultCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path root;

    private static final PontoonServer[] SERVERS = new PontoonServer[4];
    private static int[] ports;
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
        ports = freePorts(3);
        for (int id = 1; id <= 3; id++) {
            final PontoonServer.Builder b = PontoonServer.builder().nodeId(id).dataDir(root.resolve("node-" + id))
                .listen(address(id)).durability(Durability.PAGE_CACHE)
                .electionTimeout(Duration.ofMillis(300)).heartbeatInterval(Duration.ofMillis(50))
                .peerSecret(peerSecret).clientSecret(clientSecret).adminSecret(adminSecret)
                .faultControl(id != 3)
                .stateMachine(new HashingStateMachine());
            for (int p = 1; p <= 3; p++) {
                b.peer(p, address(p));
            }
            SERVERS[id] = b.start();
        }
        cluster = address(1) + "," + address(2) + "," + address(3);
    }

    @AfterAll
    static void stopCluster() {
        for (PontoonServer s : SERVERS) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static String address(int id) {
        return "127.0.0.1:" + ports[id - 1];
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

            await(() -> role(apps, 2) == Role.LEADER || role(apps, 3) == Role.LEADER, "node 2 or 3 leads");
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
            await(() -> commitIndex(apps, 1) >= committed, "node 1 commits " + committed + " once cleared");
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
        final PontoonClientConfig.Builder b = PontoonClientConfig.builder().secret(clientSecret);
        for (int id : nodes) {
            b.address(address(id));
        }
        return new PontoonClient(b.build());
    }

    private static Role role(PontoonClient client, int id) {
        try {
            return client.status(address(id)).get(5, TimeUnit.SECONDS).role();
        } catch (Exception unreachable) {
            return null;
        }
    }

    private static long commitIndex(PontoonClient client, int id) {
        try {
            return client.status(address(id)).get(5, TimeUnit.SECONDS).commitIndex();
        } catch (Exception unreachable) {
            return -1;
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }

    private static int[] freePorts(int n) throws IOException {
        final int[] found = new int[n];
        final ServerSocket[] sockets = new ServerSocket[n];
        for (int i = 0; i < n; i++) {
            sockets[i] = new ServerSocket(0);
            found[i] = sockets[i].getLocalPort();
        }
        for (ServerSocket s : sockets) {
            s.close();
        }
        return found;
    }
}
