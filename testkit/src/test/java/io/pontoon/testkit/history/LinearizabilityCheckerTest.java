package io.pontoon.testkit.history;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-made KV histories: each classic anomaly is flagged with a counterexample naming the key and the read that
 * exposes it, and the correct version of each passes. The clock is a counter, so event i has time i.
 */
class LinearizabilityCheckerTest {
    private final History h = new History(new AtomicLong()::incrementAndGet);

    private void write(int process, String key, Object value) {
        h.ok(h.invokeWrite(process, key, value));
    }

    private long read(int process, String key, Object value) {
        final long r = h.invokeRead(process, key);
        h.ok(r, value);
        return r;
    }

    private CheckResult check() {
        return LinearizabilityChecker.forKv().check(h);
    }

    /** Asserts a failure on {@code key} that ends with the completion of the read with handle {@code read}. */
    private Counterexample assertFlagged(String key, long read) {
        final CheckResult result = check();
        assertFalse(result.linearizable(), "not flagged:\n" + h.events());
        final Counterexample c = result.counterexample().orElseThrow();
        assertEquals(key, c.key(), result.toString());
        assertEquals(read, c.culprit().invokeEvent(), result.toString());
        assertEquals(c.culprit().completeEvent(), c.lastEvent());
        assertTrue(result.toString().contains("key \"" + key + "\" is not linearizable"), result.toString());
        return c;
    }

    private void assertPasses() {
        final CheckResult result = check();
        assertTrue(result.linearizable(), result.toString());
    }

    @Test
    void staleReadAfterANewerWriteCompletedIsFlagged() {
        write(0, "y", "a");
        write(0, "x", 1);
        write(1, "x", 2);
        read(2, "y", "a");
        final long stale = read(2, "x", 1);
        final Counterexample c = assertFlagged("x", stale);
        assertEquals("2", c.stateAfter());
        assertEquals(2, c.linearized().size());
        assertEquals(Counterexample.Verdict.ILLEGAL, c.unplaced().get(0).verdict());
    }

    @Test
    void readOfTheNewestWritePasses() {
        write(0, "y", "a");
        write(0, "x", 1);
        write(1, "x", 2);
        read(2, "y", "a");
        read(2, "x", 2);
        assertPasses();
    }

    @Test
    void acknowledgedWriteThatReadsNeverSeeIsALostWrite() {
        write(0, "x", "v1");
        read(1, "x", "v1");
        write(0, "x", "v2");
        final long lost = read(1, "x", "v1");
        read(2, "x", "v2");
        assertFlagged("x", lost);
    }

    @Test
    void acknowledgedWriteThatTheNextReadSeesPasses() {
        write(0, "x", "v1");
        read(1, "x", "v1");
        write(0, "x", "v2");
        read(1, "x", "v2");
        read(2, "x", "v2");
        assertPasses();
    }

    @Test
    void deletedKeyReadsAbsentAndAReadOfAnAbsentWrittenKeyIsFlagged() {
        write(0, "x", 1);
        write(0, "x", null); // a delete
        read(1, "x", null);
        assertPasses();
        write(0, "z", 5);
        final long absent = read(1, "z", null);
        assertFlagged("z", absent);
    }

    @Test
    void casAppliedTwiceIsFlagged() {
        write(0, "x", 0);
        h.ok(h.invokeCas(1, "x", 0, 1));
        write(2, "x", 0);
        // a retried cas [0,1] applied again after the write of 0 is the only way to read 1 here
        final long r = read(3, "x", 1);
        assertFlagged("x", r);
    }

    @Test
    void casAppliedOncePasses() {
        write(0, "x", 0);
        h.ok(h.invokeCas(1, "x", 0, 1));
        write(2, "x", 0);
        read(3, "x", 0);
        assertPasses();
    }

    @Test
    void twoCasFromTheSameValueCannotBothSucceed() {
        write(0, "x", 0);
        final long first = h.invokeCas(1, "x", 0, 1);
        final long second = h.invokeCas(2, "x", 0, 2);
        h.ok(first);
        h.ok(second);
        assertFalse(check().linearizable());
    }

    @Test
    void casThatLosesTheRaceFailsAndPasses() {
        write(0, "x", 0);
        final long first = h.invokeCas(1, "x", 0, 1);
        final long second = h.invokeCas(2, "x", 0, 2);
        h.ok(first);
        h.fail(second);
        read(3, "x", 1);
        assertPasses();
    }

    @Test
    void readOfAValueNeverWrittenIsFlagged() {
        write(0, "x", 1);
        final long r = read(1, "x", 3);
        final Counterexample c = assertFlagged("x", r);
        assertTrue(c.toString().contains("illegal in state 1"), c.toString());
    }

    @Test
    void readOfTheWrittenValuePasses() {
        write(0, "x", 1);
        read(1, "x", 1);
        assertPasses();
    }

