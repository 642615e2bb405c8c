package io.pontoon.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PontoonCliTest {
    @Test
    void noCommandIsAUsageErrorThatListsTheCommands() {
        final CliRun run = CliRun.of();
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("Missing command"), run.err());
        assertTrue(run.err().contains("demo") && run.err().contains("sim"), run.err());
    }

    @Test
    void everyCommandHasHelp() {
        final CommandLine cli = PontoonCli.commandLine();
        for (String name : cli.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            final CliRun run = CliRun.of(name, "--help");
            assertEquals(PontoonCli.EXIT_OK, run.exitCode(), name);
            assertTrue(run.out().startsWith("Usage: pontoon " + name), run.out());
        }
    }

    @Test
    void topLevelHelpListsDemoAndSim() {
        final CliRun run = CliRun.of("--help");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode());
        assertTrue(run.out().contains("  demo ") && run.out().contains("  sim "), run.out());
    }

    @Test
    void unknownCommandIsAUsageError() {
        final CliRun run = CliRun.of("demoo");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("demo"), run.err());
    }

    @Test
    void versionNamesPontoon() {
        final CliRun run = CliRun.of("--version");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode());
        assertTrue(run.out().startsWith("pontoon "), run.out());
    }

    /** Issue 9: by default anyone who reached the port was accepted as a peer. */
    @Test
    void aNodeRefusesANonLoopbackListenAddressWithoutAPeerSecret(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        final CliRun run = CliRun.of("node", "--id", "1", "--listen", "0.0.0.0:0", "--peers", "1=0.0.0.0:7001",
            "--data-dir", dir.toString());
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("refusing to listen on 0.0.0.0:0 without peer authentication")
            && run.err().contains("--peer-secret-file") && run.err().contains("--insecure"), run.err());
    }

    @Test
    void aSharedSecretCannotBeMixedWithSplitOnes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        final java.nio.file.Path shared = java.nio.file.Files.writeString(dir.resolve("shared"), "a shared secret of some length");
        final java.nio.file.Path peer = java.nio.file.Files.writeString(dir.resolve("peer"), "the peer secret of some length");
        final CliRun run = CliRun.of("node", "--id", "1", "--listen", "127.0.0.1:0", "--peers", "1=127.0.0.1:7001",
            "--data-dir", dir.resolve("data").toString(), "--secret-file", shared.toString(), "--peer-secret-file", peer.toString());
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--secret-file (one shared secret) cannot be combined"), run.err());
    }
}
