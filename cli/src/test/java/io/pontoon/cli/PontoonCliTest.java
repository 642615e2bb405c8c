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
}
