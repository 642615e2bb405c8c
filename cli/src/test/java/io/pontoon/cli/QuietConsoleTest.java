package io.pontoon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13: the demo's console shows only its own lines; the libraries' log lines (Chronicle, Netty, Pontoon's
 * transport, storage and role lines) go to the log file, or with {@code --verbose} to stderr. The demo runs
 * in-process through {@link PontoonCli#commandLine()} with one node on Chronicle journals and the Netty transport,
 * so both libraries start; the JVM's stdout and stderr are captured as well as the command's own writers.
 */
class QuietConsoleTest {
    /** A library line in CliLogging's format, {@code [thread] LEVEL logger - message}, or JUL's default second line. */
    private static final Pattern LIBRARY_LINE =
        Pattern.compile("(?m)^(\\[[^\\]]*\\] (TRACE|DEBUG|INFO|WARN|ERROR) \\S+ - |(INFO|WARNING|SEVERE): )");

    private static final String[] SHORT_DEMO = {"demo", "--seconds", "1", "--nodes", "1", "--clients", "4"};

    @Test
    void demoConsoleShowsOnlyItsOwnLinesAndTheLibraryLinesGoToTheLogFile(@TempDir Path dir) throws Exception {
        final Path log = dir.resolve("pontoon-demo.log");
        final Console console = Console.capture(args(SHORT_DEMO, "--log-file", log.toString()));

        assertEquals(PontoonCli.EXIT_OK, console.run.exitCode(), console.all());
        assertTrue(console.run.lastOutLine().startsWith("RESULT committed="), console.all());
        assertFalse(LIBRARY_LINE.matcher(console.all()).find(), "library lines on the console:\n" + console.all());
        assertFalse(console.all().contains("pontoon role"), console.all());
        assertTrue(console.stderr.contains("library log lines go to " + log), console.all());

        final String file = Files.readString(log);
        assertTrue(file.contains("INFO io.pontoon.transport.NettyTransport - node 1: listening on"), file);
        assertTrue(file.contains("INFO io.pontoon.storage.ChronicleLogStore - Journal "), file);
        assertTrue(file.contains("INFO io.pontoon.RaftNode - pontoon role node=1 term=1 role=LEADER"), file);
    }

    @Test
    void verbosePrintsTheLibraryLinesOnStderrAndWritesNoLogFile(@TempDir Path dir) throws Exception {
        final Path log = dir.resolve("pontoon-demo.log");
        final Console console = Console.capture(args(SHORT_DEMO, "--verbose", "--log-file", log.toString()));

        assertEquals(PontoonCli.EXIT_OK, console.run.exitCode(), console.all());
        assertTrue(console.run.lastOutLine().startsWith("RESULT committed="), console.all());
        assertTrue(console.stderr.contains("INFO io.pontoon.transport.NettyTransport - node 1: listening on"), console.all());
        assertTrue(console.stderr.contains("INFO io.pontoon.storage.ChronicleLogStore - Journal "), console.all());
        // One line per role change, not JUL's two-line default.
        assertTrue(console.stderr.contains("INFO io.pontoon.RaftNode - pontoon role node=1 term=1 role=LEADER"), console.all());
        assertFalse(console.run.out().contains("pontoon role"), "library lines stay off stdout:\n" + console.run.out());
        assertFalse(Files.exists(log), "--verbose wrote " + log);
    }

    private static String[] args(String[] base, String... more) {
        final String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** One in-process run with the JVM's stdout and stderr captured too (library handlers write to System.err). */
    private record Console(CliRun run, String stdout, String stderr) {
        static Console capture(String... args) {
            final PrintStream out = System.out;
            final PrintStream err = System.err;
            final ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
            final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
            System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
            final CliRun run;
            try {
                run = CliRun.of(args);
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            return new Console(run, capturedOut.toString(StandardCharsets.UTF_8), capturedErr.toString(StandardCharsets.UTF_8));
        }

        String all() {
            return run.out() + run.err() + stdout + stderr;
        }
    }
}
