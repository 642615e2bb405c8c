package io.pontoon.testkit.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples of docs/TESTKIT.md, "Checking a history for linearizability", run as written; the counterexample
 * the page shows must be what the checker prints.
 */
class TestkitDocExampleTest {
    private static final Path DOC = Path.of("..", "docs", "TESTKIT.md");
    private static final String OUTPUT_MARKER = "<!-- printed by TestkitDocExampleTest.kvExample -->";

    /** The KV example, as on the page (the file goes to a temporary directory here). */
    static CheckResult kvExample(Path dir) throws Exception {
        History history = new History();
        long w = history.invokeWrite(0, "x", 1);     // process 0 writes 1 to "x"...
        history.ok(w);                               // ...and it is acknowledged
        long c = history.invokeCas(1, "x", 1, 2);    // process 1: cas "x" from 1 to 2...
        history.info(c);                             // ...times out: it may or may not happen
        long r1 = history.invokeRead(2, "x");
        history.ok(r1, 2);                           // the cas took effect: fine
        long r2 = history.invokeRead(2, "x");
        history.ok(r2, 1);                           // 1 again, but nothing wrote 1 since: a stale read
        history.ok(history.invokeWrite(0, "y", "a")); // other keys are checked on their own

        history.writeJsonl(dir.resolve("history.jsonl"));
        History fromFile = History.readJsonl(dir.resolve("history.jsonl"));
        CheckResult result = LinearizabilityChecker.forKv().check(fromFile);
        System.out.println(result);
        return result;
    }

    /** A model of your own: a counter per key, with "incr" (no value) and "get" (returns the count). */
    static final class CounterModel implements Model<Long> {
        @Override
        public Long init() {
            return 0L;
        }

        @Override
        public StepResult<Long> step(Long count, Operation op) {
            switch (op.f()) {
                case "incr":
                    return StepResult.legal(count + 1);
                case "get": // an info get is left out (isReadOnly), so op.output() is what it returned
                    return count.equals(op.output()) ? StepResult.legal(count) : StepResult.illegal();
                default:
                    throw new IllegalArgumentException("a counter has incr and get, not " + op.f());
            }
        }

        @Override
        public boolean isReadOnly(Operation op) {
            return op.f().equals("get");
        }
    }

    @Test
    void kvExamplePrintsTheCounterexampleShownInTheDoc(@TempDir Path dir) throws Exception {
        final CheckResult result = kvExample(dir);
        assertFalse(result.linearizable());
        final String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        final int marker = doc.indexOf(OUTPUT_MARKER);
        assertTrue(marker >= 0, DOC + " has no line " + OUTPUT_MARKER);
        final int start = doc.indexOf("```text\n", marker) + "```text\n".length();
        final String shown = doc.substring(start, doc.indexOf("\n```", start));
        assertEquals(shown, result.toString(), "the output shown in " + DOC + " is out of date");
    }

    @Test
    void kvExampleWithTheNewValueReadIsLinearizable() {
        final History history = new History();
        history.ok(history.invokeWrite(0, "x", 1));
        history.info(history.invokeCas(1, "x", 1, 2));
        history.ok(history.invokeRead(2, "x"), 2);
        history.ok(history.invokeRead(2, "x"), 2);
        history.ok(history.invokeWrite(0, "y", "a"));
        assertEquals("linearizable: 5 operations over 2 keys",
            LinearizabilityChecker.forKv().check(history).toString());
    }

    @Test
    void counterModelChecksIncrementsAndGets() {
        final History h = new History();
        final long a = h.invoke(0, "incr", "hits", null);
        final long b = h.invoke(1, "incr", "hits", null);
        h.ok(h.invoke(2, "get", "hits", null), 1L); // one of the two increments is in
        h.ok(a);
        h.info(b); // the other may be lost
        h.ok(h.invoke(2, "get", "hits", null), 1L);
        final LinearizabilityChecker<Long> checker = new LinearizabilityChecker<>(new CounterModel());
        assertTrue(checker.check(h).linearizable());
        h.ok(h.invoke(2, "get", "hits", null), 3L); // but never three
        final CheckResult result = checker.check(h);
        assertFalse(result.linearizable());
        assertEquals("hits", result.counterexample().orElseThrow().key());
    }
}
