package io.pontoon.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {
    @Test
    void payloadOutOfRangeFailsNamingTheOptionAndRange() {
        final CliRun run = CliRun.of("demo", "--payload", "0");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--payload must be in [1, 1048576], got 0"), run.err());
        assertTrue(run.err().contains("pontoon demo --help"), run.err());
    }

    @Test
    void nodesOutOfRangeFailsNamingTheOption() {
        final CliRun run = CliRun.of("demo", "--nodes", "0");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--nodes must be in [1, " + DemoCommand.MAX_NODES + "], got 0"), run.err());
    }

    @Test
    void clientsMustBePositive() {
        final CliRun run = CliRun.of("demo", "--clients", "-3");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--clients must be in [1, 65536], got -3"), run.err());
    }

    @Test
    void failoverTakesOnlyTrueOrFalse() {
        final CliRun run = CliRun.of("demo", "--failover", "maybe");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("'maybe' is not a boolean"), run.err());
    }

    @Test
    void notANumberIsAUsageError() {
        final CliRun run = CliRun.of("demo", "--seconds", "ten");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--seconds"), run.err());
    }

    @Test
    void shortDemoCommitsAndEndsWithTheResultLine() {
        final CliRun run = CliRun.of("demo", "--seconds", "2", "--failover", "false", "--clients", "8");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertTrue(run.outLines().stream().anyMatch(l -> l.startsWith("t=") && l.contains("commits/s=")), run.out());
        final String last = run.lastOutLine();
        assertTrue(last.matches("RESULT committed=[1-9]\\d* ops_per_sec=\\d+ p50_us=\\d+ p99_us=\\d+ "
            + "failover_ms=-1 failed=\\d+ leader_changes=\\d+ heap_used_mb=[1-9]\\d*"), last);
    }

    @Test
    void deliberateFailoverIsCountedAsALeaderChange() {
        final CliRun run = CliRun.of("demo", "--seconds", "4", "--durability", "MEMORY", "--clients", "8");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        final String last = run.lastOutLine();
        assertTrue(last.matches("RESULT committed=[1-9]\\d* .* failover_ms=\\d+ failed=\\d+ "
            + "leader_changes=[1-9]\\d* heap_used_mb=[1-9]\\d*"), last);
    }

    @Test
    void failoverIsSkippedWithANoteBelowThreeNodes() {
        final CliRun run = CliRun.of("demo", "--seconds", "1", "--nodes", "1", "--clients", "4");
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("failover skipped"), run.out());
        assertTrue(run.lastOutLine().contains("failover_ms=-1"), run.lastOutLine());
    }
}
