package io.pontoon.compare.harness;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@code main} of every comparison runner: parses {@link HarnessOptions}, makes a temporary data
 * directory, starts the system, drives the load, prints progress to stderr and one {@link ResultLine} to
 * stdout, stops the system and deletes the directory. Exits the JVM (0 ok, 1 failed, 2 bad usage) so a
 * library's stray non-daemon threads cannot keep it alive.
 */
public final class HarnessMain {
    private static final long CLOSE_TIMEOUT_MS = 20_000;

    private HarnessMain() {
    }

    public static void main(String[] args, Supplier<ReplicatedSystem> factory) {
        System.exit(run(args, factory, System.out, System.err));
    }

    static int run(String[] args, Supplier<ReplicatedSystem> factory, PrintStream out, PrintStream err) {
        final HarnessOptions options;
        try {
            options = HarnessOptions.parse(args);
        } catch (HarnessOptions.HelpRequested e) {
            out.println(HarnessOptions.USAGE);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(HarnessOptions.USAGE);
            return 2;
        }
        final ReplicatedSystem system = factory.get();
        final Path dir;
        try {
            Files.createDirectories(options.dataDir());
            dir = Files.createTempDirectory(options.dataDir(), "compare-" + system.name() + "-");
        } catch (IOException e) {
            err.println("error: cannot create a data directory under " + options.dataDir() + ": " + e);
            return 1;
        }
        final Thread cleanup = new Thread(() -> deleteQuietly(dir), "compare-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        int code = 1;
        try {
            err.printf("%s: starting %d nodes, data in %s%n", system.name(), options.nodes(), dir);
            final long startNs = System.nanoTime();
            system.start(options, dir);
            err.printf(Locale.ROOT, "%s: leader ready after %.1f s; setup %s%n", system.name(),
                (System.nanoTime() - startNs) / 1e9, system.setup());
            final LoadDriver driver = new LoadDriver(system, options, err);
            driver.run();
            out.println(result(system, options, driver));
            out.flush();
            err.printf("%s: sent=%d failed=%d (last: %s) back_pressured=%d undrained=%d%n", system.name(),
                driver.sent(), driver.failed(), driver.lastFailure().isEmpty() ? "-" : driver.lastFailure(),
                driver.backPressured(), driver.undrained());
            code = driver.committedInWindow() > 0 ? 0 : 1;
            if (code != 0) {
                err.println(system.name() + ": nothing was committed in the measured window");
            }
        } catch (Exception | LinkageError e) {
            err.println(system.name() + ": failed: " + e);
            e.printStackTrace(err);
        } finally {
            closeWithTimeout(system, err);
            deleteQuietly(dir);
        }
        return code;
    }

    static ResultLine result(ReplicatedSystem system, HarnessOptions options, LoadDriver driver) {
        final Histogram h = driver.windowLatencyNs();
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("system", system.name());
        f.put("nodes", Integer.toString(options.nodes()));
        f.put("payload", Integer.toString(options.payloadBytes()));
        f.put("durability", options.durability().name());
        f.put("inflight", Integer.toString(options.inflight()));
        f.put("rate", Long.toString(options.rate()));
        f.put("warmup_s", Integer.toString(options.warmupSeconds()));
        f.put("seconds", Integer.toString(options.seconds()));
        f.put("smoke", Boolean.toString(options.smoke()));
        f.put("submitters", Integer.toString(options.submitters()));
        f.put("ops_per_sec", Long.toString(Math.round(driver.opsPerSecond())));
        f.put("p50_us", ResultLine.micros(h.getValueAtPercentile(50)));
        f.put("p99_us", ResultLine.micros(h.getValueAtPercentile(99)));
        f.put("p999_us", ResultLine.micros(h.getValueAtPercentile(99.9)));
        f.put("max_us", ResultLine.micros(h.getMaxValue()));
        f.put("committed", Long.toString(driver.committedInWindow()));
        f.put("failed", Long.toString(driver.failed()));
        f.put("jdk", System.getProperty("java.version"));
        f.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        f.put("setup", system.setup());
        return ResultLine.of(f);
    }

    /** Stops the system on a helper thread: a competitor that hangs in shutdown must not hang the run. */
    private static void closeWithTimeout(ReplicatedSystem system, PrintStream err) {
        final Thread closer = new Thread(() -> {
            try {
                system.close();
            } catch (Exception e) {
                err.println(system.name() + ": error while stopping: " + e);
            }
        }, "compare-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(CLOSE_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            err.println(system.name() + ": still stopping after " + TimeUnit.MILLISECONDS.toSeconds(CLOSE_TIMEOUT_MS)
                + " s; exiting anyway");
        }
    }

    /** Deletes {@code dir} and everything below it; best effort. */
    public static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("warning: could not delete " + dir + ": " + e);
        }
    }
}
