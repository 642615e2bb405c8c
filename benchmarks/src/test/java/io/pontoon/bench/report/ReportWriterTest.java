package io.pontoon.bench.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportWriterTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static Results run(boolean quick) {
        final Results results = new Results();
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("mode", quick ? "quick" : "full");
        f.put("jmh_warmup", "2x3s");
        f.put("jmh_headline_warmup", quick ? "1x3s" : "3x10s");
        f.put("jmh_heap", "-Xms1g -Xmx1g");
        f.put("compare_warmup_s", "10");
        f.put("compare_headline_warmup_s", "30");
        results.add(RunInfo.runLine(f));
        for (String inflight : new String[] {"64", "256", "1024"}) {
            results.add(Result.parse("RESULT bench=throughput nodes=3 payload=128 durability=SYNC inflight=" + inflight
                + " ops_per_sec=200000 ops_min=190000 ops_max=210000 p50_us=900.0 p99_us=2000.0 p999_us=3000.0 "
                + "max_us=4000.0 failed=0 ae_frames=1000 ae_entries=64000 entries_per_frame=64.0 "
                + "journal_records=3000 journal_entries=192000 journal_syncs=1500 entries_per_record=64.0 "
                + "entries_per_sync=128.0", null));
        }
        results.add(Result.parse("RESULT bench=throughput nodes=3 payload=128 durability=PAGE_CACHE inflight=256 "
            + "ops_per_sec=500000 ops_min=1 ops_max=2 p50_us=1 p99_us=2 p999_us=3 max_us=4 failed=0 "
            + "entries_per_frame=80.0 entries_per_record=1.0 entries_per_sync=n/a", null));
        return results;
    }

    @Test
    void pageHasIssue8GoalsSyncWindowsAndBatchingFigures(@TempDir Path docs) throws Exception {
        final Results results = run(false);
        new ReportWriter(results, RunInfo.fromResults(results)).write(docs);
        final String page = Files.readString(docs.resolve(ReportWriter.PAGE), StandardCharsets.UTF_8);
        assertTrue(page.contains("## Goals of issue 8, against this run"), page);
        assertFalse(page.contains("Goals of issue 5"));
        assertTrue(page.contains("| SYNC, 3 nodes, 128 B, ≤ 1,024 in flight: commits/s (best window) | ≥ 300,000/s | "
            + "200,000/s at 64 in flight | missed: 1.50x short |"), page);
        assertTrue(page.contains("| SYNC | 1024 | 200,000 | 64.0 | 64.0 | 128.0 |"), page);
        assertTrue(page.contains("| PAGE_CACHE | 256 | 500,000 | 80.0 | 1.0 | n/a |"), page);
        assertTrue(page.contains("a small fixed heap (`-Xms1g -Xmx1g`"), page);
        assertTrue(page.contains("are warmed up for 3x10s"), page);
        assertFalse(page.contains("--quick` run"), page);
    }

    @Test
    void quickRunSaysItsWarmUpsAreShort(@TempDir Path docs) throws Exception {
        final Results results = run(true);
        new ReportWriter(results, RunInfo.fromResults(results)).write(docs);
        final String page = Files.readString(docs.resolve(ReportWriter.PAGE), StandardCharsets.UTF_8);
        assertTrue(page.contains("Every warm-up of this run (`--quick`) is shorter than the 30 s"), page);
        assertTrue(page.contains("This is a `--quick` run"), page);
    }

    /** The page embeds its RESULT lines: rendering it again gives the same page (what --render-only relies on). */
    @Test
    void renderingThePageAgainReproducesIt(@TempDir Path docs) throws Exception {
        final Results results = run(false);
        new ReportWriter(results, RunInfo.fromResults(results)).write(docs);
        final String first = Files.readString(docs.resolve(ReportWriter.PAGE), StandardCharsets.UTF_8);
        final Results again = Results.read(docs.resolve(ReportWriter.PAGE));
        assertEquals(results.all().size(), again.all().size());
        final Path second = Files.createDirectories(docs.resolve("again"));
        new ReportWriter(again, RunInfo.fromResults(again)).write(second);
        assertEquals(first, Files.readString(second.resolve(ReportWriter.PAGE), StandardCharsets.UTF_8));
    }

    @Test
    void demoHeapLineOfMinuteOneIsRecognised() {
        assertTrue(ReportRun.DEMO_HEAP_LINE.matcher("-- t=60.0s heap_used_mb=123 (after System.gc())").find());
        assertTrue(ReportRun.DEMO_HEAP_LINE.matcher("-- t=61.3s heap_used_mb=7 (after System.gc())").find());
        assertFalse(ReportRun.DEMO_HEAP_LINE.matcher("-- t=120.0s heap_used_mb=123 (after System.gc())").find());
        assertFalse(ReportRun.DEMO_HEAP_LINE.matcher("-- t=6.0s disconnect leader node 2 (term 1)").find());
    }

    @Test
    void runInfoIsKeptAmongTheResults() {
        final Results results = run(true);
        final RunInfo info = RunInfo.fromResults(results);
        assertTrue(info.quick());
        assertEquals("-Xms1g -Xmx1g", info.get("jmh_heap", null));
    }
}
