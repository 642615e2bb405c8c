package io.pontoon.bench.report;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * Runs a short, fixed set of the cluster benchmarks and the SOFAJRaft/Ratis comparison, then writes
 * docs/BENCHMARKS.md and its PNG charts. {@code ./pontoon bench-report} builds benchmarks.jar and starts this
 * class from it (headless); it can also be run directly:
 *
 * <pre>
 * java -Djava.awt.headless=true -cp benchmarks/target/benchmarks.jar io.pontoon.bench.report.BenchReport \
 *      --root . [--quick] [--no-compare] [--render-only docs/BENCHMARKS.md]
 * </pre>
 *
 * Exit status: 0 report written, 1 it could not be written (or no benchmark produced a result), 2 bad usage.
 */
public final class BenchReport {
    private BenchReport() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        int code;
        try {
            code = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-report: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args) throws Exception {
        final ReportOptions options = ReportOptions.parse(args);
        final long startNs = System.nanoTime();
        final Results results;
        final RunInfo info;
        if (options.renderOnly() != null) {
            results = Results.read(options.renderOnly());
            info = RunInfo.fromResults(results);
            System.out.println("bench-report: " + results.all().size() + " results read from " + options.renderOnly());
        } else {
            final ReportRun run = new ReportRun(options);
            results = run.runAll();
            info = run.info(Duration.ofNanos(System.nanoTime() - startNs));
        }
        if (results.findAll("bench", "throughput").isEmpty() && results.findAll("bench", "latency").isEmpty()) {
            System.err.println("bench-report: no benchmark produced a result; nothing written");
            return 1;
        }
        Files.createDirectories(options.docs());
        final List<String> files = new ReportWriter(results, info).write(options.docs());
        System.out.println("bench-report: wrote " + String.join(", ", files) + " in " + options.docs());
        return 0;
    }
}
