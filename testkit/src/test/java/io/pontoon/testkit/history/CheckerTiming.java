package io.pontoon.testkit.history;

import java.util.SplittableRandom;

/**
 * Prints how long the linearizability check of a random 10,000-operation history takes (issue 12's goal: under a
 * second), and of the same history with one read made stale. A measurement, not a test (tests assert no timings).
 * Run it after the test compile:
 * <pre>
 * java -cp testkit/target-helper/classes:testkit/target-helper/test-classes \
 *     io.pontoon.testkit.history.CheckerTiming [operations] [processes] [keys]
 * </pre>
 */
public final class CheckerTiming {
    private CheckerTiming() {
    }

    public static void main(String[] args) {
        final int operations = args.length > 0 ? Integer.parseInt(args[0]) : RandomHistoryCheckTest.OPERATIONS;
        final int processes = args.length > 1 ? Integer.parseInt(args[1]) : RandomHistoryCheckTest.PROCESSES;
        final int keys = args.length > 2 ? Integer.parseInt(args[2]) : RandomHistoryCheckTest.KEYS;
        final History h = RandomRegisterHistories.linearizable(42, operations, processes, keys);
        final History stale = RandomRegisterHistories.staleRead(h, new SplittableRandom(7)).history();
        final LinearizabilityChecker<Object> checker = LinearizabilityChecker.forKv();
        System.out.printf("%d operations, %d processes, %d keys%n", operations, processes, keys);
        for (int run = 1; run <= 5; run++) {
            final String when = run == 1 ? " (first run, cold JVM)" : "";
            time("random history", checker, h, when);
            time("with one stale read", checker, stale, when);
        }
    }

    private static void time(String name, LinearizabilityChecker<Object> checker, History h, String when) {
        final long start = System.nanoTime();
        final CheckResult result = checker.check(h);
        final long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("  %-20s linearizable=%-5b %5d ms%s%n", name, result.linearizable(), ms, when);
    }
}
