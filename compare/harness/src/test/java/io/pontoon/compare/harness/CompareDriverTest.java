package io.pontoon.compare.harness;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareDriverTest {
    private static ResultLine result(String system, String ops, String p50, String p99, String inflight) {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("system", system);
        f.put("nodes", "3");
        f.put("payload", "128");
        f.put("durability", "SYNC");
        f.put("inflight", inflight);
        f.put("rate", "0");
        f.put("warmup_s", "30");
        f.put("seconds", "30");
        f.put("smoke", "false");
        f.put("ops_per_sec", ops);
        f.put("p50_us", p50);
        f.put("p99_us", p99);
        f.put("jdk", "17");
        f.put("cores", "2");
        f.put("setup", "storage=x,transport=y");
        return ResultLine.of(f);
    }

    @Test
    void resultLineRoundTripsThroughItsText() {
        final ResultLine r = result("ratis", "6000", "3299.3", "40501.2", "128");
        final ResultLine parsed = ResultLine.parse(r.toString());
        assertEquals(r.fields(), parsed.fields());
        assertEquals("storage=x,transport=y", parsed.get("setup"));
        assertEquals(3299.3, parsed.number("p50_us"));
        assertNull(ResultLine.parse("sofajraft t=3s measure commits/s=1"));
    }

    @Test
    void ratiosArePontoonOverTheOther() {
        final Map<String, ResultLine> results = new LinkedHashMap<>();
        results.put("pontoon", result("pontoon", "300000", "250.0", "2000.0", "128"));
        results.put("sofajraft", result("sofajraft", "100000", "1000.0", "4000.0", "128"));
        final List<String> lines = CompareDriver.report("SYNC", List.of("pontoon", "sofajraft", "ratis"), results);
        assertTrue(lines.contains("RATIO durability=SYNC pontoon/sofajraft throughput=3.00 p50=0.25 p99=0.50"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("ratis") && l.contains("FAILED")), lines.toString());
        assertTrue(lines.contains("RATIO durability=SYNC pontoon/ratis n/a (a run failed)"), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("NOT MATCHED")), lines.toString());
    }

    @Test
    void aSettingThatDiffersBetweenSystemsIsReported() {
        final Map<String, ResultLine> results = new LinkedHashMap<>();
        results.put("pontoon", result("pontoon", "300000", "250.0", "2000.0", "128"));
        results.put("ratis", result("ratis", "6000", "3000.0", "40000.0", "64"));
        final List<String> lines = CompareDriver.report("SYNC", List.of("pontoon", "ratis"), results);
        assertTrue(lines.contains("NOT MATCHED: ratis has inflight=64 vs 128"), lines.toString());
    }
}
