package io.pontoon.bench.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Issue8GoalsTest {
    private static Results results(String... lines) {
        final Results r = new Results();
        for (String line : lines) {
            r.add(Result.parse(line, null));
        }
        return r;
    }

    private static Issue8Goals.Row row(List<Issue8Goals.Row> rows, String goalStart) {
        return rows.stream().filter(r -> r.goal().startsWith(goalStart)).findFirst()
            .orElseThrow(() -> new AssertionError("no row " + goalStart + " in " + rows));
    }

    @Test
    void throughputGoalsTakeTheBestWindowUpTo1024InFlight() {
        final List<Issue8Goals.Row> rows = new Issue8Goals(results(
            "RESULT bench=throughput nodes=3 payload=128 durability=SYNC inflight=64 ops_per_sec=100000",
            "RESULT bench=throughput nodes=3 payload=128 durability=SYNC inflight=1024 ops_per_sec=310000",
            "RESULT bench=throughput nodes=3 payload=128 durability=SYNC inflight=4096 ops_per_sec=900000",
            "RESULT bench=throughput nodes=3 payload=128 durability=PAGE_CACHE inflight=256 ops_per_sec=500000",
            "RESULT bench=throughput nodes=5 payload=128 durability=PAGE_CACHE inflight=256 ops_per_sec=2000000"))
            .rows();
        final Issue8Goals.Row sync = row(rows, "SYNC, 3 nodes");
        assertEquals("met", sync.verdict());
        assertEquals("310,000/s at 1024 in flight", sync.measured());
        final Issue8Goals.Row page = row(rows, "PAGE_CACHE, 3 nodes");
        assertEquals("missed: 2.00x short", page.verdict(), "5-node trials do not count");
    }

    @Test
    void ratiosToSofaJraftComeFromTheSameRunsComparison() {
        final List<Issue8Goals.Row> rows = new Issue8Goals(results(
            "RESULT bench=compare system=pontoon durability=SYNC payload=128 rate=0 ops_per_sec=90000",
            "RESULT bench=compare system=sofajraft durability=SYNC payload=128 rate=0 ops_per_sec=30000",
            "RESULT bench=compare system=pontoon durability=PAGE_CACHE payload=128 rate=0 ops_per_sec=400000",
            "RESULT bench=compare system=sofajraft durability=PAGE_CACHE payload=128 rate=0 ops_per_sec=100000"))
            .rows();
        assertEquals("met", row(rows, "SYNC vs SOFAJRaft").verdict());
        assertEquals("3.00x", row(rows, "SYNC vs SOFAJRaft").measured());
        assertEquals("missed: 2.00x short", row(rows, "PAGE_CACHE vs SOFAJRaft").verdict());
    }

    @Test
    void singleClientLatencyGoalsAreUpperBounds() {
        final List<Issue8Goals.Row> rows = new Issue8Goals(results(
            "RESULT bench=throughput nodes=3 payload=128 durability=PAGE_CACHE inflight=1 ops_per_sec=9000 "
                + "p50_us=80.0 p999_us=1500.0")).rows();
        assertEquals("met", row(rows, "single client, one request at a time, PAGE_CACHE: p50").verdict());
        assertEquals("missed: 1.50x over", row(rows, "single client, one request at a time, PAGE_CACHE: p99.9")
            .verdict());
    }

    @Test
    void goalsWithoutAFigureSayHowToMeasureThem() {
        final List<Issue8Goals.Row> rows = new Issue8Goals(new Results()).rows();
        assertEquals(12, rows.size());
        for (Issue8Goals.Row r : rows) {
            assertTrue(r.verdict().startsWith(Issue8Goals.NOT_MEASURED), r.toString());
            assertEquals("—", r.measured());
        }
        assertTrue(row(rows, "flat memory").verdict().contains("--flat-memory"));
        assertTrue(row(rows, "client protocol").verdict().contains("./pontoon append"));
    }

    @Test
    void demoGoalsReadTheDemoResults() {
        final List<Issue8Goals.Row> rows = new Issue8Goals(results(
            "RESULT bench=demo mode=default exit=0 committed=2500000 ops_per_sec=250000 failed=0",
            "RESULT bench=demo mode=flat exit=0 ops_per_sec=300000 failed=0 leader_changes=0 heap_used_mb=230 "
                + "heap_used_mb_min1=200")).rows();
        assertEquals("met", row(rows, "default `./pontoon demo`").verdict());
        assertEquals("missed: heap moved 15%", row(rows, "flat memory").verdict());
    }

    @Test
    void flatMemoryIsMetOnlyWithNoLeaderChangeNoFailureAndAFlatHeap() {
        final List<Issue8Goals.Row> met = new Issue8Goals(results(
            "RESULT bench=demo mode=flat exit=0 failed=0 leader_changes=0 heap_used_mb=105 heap_used_mb_min1=100"))
            .rows();
        assertEquals("met", row(met, "flat memory").verdict());
        final List<Issue8Goals.Row> missed = new Issue8Goals(results(
            "RESULT bench=demo mode=flat exit=1 failed=235 leader_changes=5 heap_used_mb=100 heap_used_mb_min1=100"))
            .rows();
        assertEquals("missed: the demo failed, leader changed, proposals failed", row(missed, "flat memory").verdict());
    }
}
