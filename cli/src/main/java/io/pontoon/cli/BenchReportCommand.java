package io.pontoon.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pontoon bench-report}: builds {@code benchmarks/BUILD_DIR/benchmarks.jar} in the source tree this jar was
 * built in (Maven), then runs {@code io.pontoon.bench.report.BenchReport} from it in a headless JVM. That class
 * runs a fixed set of the JMH cluster benchmarks and {@code compare/compare.sh}, and writes docs/BENCHMARKS.md
 * plus PNG charts beside it.
 *
 * <p>The report code lives in the benchmarks module (next to the JMH suite it drives, with JFreeChart): the cli
 * jar only starts it, so neither JMH nor the chart library is on this command line's class path.
 */
@Command(
    name = "bench-report",
    mixinStandardHelpOptions = true,
    description = {
        "Runs a short, fixed set of the JMH cluster benchmarks (throughput by payload and durability, latency at "
            + "10/50/90%% of the measured peak, throughput under frame loss) and the SOFAJRaft/Ratis comparison "
            + "(compare/compare.sh), then writes docs/BENCHMARKS.md and PNG charts beside it.",
        "About 20 minutes on 2 cores (headline trials warm up 30 s); --quick about 3, with short warm-ups that the "
            + "page states. Needs the source tree and Maven."},
    footer = {"", "Exit status: 0 report written, 1 a build or the report failed, 2 bad usage."})
public final class BenchReportCommand implements Callable<Integer> {
    static final String REPORT_MAIN = "io.pontoon.bench.report.BenchReport";

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "About 3 minutes: fewer trials, warm-ups shorter than 30 s.")
    private boolean quick;

    @Option(names = "--flat-memory", description = "Also run the 300 s flat-memory demo of issue 8 "
        + "(-Xmx512m, PAGE_CACHE, 256 clients, no failover).")
    private boolean flatMemory;

    @Option(names = "--no-compare", description = "Skip the SOFAJRaft/Ratis comparison.")
    private boolean noCompare;

    @Option(names = "--skip-build", description = "Use the benchmarks and comparison jars already built.")
    private boolean skipBuild;

    @Option(names = "--build-dir", paramLabel = "NAME", defaultValue = "target",
        description = "Maven output folder name for the benchmark and comparison builds (default: ${DEFAULT-VALUE}); "
            + "several builds in one checkout use target-X.")
    private String buildDir;

    @Option(names = "--docs", paramLabel = "DIR",
        description = "Where BENCHMARKS.md and the charts go (default: docs/ of the source tree).")
    private Path docs;

    @Option(names = "--work-dir", paramLabel = "DIR",
        description = "JMH logs, results and comparison logs (default: a new temporary directory).")
    private Path workDir;

    @Option(names = "--render-only", paramLabel = "FILE",
        description = "Run nothing: redraw the page and charts from the RESULT lines in FILE "
            + "(a results file, or a BENCHMARKS.md written before).")
    private Path renderOnly;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!buildDir.matches("[A-Za-z0-9._-]+")) {
            throw new ParameterException(spec.commandLine(),
                "--build-dir must be a plain folder name (letters, digits, . _ -), got '" + buildDir + "'");
        }
        final PrintWriter err = spec.commandLine().getErr();
        final Path script = CompareCommand.findScript();
        if (script == null) {
            err.println("bench-report: cannot find the Pontoon source tree (compare/compare.sh beside this jar's "
                + "tree or in the current directory); run it from a checkout, or set -Dpontoon.home=DIR");
            return PontoonCli.EXIT_FAILED;
        }
        final Path root = script.getParent().getParent();
        final Path jar = root.resolve("benchmarks").resolve(buildDir).resolve("benchmarks.jar");
        if (!skipBuild && renderOnly == null) {
            err.println("bench-report: building " + root.relativize(jar) + " (mvn -pl benchmarks -am package) ...");
            err.flush();
            final int built = run(List.of("mvn", "-q", "-B", "-pl", "benchmarks", "-am", "-Dbuild.dir.name=" + buildDir,
                "package", "-DskipTests"), root);
            if (built != 0) {
                err.println("bench-report: the benchmarks build failed (output above)");
                return PontoonCli.EXIT_FAILED;
            }
        }
        if (!Files.isRegularFile(jar)) {
            err.println("bench-report: " + jar + " is missing; build it: mvn -pl benchmarks -am -Dbuild.dir.name="
                + buildDir + " package -DskipTests");
            return PontoonCli.EXIT_FAILED;
        }
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The launcher's JVM flags (Agrona, Chronicle) go to the report JVM too; JMH forks get theirs from @Fork.
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(jar.toString());
        cmd.add(REPORT_MAIN);
        cmd.addAll(List.of("--root", root.toString(), "--build-dir", buildDir));
        if (quick) {
            cmd.add("--quick");
        }
        if (noCompare) {
            cmd.add("--no-compare");
        }
        if (flatMemory) {
            cmd.add("--flat-memory");
        }
        if (skipBuild) {
            cmd.add("--skip-build");
        }
        if (docs != null) {
            cmd.addAll(List.of("--docs", docs.toAbsolutePath().toString()));
        }
        if (workDir != null) {
            cmd.addAll(List.of("--work-dir", workDir.toAbsolutePath().toString()));
        }
        if (renderOnly != null) {
            cmd.addAll(List.of("--render-only", renderOnly.toAbsolutePath().toString()));
        }
        return run(cmd, root);
    }

    private static int run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        return new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start().waitFor();
    }
}
