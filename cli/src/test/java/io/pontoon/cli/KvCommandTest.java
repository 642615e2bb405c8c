package io.pontoon.cli;

import io.pontoon.kv.KvRequestHandler;
import io.pontoon.kv.KvStateMachine;
import io.pontoon.server.PontoonServer;
import io.pontoon.server.testing.ServerCluster;
import io.pontoon.storage.Durability;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pontoon kv} in-process against three {@link PontoonServer}s in this JVM running the key-value store: each
 * operation prints its one line, a failure names the operation and why on stderr, and usage errors name what is wrong
 * before anything is sent.
 */
class KvCommandTest {
    @TempDir
    static Path root;

    private static ServerCluster servers;
    private static String addresses;

    @BeforeAll
    static void startCluster() {
        servers = new ServerCluster(root, 3).startAll((id, b) -> {
            final KvStateMachine sm = new KvStateMachine();
            b.stateMachine(sm).requestHandler(new KvRequestHandler(sm));
        });
        addresses = servers.addresses();
        servers.awaitLeader();
    }

    @AfterAll
    static void stopCluster() {
        if (servers != null) {
            servers.close();
        }
    }

    private static CliRun kv(String... args) {
        final String[] all = new String[args.length + 3];
        all[0] = "kv";
        all[1] = "--cluster";
        all[2] = addresses;
        System.arraycopy(args, 0, all, 3, args.length);
        return CliRun.of(all);
    }

    private static void assertAnswer(String expected, String... args) {
        final CliRun run = kv(args);
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertEquals(List.of(expected), run.outLines(), String.join(" ", args));
        assertEquals("", run.err());
    }

    @Test
    void eachOperationPrintsItsOneLine() {
        assertAnswer("NOT_FOUND", "get", "color");
        assertAnswer("OK", "put", "color", "light blue");
        assertAnswer("VALUE light blue", "get", "color");
        assertAnswer("CAS_FAILED found=light blue", "cas", "color", "red", "green");
        assertAnswer("OK", "cas", "color", "light blue", "green");
        assertAnswer("VALUE green", "GET", "color");
        assertAnswer("CAS_FAILED absent", "cas", "shape", "round", "square");
        assertAnswer("OK", "delete", "color");
        assertAnswer("NOT_FOUND", "delete", "color");
        assertAnswer("NOT_FOUND", "get", "color");
    }

    @Test
    void aClusterNobodyAnswersForFailsWithAnUnknownOutcomeNamingTheOperation() throws Exception {
        final String nobody = "127.0.0.1:" + NodeProcesses.freePorts(1)[0];
        final CliRun run = CliRun.of("kv", "--cluster", nobody, "--timeout-ms", "500", "put", "k", "v");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("kv put k failed: put k: outcome unknown"), run.err());
        assertTrue(run.err().contains("may or may not have been applied"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void aNodeWithoutTheStoreRefusesNamingWhy() throws Exception {
        try (NodeProcesses dirs = new NodeProcesses("pontoon-kv-cli-plain")) {
            final int port = NodeProcesses.freePorts(1)[0];
            final PontoonServer plain = PontoonServer.builder().nodeId(1).listen("127.0.0.1:" + port)
                .peer(1, "127.0.0.1:" + port).dataDir(dirs.root).durability(Durability.PAGE_CACHE)
                .electionTimeout(Duration.ofMillis(100)).heartbeatInterval(Duration.ofMillis(20))
                .stateMachine(new io.pontoon.HashingStateMachine()).start();
            try {
                final CliRun run = CliRun.of("kv", "--cluster", "127.0.0.1:" + port, "get", "k");
                assertEquals(PontoonCli.EXIT_FAILED, run.exitCode(), run.out() + run.err());
                assertTrue(run.err().startsWith("kv get k failed: refused: get k refused: this node serves no "
                    + "application requests"), run.err());
            } finally {
                plain.close();
            }
        }
    }

    @Test
    void badOperationsAndArgumentsAreUsageErrorsNamingWhatIsWrong() {
        assertUsage("OP must be put, get, delete or cas, got 'incr'", "incr", "k");
        assertUsage("'put' takes KEY VALUE, got 1 argument: k", "put", "k");
        assertUsage("'get' takes KEY, got 0 arguments", "get");
        assertUsage("'cas' takes KEY OLD NEW, got 2 arguments: k a", "cas", "k", "a");
        assertUsage("'delete' takes KEY, got 2 arguments: k x", "delete", "k", "x");
        assertUsage("KEY must not be empty", "get", "");
        assertUsage("Missing required parameter: 'OP'");
        assertUsage("--timeout-ms must be in [1, 600000], got 0", "get", "k", "--timeout-ms", "0");
    }

    private static void assertUsage(String expected, String... args) {
        final String[] all = new String[args.length + 3];
        all[0] = "kv";
        all[1] = "--cluster";
        all[2] = "127.0.0.1:1";
        System.arraycopy(args, 0, all, 3, args.length);
        final CliRun run = CliRun.of(all);
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertTrue(run.err().contains("pontoon kv --help"), run.err());
    }
}
