package io.pontoon.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code pontoon sim}: the deterministic simulation of the testkit module, from the command line. The
 * simulation prints its own report; its last line is {@code RESULT seeds=N violations=V ...}. On any
 * violation the failing seeds and a replay command go to stderr and the exit status is 1.
 */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Runs the deterministic Raft simulation over a range of seeds.",
        "Each seed is a whole cluster run in virtual time with faults (message drop, delay, duplication, "
            + "reordering, partitions, crashes and restarts), the Raft safety invariants checked after every "
            + "step and liveness checked after the faults heal. The same seed always replays the same run.",
        "Last line: RESULT seeds=N violations=V ..."},
    footer = {"", "Exit status: 0 no violation, 1 violations (failing seeds listed on stderr), 2 bad usage.",
        "Replay one seed: pontoon sim --seeds 1 --first-seed SEED [--nodes K] [--trace]",
        "Without --nodes, even seeds run 3 nodes and odd seeds 5."})
public final class SimCommand implements Callable<Integer> {
    static final int MIN_NODES = 1;
    static final int MAX_NODES = 9;
    static final long MAX_SEEDS = 100_000_000L;

    /** What one simulation run found. {@code failingSeeds} lists every seed that broke an invariant. */
    record Report(long seeds, long violations, List<Long> failingSeeds) {
        Report {
            failingSeeds = List.copyOf(failingSeeds);
        }
    }

    /** Runs {@code seeds} seeds from {@code firstSeed}, writing reports and the RESULT line to {@code out}. */
    @FunctionalInterface
    interface Simulator {
        /**
         * @param nodes cluster size, or 0 for the simulation's default mix of sizes
         * @param trace replay the single seed {@code firstSeed}, printing every event
         */
        Report run(long seeds, long firstSeed, int nodes, boolean trace, PrintStream out);
    }

    private final Simulator simulator;

    @Spec
    private CommandSpec spec;

    @Option(names = "--seeds", defaultValue = "1000", paramLabel = "N",
        description = "How many seeds to run, 1.." + MAX_SEEDS + ". Default: ${DEFAULT-VALUE}.")
    private long seeds;

    @Option(names = "--first-seed", defaultValue = "1", paramLabel = "S",
        description = "First seed; seeds S, S+1, ... S+N-1 are run. Default: ${DEFAULT-VALUE}.")
    private long firstSeed;

    @Option(names = "--nodes", paramLabel = "K",
        description = "Cluster size, " + MIN_NODES + ".." + MAX_NODES + ". Default: the simulation's mix "
            + "of 3- and 5-node clusters.")
    private Integer nodes;

    @Option(names = "--trace",
        description = "Print every event of the run (network, timers, crashes, proposals); with --seeds 1.")
    private boolean trace;

    public SimCommand() {
        this(TestkitSimulator.INSTANCE);
    }

    SimCommand(Simulator simulator) {
        this.simulator = simulator;
    }

    @Override
    public Integer call() {
        OptionChecks.range(spec, "--seeds", seeds, 1, MAX_SEEDS);
        if (nodes != null) {
            OptionChecks.range(spec, "--nodes", nodes, MIN_NODES, MAX_NODES);
        }
        if (trace && seeds != 1) {
            throw new ParameterException(spec.commandLine(), "--trace replays one seed: use it with --seeds 1");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Report report;
        try (PrintStream stream = printStreamOver(out)) {
            report = simulator.run(seeds, firstSeed, nodes == null ? 0 : nodes, trace, stream);
        }
        out.flush();
        if (report.violations() == 0) {
            return PontoonCli.EXIT_OK;
        }
        err.printf("sim: %d violation(s); failing seeds: %s%n", report.violations(),
            report.failingSeeds().stream().map(String::valueOf).collect(Collectors.joining(" ")));
        if (!report.failingSeeds().isEmpty()) {
            err.printf("sim: replay the first with: ./pontoon sim --seeds 1 --first-seed %d%s%n",
                report.failingSeeds().get(0), nodes == null ? "" : " --nodes " + nodes);
        }
        err.flush();
        return PontoonCli.EXIT_FAILED;
    }

    /** The simulation writes to a PrintStream; picocli (and the tests) hand out a PrintWriter. */
    private static PrintStream printStreamOver(PrintWriter writer) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                pending.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                pending.write(b, off, len);
            }

            @Override
            public void flush() {
                writer.write(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
                writer.flush();
            }

            @Override
            public void close() {
                flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
