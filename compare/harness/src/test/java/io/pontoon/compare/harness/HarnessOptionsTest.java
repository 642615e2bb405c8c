package io.pontoon.compare.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HarnessOptionsTest {
    @Test
    void parsesTheCommonCommandLine() {
        final HarnessOptions o = HarnessOptions.parse("--nodes", "5", "--payload", "1024", "--inflight", "64",
            "--durability", "sync", "--warmup-seconds", "45", "--seconds", "20", "--rate", "50000");
        assertEquals(5, o.nodes());
        assertEquals(1024, o.payloadBytes());
        assertEquals(64, o.inflight());
        assertEquals(Durability.SYNC, o.durability());
        assertEquals(45, o.warmupSeconds());
        assertEquals(20, o.seconds());
        assertEquals(50_000, o.rate());
    }

    @Test
    void shortWarmupIsRefusedUnlessMarkedAsSmoke() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> HarnessOptions.parse("--warmup-seconds", "10"));
        assertTrue(e.getMessage().contains("--smoke"), e.getMessage());
        assertTrue(HarnessOptions.parse("--warmup-seconds", "10", "--smoke").smoke());
    }

    @Test
    void badValuesNameTheOptionAndItsRange() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--nodes", "0"))
            .getMessage().contains("--nodes must be in [1, 9]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--durability", "DISK"))
            .getMessage().contains("SYNC, PAGE_CACHE or NONE"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--inflight"))
            .getMessage().contains("--inflight needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--bogus", "1"))
            .getMessage().contains("unknown option"));
    }

    @Test
    void submittersDefaultToTwoAndAreRangeChecked() {
        assertEquals(HarnessOptions.DEFAULT_SUBMITTERS, HarnessOptions.parse().submitters());
        assertEquals(2, HarnessOptions.DEFAULT_SUBMITTERS);
        assertEquals(4, HarnessOptions.parse("--submitters", "4").submitters());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--submitters", "0"))
            .getMessage().contains("--submitters must be in [1, 64], got 0"));
    }
}
