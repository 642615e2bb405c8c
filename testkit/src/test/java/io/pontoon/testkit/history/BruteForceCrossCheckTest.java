package io.pontoon.testkit.history;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker (its search, its shortcuts and the KV model's pruning) agrees with the definition, tried by brute
 * force on thousands of small random histories, linearizable or not: some order of a subset of the operations that
 * holds every ok one, respects real time and is legal step by step.
 */
class BruteForceCrossCheckTest {
    private static final Object[] VALUES = {null, 1L, 2L};

    @Test
    void checkerAgreesWithBruteForceOnSmallRandomHistories() {
        int linearizable = 0;
        final int histories = 5_000;
        for (long s = 1; s <= histories; s++) {
            final long seed = s;
            final History h = randomHistory(new SplittableRandom(seed));
            final boolean expected = bruteForce(h.operations());
            final CheckResult result = LinearizabilityChecker.forKv().check(h);
            assertEquals(expected, result.linearizable(), () -> "seed " + seed + ": " + result + "\n" + h.events());
            linearizable += expected ? 1 : 0;
        }
        // both answers must be common, or the comparison proves little
        assertTrue(linearizable > histories / 10 && linearizable < histories * 9 / 10, linearizable + " linearizable");
    }

    /** Up to 8 operations of 3 processes on two keys, with random values and outcomes: often not linearizable. */
    private static History randomHistory(SplittableRandom random) {
        final History h = new History(new AtomicLong()::incrementAndGet);
        final long[] open = {-1, -1, -1};
        final String[] f = new String[3];
        int started = 0;
        final int operations = 4 + random.nextInt(5);
        while (started < operations || open[0] >= 0 || open[1] >= 0 || open[2] >= 0) {
            final int p = random.nextInt(3);
            if (open[p] < 0) {
                if (started == operations) {
                    continue;
                }
                final String key = random.nextInt(4) == 0 ? "b" : "a";
                final int kind = random.nextInt(3);
                f[p] = kind == 0 ? History.READ : kind == 1 ? History.WRITE : History.CAS;
                open[p] = kind == 0 ? h.invokeRead(p, key) : kind == 1 ? h.invokeWrite(p, key, value(random))
                    : h.invokeCas(p, key, value(random), value(random));
                started++;
            } else {
                final int outcome = random.nextInt(10);
                if (outcome < 7) {
                    if (History.READ.equals(f[p])) {
                        h.ok(open[p], value(random));
                    } else {
                        h.ok(open[p]);
                    }
                } else if (outcome < 8) {
                    h.fail(open[p]);
                } else if (outcome < 9 || started < operations) {
                    h.info(open[p]);
                } else {
                    // left open: the history ends before it completes
                    open[p] = -1;
                    continue;
                }
                open[p] = -1;
            }
        }
        return h;
    }

    private static Object value(SplittableRandom random) {
        return VALUES[random.nextInt(VALUES.length)];
    }

    private static boolean bruteForce(List<Operation> all) {
        final List<Operation> ops = new ArrayList<>();
        for (Operation op : all) {
            if (op.outcome() != Event.Type.FAIL) {
                ops.add(op);
            }
        }
        for (String key : new String[] {"a", "b"}) {
            final List<Operation> part = new ArrayList<>();
            for (Operation op : ops) {
                if (op.key().equals(key)) {
                    part.add(op);
                }
            }
            if (!search(part, new boolean[part.size()], null)) {
                return false;
            }
        }
        return true;
    }

    /** Some remaining operation can come next (no remaining ok one returned before its invoke), and so on. */
    private static boolean search(List<Operation> ops, boolean[] done, Object state) {
        boolean okLeft = false;
        for (int i = 0; i < ops.size(); i++) {
            okLeft |= !done[i] && ops.get(i).isOk();
        }
        if (!okLeft) {
            return true; // the info operations left are left out
        }
        final KvModel model = new KvModel();
        for (int i = 0; i < ops.size(); i++) {
            if (done[i] || !mayComeNext(ops, done, ops.get(i))) {
                continue;
            }
            final StepResult<Object> step = model.step(state, ops.get(i));
            if (step.isLegal()) {
                done[i] = true;
                final boolean found = search(ops, done, step.next());
                done[i] = false;
                if (found) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mayComeNext(List<Operation> ops, boolean[] done, Operation op) {
        for (int j = 0; j < ops.size(); j++) {
            if (!done[j] && ops.get(j).isOk() && ops.get(j).completeEvent() < op.invokeEvent()) {
                return false;
            }
        }
        return true;
    }
}