    @Test
    void readOverlappingAWriteMaySeeEitherValue() {
        for (Object seen : new Object[] {null, 1L}) {
            final History overlap = new History(new AtomicLong()::incrementAndGet);
            final long w = overlap.invokeWrite(0, "x", 1);
            final long r = overlap.invokeRead(1, "x");
            overlap.ok(r, seen);
            overlap.ok(w);
            assertTrue(LinearizabilityChecker.forKv().check(overlap).linearizable(), "read " + seen);
        }
    }

    @Test
    void concurrentWritesMayBeOrderedEitherWayButOnlyOneWay() {
        final long w1 = h.invokeWrite(0, "x", 1);
        final long w2 = h.invokeWrite(1, "x", 2);
        h.ok(w2);
        h.ok(w1);
        read(2, "x", 1);
        read(2, "x", 1);
        assertPasses();
        // once both completed, the value cannot go back and forth
        final long back = read(3, "x", 2);
        assertFlagged("x", back);
    }

    @Test
    void readsDuringConcurrentWritesMustAgreeOnOneOrder() {
        final long w1 = h.invokeWrite(0, "x", 1);
        final long w2 = h.invokeWrite(1, "x", 2);
        read(2, "x", 1);
        final long r = read(2, "x", 2);
        read(3, "x", 2);
        assertPasses(); // 1 then 2
        final long bad = read(3, "x", 1); // 2 then 1 then 2 again needs a third write
        h.ok(w1);
        h.ok(w2);
        assertFlagged("x", bad);
        assertTrue(r < bad);
    }

    @Test
    void infoWriteLaterObservedPasses() {
        write(0, "x", 1);
        h.info(h.invokeWrite(1, "x", 2));
        read(2, "x", 1);
        read(2, "x", 2); // it took effect after its info, which is allowed: no bound on when
        assertPasses();
    }

    @Test
    void infoWriteNeverObservedPasses() {
        write(0, "x", 1);
        h.info(h.invokeWrite(1, "x", 2));
        read(2, "x", 1);
        read(3, "x", 1);
        assertPasses();
    }

    @Test
    void infoWriteCannotBeUndoneOnceObserved() {
        h.info(h.invokeWrite(1, "x", 2));
        read(2, "x", 2);
        final long undone = read(2, "x", null);
        assertFlagged("x", undone);
    }

    @Test
    void infoWriteCannotTakeEffectBeforeItsInvoke() {
        final long early = read(2, "x", 2);
        h.info(h.invokeWrite(1, "x", 2));
        assertFlagged("x", early);
    }

    @Test
    void infoCasAndANeverCompletedWriteMayTakeEffect() {
        write(0, "x", 1);
        h.info(h.invokeCas(1, "x", 1, 2));
        h.invokeWrite(3, "x", 3); // the history ends before it completes
        read(2, "x", 2);
        read(2, "x", 3);
        assertPasses();
    }

    @Test
    void failedWriteNeverTakesEffect() {
        write(0, "x", 1);
        h.fail(h.invokeWrite(1, "x", 2));
        final long r = read(2, "x", 2);
        assertFlagged("x", r);
    }

    @Test
    void infoReadsAreLeftOutAndFailedOperationsAreNotCounted() {
        write(0, "x", 1);
        h.info(h.invokeRead(1, "x"));
        h.fail(h.invokeWrite(2, "x", 9));
        final CheckResult result = check();
        assertTrue(result.linearizable());
        assertEquals(1, result.operations());
        assertEquals("linearizable: 1 operations over 1 keys", result.toString());
    }

    @Test
    void eachFailingKeyHasItsOwnCounterexample() {
        write(0, "a", 1);
        final long ra = read(1, "a", 2);
        write(0, "b", 1);
        final long rb = read(1, "b", 2);
        write(0, "c", 1);
        read(1, "c", 1);
        final CheckResult result = check();
        assertEquals(2, result.counterexamples().size());
        assertEquals(ra, result.counterexamples().get(0).culprit().invokeEvent());
        assertEquals(rb, result.counterexamples().get(1).culprit().invokeEvent());
        assertEquals(3, result.keys());
        assertTrue(result.toString().startsWith(
            "NOT linearizable: 6 operations over 3 keys; 2 keys fail: \"a\", \"b\""), result.toString());
    }

    @Test
    void counterexampleIsTheShortestFailingPrefix() {
        write(0, "x", 1);
        write(0, "x", 2);
        final long stale = read(1, "x", 1);
        for (int i = 0; i < 50; i++) {
            write(0, "x", 10 + i);
            read(1, "x", 10 + i);
        }
        final Counterexample c = assertFlagged("x", stale);
        assertEquals(5, c.lastEvent()); // events 1-6: two writes and the stale read; the rest is not needed
        assertEquals(2, c.linearized().size());
        assertEquals(1, c.unplaced().size());
    }
}
