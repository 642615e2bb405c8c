package io.pontoon.storage;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM running one of the test mains, with this JVM's java binary, class path and module flags. Its
 * stdout lines are collected by a reader thread so the test can wait for them against a deadline.
 */
final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    final Process process;
    final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        final Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child was killed; EOF below
            } finally {
                lines.add(EOF);
            }
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass} with this JVM's flags; {@code dropFlag} removes flags that contain it. */
    static ChildJvm start(Class<?> mainClass, Path workDir, String dropFlag, String... args) throws IOException {
        return start(mainClass, workDir, dropFlag, List.of(), args);
    }

    /** Starts {@code mainClass} with this JVM's flags plus {@code jvmArgs} (which win over the defaults below). */
    static ChildJvm startWith(Class<?> mainClass, Path workDir, List<String> jvmArgs, String... args) throws IOException {
        return start(mainClass, workDir, null, jvmArgs, args);
    }

    private static ChildJvm start(Class<?> mainClass, Path workDir, String dropFlag, List<String> jvmArgs,
                                  String... args) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            final boolean moduleFlag = arg.startsWith("--add-") || arg.startsWith("-Dchronicle.");
            if (moduleFlag && (dropFlag == null || !arg.contains(dropFlag))) {
                command.add(arg);
            }
        }
        // Small and quick to start: these children run for well under a second each.
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        final Path stderr = Files.createTempFile(workDir, "child-", ".stderr");
        final Process process = new ProcessBuilder(command)
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
        return new ChildJvm(process, stderr);
    }

    /** Next stdout line, or null at EOF; fails the test if none arrives in time. */
    String nextLine(long timeoutSeconds) throws InterruptedException {
        final String line = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("child printed nothing for " + timeoutSeconds + " s; stderr:\n" + stderrText());
        }
        return line == EOF ? null : line;
    }

    /** Reads lines until one matches; returns it, or null at EOF. */
    String awaitLine(Predicate<String> match, long timeoutSeconds) throws InterruptedException {
        String line;
        while ((line = nextLine(timeoutSeconds)) != null) {
            if (match.test(line)) {
                return line;
            }
        }
        return null;
    }

    String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    int waitForExit(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not exit within " + timeoutSeconds + " s; stderr:\n" + stderrText());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        final File file = stderr.toFile();
        file.deleteOnExit();
    }
}
