package io.pontoon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14: `.ci/run` printed the Java and Maven versions through `| head -n 1` under `set -o pipefail`; when
 * `head` exited before the writer finished, the writer died of SIGPIPE and the script failed before Maven
 * started. The part of the script up to the Maven start is run here 200 times against stub `java` and `mvn`
 * that write far more than a pipe buffer holds after their first line, so a pipe into anything that stops
 * reading early fails every run rather than one in five.
 */
class CiRunScriptTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final int RUNS = 200;

    @Test
    void versionPrintingNeverFailsTheScript(@TempDir Path stubs) throws Exception {
        writeStub(stubs.resolve("java"), "openjdk version \"17.0.99\" 2099-01-01");
        writeStub(stubs.resolve("mvn"), "Apache Maven 9.9.9");

        for (int run = 1; run <= RUNS; run++) {
            final ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve(".ci/run").toString())
                .redirectErrorStream(true);
            pb.environment().put("PATH", stubs + ":" + System.getenv("PATH"));
            pb.environment().put("CI", "true");
            pb.environment().put("CI_RUN_DRY_RUN", "1");
            final Process p = pb.start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "run " + run + " did not finish");
            assertEquals(0, p.exitValue(), "run " + run + " of .ci/run failed before Maven started:\n" + out);
            assertEquals(List.of("openjdk version \"17.0.99\" 2099-01-01", "Apache Maven 9.9.9",
                ".ci/run: dry run, would now exec: mvn -B verify"), out.lines().toList(), "run " + run);
        }
    }

    /** A stub that prints its version line, then 1 MiB more, to stderr as `java -version` does. */
    private static void writeStub(Path file, String firstLine) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n"
            + "echo '" + firstLine.replace("'", "'\\''") + "' >&2\n"
            + "head -c 1048576 /dev/zero | tr '\\0' 'x' >&2\n"
            + "echo >&2\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
