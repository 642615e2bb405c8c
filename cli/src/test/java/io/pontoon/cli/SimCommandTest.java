package io.pontoon.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimCommandTest {
    /** A simulator that fails the given seeds and prints a RESULT line like the real one. */
    private static SimCommand.Simulator failing(List<Long> badSeeds, List<String> calls) {
        return (seeds, firstSeed, nodes, trace, out) -> {
            calls.add(seeds + "/" + firstSeed + "/" + nodes + (trace ? "/trace" : ""));
            final List<Long> failed = new ArrayList<>();
            for (long s = firstSeed; s < firstSeed + seeds; s++) {
                if (badSeeds.contains(s)) {
                    failed.add(s);
                    out.println("VIOLATION seed=" + s + " invariant=\"log matching\"");
                }
            }
            out.println("RESULT seeds=" + seeds + " violations=" + failed.size() + " steps=123");
            return new SimCommand.Report(seeds, failed.size(), failed);
        };
    }

    private static CommandLine cli(SimCommand.Simulator simulator) {
        final CommandLine cli = PontoonCli.commandLine();
        final CommandLine sim = new CommandLine(new SimCommand(simulator));
        cli.getCommandSpec().removeSubcommand("sim");
        cli.addSubcommand("sim", sim);
        return cli;
    }

    @Test
    void cleanRunExitsZeroWithResultAsLastLine() {
        final List<String> calls = new ArrayList<>();
        final CliRun run = CliRun.of(cli(failing(List.of(), calls)), "sim", "--seeds", "50", "--first-seed", "7");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.err());
        assertEquals("RESULT seeds=50 violations=0 steps=123", run.lastOutLine());
        assertEquals(List.of("50/7/0"), calls, "--nodes absent means the simulation's default mix (0)");
        assertEquals("", run.err());
    }

    @Test
    void violationsExitOneAndListTheFailingSeeds() {
        final List<String> calls = new ArrayList<>();
        final CliRun run = CliRun.of(cli(failing(List.of(12L, 15L), calls)),
            "sim", "--seeds", "10", "--first-seed", "10", "--nodes", "5");
        assertEquals(PontoonCli.EXIT_FAILED, run.exitCode());
        assertEquals("RESULT seeds=10 violations=2 steps=123", run.lastOutLine());
        assertTrue(run.err().contains("failing seeds: 12 15"), run.err());
        assertTrue(run.err().contains("./pontoon sim --seeds 1 --first-seed 12 --nodes 5"), run.err());
        assertEquals(List.of("10/10/5"), calls);
    }

    @Test
    void seedsMustBePositive() {
        final CliRun run = CliRun.of(cli(failing(List.of(), new ArrayList<>())), "sim", "--seeds", "0");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--seeds must be in [1, " + SimCommand.MAX_SEEDS + "], got 0"), run.err());
    }

    @Test
    void nodesOutOfRangeIsAUsageError() {
        final List<String> calls = new ArrayList<>();
        final CliRun run = CliRun.of(cli(failing(List.of(), calls)), "sim", "--nodes", "12");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--nodes must be in [1, 9], got 12"), run.err());
        assertTrue(calls.isEmpty(), "the simulation must not run on bad usage");
    }

    @Test
    void traceReplaysOneSeed() {
        final List<String> calls = new ArrayList<>();
        final CliRun run = CliRun.of(cli(failing(List.of(), calls)), "sim", "--seeds", "1", "--first-seed", "99", "--trace");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.err());
        assertEquals(List.of("1/99/0/trace"), calls);
    }

    @Test
    void traceWithManySeedsIsAUsageError() {
        final CliRun run = CliRun.of(cli(failing(List.of(), new ArrayList<>())), "sim", "--seeds", "5", "--trace");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--trace replays one seed"), run.err());
    }

    /** The real simulation, a few seeds: the command is wired to the testkit's runner. */
    @Test
    void realSimulationRunsAFewSeedsCleanly() {
        final CliRun run = CliRun.of("sim", "--seeds", "4", "--first-seed", "1");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertTrue(run.lastOutLine().startsWith("RESULT seeds=4 violations=0"), run.lastOutLine());
    }
}
