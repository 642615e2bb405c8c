package io.pontoon.testkit.history;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random histories from a simulated atomic store ({@link RandomRegisterHistories}) are linearizable, and changing
 * one read to a stale value makes exactly that key fail at exactly that read. How long the 10,000-operation check
 * takes is printed by {@link CheckerTiming}, not asserted here.
 */
class RandomHistoryCheckTest {
    static final int OPERATIONS = 10_000;
    static final int PROCESSES = 20;
    static final int KEYS = 50;

    @Test
    void tenThousandOperationsOverManyKeysAreLinearizable() {
        final History h = RandomRegisterHistories.linearizable(42, OPERATIONS, PROCESSES, KEYS);
        assertEquals(2 * OPERATIONS, h.size());
        final CheckResult result = LinearizabilityChecker.forKv().check(h);
        assertTrue(result.linearizable(), result.toString());
        assertEquals(KEYS, result.keys());
        assertConcurrent(h);
    }

    @Test
    void tenThousandOperationsWithOneStaleReadAreFlaggedAtThatRead() {
        final History h = RandomRegisterHistories.linearizable(42, OPERATIONS, PROCESSES, KEYS);
        final RandomRegisterHistories.Stale stale = RandomRegisterHistories.staleRead(h, new SplittableRandom(7));
        final CheckResult result = LinearizabilityChecker.forKv().check(stale.history());
        assertFalse(result.linearizable(), "a read of " + stale.value() + " by " + stale.read() + " was not flagged");
        assertEquals(1, result.counterexamples().size(), result.toString());
        final Counterexample c = result.counterexample().orElseThrow();
        assertEquals(stale.read().key(), c.key());
        assertEquals(stale.read().invokeEvent(), c.culprit().invokeEvent());
        assertEquals(stale.read().completeEvent(), c.lastEvent());
        assertEquals(stale.value(), c.culprit().output());
    }

    @Test
    void manySeedsOnFewKeysAreLinearizableAndFlaggedWhenMutated() {
        for (long seed = 1; seed <= 10; seed++) {
            final History h = RandomRegisterHistories.linearizable(seed, 1_000, 8, 2);
            final CheckResult result = LinearizabilityChecker.forKv().check(h);
            assertTrue(result.linearizable(), "seed " + seed + ": " + result);
            final RandomRegisterHistories.Stale stale =
                RandomRegisterHistories.staleRead(h, new SplittableRandom(seed));
            final CheckResult mutated = LinearizabilityChecker.forKv().check(stale.history());
            assertFalse(mutated.linearizable(),
                "seed " + seed + ": a read of " + stale.value() + " by " + stale.read());
            assertEquals(stale.read().completeEvent(), mutated.counterexample().orElseThrow().lastEvent());
        }
    }

    /** The generator must really overlap operations, or the tests above prove little. */
    private static void assertConcurrent(History h) {
        int open = 0;
        int maxOpen = 0;
        int info = 0;
        for (Event e : h.events()) {
            open += e.type() == Event.Type.INVOKE ? 1 : -1;
            maxOpen = Math.max(maxOpen, open);
            info += e.type() == Event.Type.INFO ? 1 : 0;
        }
        assertTrue(maxOpen > PROCESSES / 2, "at most " + maxOpen + " operations were open at once");
        assertTrue(info > 0, "no info operations");
    }
}
