package io.pontoon.transport.fault;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link FaultPlan} as a node applies it to its own rules: drop and delay on what it sends to peers, a partition
 * that keeps its group's links and cuts every other one both ways (peers it does not know yet included), and
 * {@link FaultPlan#NONE} that clears everything.
 */
class FaultPlanTest {
    private final FaultRules rules = new FaultRules(1);

    @Test
    void dropAndDelayActOnTheFramesTheNodeSendsOnly() {
        FaultPlan.NONE.withDrop(0.25).withDelay(Duration.ofMillis(50), Duration.ofMillis(5)).applyTo(rules, 2);
        for (int peer : new int[] {1, 3, 99}) {
            final LinkFaults out = rules.rule(Direction.OUTBOUND, peer);
            assertEquals(0.25, out.dropProbability());
            assertEquals(50_000_000L, out.delayNs());
            assertEquals(5_000_000L, out.jitterNs());
            assertFalse(out.partitioned());
            assertTrue(rules.rule(Direction.INBOUND, peer).isNone(), "what the node receives is left alone");
        }
    }

    @Test
    void aPartitionKeepsTheGroupsLinksAndCutsEveryOtherBothWays() {
        FaultPlan.NONE.withDrop(0.5).withPartition(List.of(2, 1)).applyTo(rules, 2);
        assertFalse(rules.rule(Direction.OUTBOUND, 1).partitioned());
        assertEquals(0.5, rules.rule(Direction.OUTBOUND, 1).dropProbability(), "the kept links keep the drop");
        assertTrue(rules.rule(Direction.INBOUND, 1).isNone());
        for (int cut : new int[] {3, 4, 7}) { // 7: a node added to the cluster later is outside the group too
            assertTrue(rules.rule(Direction.OUTBOUND, cut).partitioned(), "outbound to " + cut);
            assertTrue(rules.rule(Direction.INBOUND, cut).partitioned(), "inbound from " + cut);
        }
        FaultPlan.NONE.withPartition(List.of()).applyTo(rules, 2);
        assertTrue(rules.rule(Direction.OUTBOUND, 1).partitioned(), "an empty group cuts the node off");
    }

    @Test
    void aNewPlanReplacesTheOldOneAndNoneClearsEverything() {
        rules.partition(5).setDefault(Direction.INBOUND, LinkFaults.NONE.withDelay(1, 0));
        FaultPlan.NONE.withDrop(0.1).applyTo(rules, 2);
        assertFalse(rules.rule(Direction.OUTBOUND, 5).partitioned(), "a plan replaces the rules, it does not add");
        assertTrue(rules.rule(Direction.INBOUND, 5).isNone());
        FaultPlan.NONE.applyTo(rules, 2);
        assertTrue(rules.rule(Direction.OUTBOUND, 5).isNone());
        assertTrue(rules.rule(Direction.OUTBOUND, 1).isNone());
    }

    @Test
    void plansOutOfRangeAreRefusedNamingTheField() {
        assertMessage("dropProbability must be in [0.0, 1.0], got 1.5", () -> FaultPlan.NONE.withDrop(1.5));
        assertMessage("dropProbability must be in [0.0, 1.0], got NaN", () -> FaultPlan.NONE.withDrop(Double.NaN));
        assertMessage("delayNs must be in [0, 60000000000] (60 s), got 60001000000",
            () -> FaultPlan.NONE.withDelay(Duration.ofMillis(60_001), Duration.ZERO));
        assertMessage("jitterNs must be in", () -> FaultPlan.NONE.withDelay(Duration.ZERO, Duration.ofNanos(-1)));
        assertMessage("partitionGroup node ids must be positive, got 0", () -> FaultPlan.NONE.withPartition(List.of(0)));
        assertMessage("partitionGroup lists node 3 twice", () -> FaultPlan.NONE.withPartition(List.of(3, 1, 3)));
    }

    @Test
    void theWireFormOfAPlanAndItsDescription() {
        final FaultPlan plan = FaultPlan.NONE.withDrop(0.1).withDelay(Duration.ofMillis(50), Duration.ZERO)
            .withPartition(List.of(3, 1));
        assertEquals(100_000, plan.dropPpm());
        assertEquals(plan, FaultPlan.ofWire(100_000, 50_000_000L, 0, List.of(1, 3)));
        assertEquals("drop=0.1 delay_ms=50 jitter_ms=0 partition=1,3", plan.describe());
        assertEquals("none", FaultPlan.NONE.describe());
        assertEquals("partition=-", FaultPlan.NONE.withPartition(List.of()).describe());
        assertNull(FaultPlan.NONE.partitionIds());
        assertTrue(FaultPlan.NONE.isNone());
        assertFalse(FaultPlan.NONE.withPartition(List.of()).isNone());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable action) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
