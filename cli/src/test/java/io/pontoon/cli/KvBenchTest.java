package io.pontoon.cli;

import io.pontoon.testkit.history.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./pontoon kv-bench --local}: the key-value store under the in-process nemesis is linearizable, and a
 * deliberately broken one (reads from a node's own state, no ReadIndex) is caught.
 */
class KvBenchTest {
    private static final Pattern RESULT = Pattern.compile(
        "RESULT ops=(\\d+) ok=(\\d+) fail=(\\d+) info=(\\d+) ops_per_sec=(\\d+) linearizable=(true|false)");

    private static Matcher result(CliRun run) {
        final Matcher m = RESULT.matcher(run.out());
        assertTrue(m.find(), "a RESULT line:\n" + run.out() + run.err());
        return m;
    }

    @Test
    void theStoreUnderPartitionsKillsAndLossIsLinearizable(@TempDir Path dir) throws Exception {
        final Path file = dir.resolve("history.jsonl");
        final CliRun run = CliRun.of("kv-bench", "--local", "3", "--seconds", "20", "--keys", "4", "--clients", "4",
            "--nemesis", "partition,kill,loss", "--seed", "1", "--history", file.toString());
        final Matcher m = result(run);
        assertEquals("true", m.group(6), run.out());
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertTrue(Long.parseLong(m.group(2)) > 0, "operations succeeded: " + m.group());
        assertTrue(run.out().contains("NEMESIS ") && run.out().contains("KILL"), "the nemesis killed a node:\n"
            + run.out());
        final History history = History.readJsonl(file);
        assertEquals(2 * Long.parseLong(m.group(1)), history.size(), "an invoke and a completion per operation");
    }

    @Test
    void aStoreThatReadsFromANodesOwnStateIsCaughtWithinFiveSeeds() {
        String seen = "";
        for (int seed = 1; seed <= 5; seed++) {
            final CliRun run = CliRun.of("kv-bench", "--local", "3", "--seconds", "3", "--keys", "4", "--clients", "4",
                "--read-mode", "unsafe-local", "--nemesis", "partition", "--seed", String.valueOf(seed));
            final Matcher m = result(run);
            seen += m.group() + "\n";
            if (m.group(6).equals("false")) {
                assertEquals(PontoonCli.EXIT_FAILED, run.exitCode());
                assertTrue(run.out().contains("is not linearizable"), "a counterexample:\n" + run.out());
                return;
            }
        }
        throw new AssertionError("the broken store passed five seeds:\n" + seen);
    }

    @Test
    void usageErrorsNameTheOption() {
        CliRun run = CliRun.of("kv-bench", "--seconds", "1");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("--local N or --cluster"), run.err());
        run = CliRun.of("kv-bench", "--local", "3", "--nemesis", "earthquake");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("unknown fault 'earthquake'"), run.err());
        run = CliRun.of("kv-bench", "--cluster", "127.0.0.1:1", "--nemesis", "kill");
        assertEquals(PontoonCli.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("needs --local"), run.err());
    }
}
