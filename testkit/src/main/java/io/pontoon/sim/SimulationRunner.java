package io.pontoon.sim;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs many seeds of the randomized simulation; the entry point of {@code ./pontoon sim} and of
 * {@code SimulationTest}. Each seed is independent and deterministic: the same seed and node count
 * replay the same run. Single-threaded (the caller may run several runners on disjoint seed ranges).
 *
 * <p>Output: the full report of the first {@value #FULL_REPORTS} failing seeds, a one-line summary with
 * the replay command for each further one, then a last line
 * {@code RESULT seeds=N violations=V elections=E commits=C crashes=K aimed_crashes=A fail_stops=F snapshots=P installs=I reads=R transfers=T membership_changes=M virtual_seconds=X events=K wall_ms=W cpu_ms=U
 * seeds_per_sec=R seeds_per_cpu_sec=Q} (CPU time is this thread's: a fair speed figure on a busy machine).
 */
public final class SimulationRunner {
    static final int FULL_REPORTS = 3;

    private SimulationRunner() {
    }

    /** Figures of a run; {@link #resultLine()} is the {@code RESULT ...} line. */
    public record Result(long seeds, long violations, List<Long> failingSeeds, long elections, long commits,
                         long crashes, long aimedCrashes, long failStops, long snapshots, long installs,
                         long reads, long transfers, long membershipChanges, long virtualNs, long events, long wallMs,
                         long cpuMs) {
        public boolean ok() {
            return violations == 0;
        }

        public String resultLine() {
            final double seedsPerSec = seeds * 1000.0 / Math.max(1, wallMs);
            final double seedsPerCpuSec = seeds * 1000.0 / Math.max(1, cpuMs);
            return "RESULT seeds=" + seeds + " violations=" + violations + " elections=" + elections
                + " commits=" + commits + " crashes=" + crashes + " aimed_crashes=" + aimedCrashes
                + " fail_stops=" + failStops + " snapshots=" + snapshots + " installs=" + installs
                + " reads=" + reads + " transfers=" + transfers + " membership_changes=" + membershipChanges
                + " virtual_seconds=" + String.format("%.1f", virtualNs / 1e9)
                + " events=" + events + " wall_ms=" + wallMs + " cpu_ms=" + cpuMs
                + " seeds_per_sec=" + String.format("%.0f", seedsPerSec)
                + " seeds_per_cpu_sec=" + String.format("%.0f", seedsPerCpuSec);
        }
    }

    /** Node count used for {@code seed}: {@code nodes} if positive, else 3 for even seeds and 5 for odd. */
    public static int nodesFor(long seed, int nodes) {
        if (nodes > 0) {
            return nodes;
        }
        return Math.floorMod(seed, 2) == 0 ? 3 : 5;
    }

    /**
     * Runs seeds {@code firstSeed .. firstSeed + seeds - 1}.
     *
     * @param nodes cluster size, or 0 to alternate 3 and 5 nodes (see {@link #nodesFor})
     * @param out   where failures and the final RESULT line go
     */
    public static Result run(long seeds, long firstSeed, int nodes, PrintStream out) {
        // Reporting only: the simulation itself never reads a clock.
        final long startMs = System.currentTimeMillis();
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        final long startCpuNs = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
        long violations = 0;
        long elections = 0;
        long commits = 0;
        long crashes = 0;
        long aimedCrashes = 0;
        long failStops = 0;
        long snapshots = 0;
        long installs = 0;
        long reads = 0;
        long transfers = 0;
        long membershipChanges = 0;
        long virtualNs = 0;
        long events = 0;
        final List<Long> failing = new ArrayList<>();
        for (long i = 0; i < seeds; i++) {
            final long seed = firstSeed + i;
            final int k = nodesFor(seed, nodes);
            try {
                final SimStats stats = RandomizedRun.run(seed, k);
                elections += stats.elections();
                commits += stats.commits();
                crashes += stats.crashes();
                aimedCrashes += stats.aimedCrashes();
                failStops += stats.failStops();
                snapshots += stats.snapshots();
                installs += stats.installs();
                reads += stats.readsOk();
                transfers += stats.transfers();
                membershipChanges += stats.membershipCommits();
                virtualNs += stats.virtualNs();
                events += stats.events();
            } catch (SimulationFailure f) {
                violations++;
                failing.add(seed);
                out.println(violations <= FULL_REPORTS ? f.getMessage() : "FAILED " + f.summary() + "\n" + f.replay());
                if (violations == 1 && f.getCause() != null) {
                    f.getCause().printStackTrace(out);
                }
            } catch (RuntimeException e) {
                violations++;
                failing.add(seed);
                out.println("FAILED seed=" + seed + " nodes=" + k + " simulator error: " + e);
                e.printStackTrace(out);
            }
        }
        final Result result = new Result(seeds, violations, Collections.unmodifiableList(failing), elections, commits,
            crashes, aimedCrashes, failStops, snapshots, installs, reads, transfers, membershipChanges, virtualNs, events, System.currentTimeMillis() - startMs,
            threads.isCurrentThreadCpuTimeSupported() ? (threads.getCurrentThreadCpuTime() - startCpuNs) / 1_000_000 : 0);
        if (!failing.isEmpty()) {
            final StringBuilder sb = new StringBuilder("failing seeds:");
            for (long s : failing) {
                sb.append(' ').append(s).append(" (--nodes ").append(nodesFor(s, nodes)).append(')');
            }
            out.println(sb);
        }
        out.println(result.resultLine());
        out.flush();
        return result;
    }

    /** Runs one seed; throws {@link SimulationFailure} on a violation. */
    public static SimStats runSeed(long seed, int nodes) {
        return RandomizedRun.run(seed, nodesFor(seed, nodes));
    }

    /** Runs one seed printing every event to {@code trace} (for reading a failure end to end). */
    public static SimStats replay(long seed, int nodes, PrintStream trace) {
        return RandomizedRun.runTraced(seed, nodesFor(seed, nodes), trace);
    }

    /** {@code --seeds N --first-seed S [--nodes K] [--trace]}; exit status 1 on any violation. */
    public static void main(String[] args) {
        long seeds = 100;
        long firstSeed = 1;
        int nodes = 0;
        boolean trace = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seeds": seeds = Long.parseLong(args[++i]); break;
                case "--first-seed": firstSeed = Long.parseLong(args[++i]); break;
                case "--nodes": nodes = Integer.parseInt(args[++i]); break;
                case "--trace": trace = true; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                    + "; usage: --seeds N --first-seed S [--nodes K] [--trace]");
            }
        }
        if (trace) {
            try {
                replay(firstSeed, nodes, System.out);
                System.out.println("RESULT seeds=1 violations=0");
            } catch (SimulationFailure f) {
                System.out.println(f.getMessage());
                System.out.println("RESULT seeds=1 violations=1");
                System.exit(1);
            }
            return;
        }
        final Result result = run(seeds, firstSeed, nodes, System.out);
        System.exit(result.ok() ? 0 : 1);
    }
}
