package io.pontoon.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.pontoon.bench.report.Fmt.ops;
import static io.pontoon.bench.report.Fmt.us;
import static io.pontoon.bench.report.Fmt.x;

/**
 * The goals of issue 8 ("Per-entry cost and flat memory") against one report run: one row per goal, the figure
 * this run measured for it and a verdict computed from that figure. A goal the run has no figure for says so and
 * names the command that measures it; nothing is filled in by hand.
 */
final class Issue8Goals {
    /** One row of the table. */
    record Row(String goal, String target, String measured, String verdict) {
    }

    static final String NOT_MEASURED = "not measured in this run";

    private final Results results;

    Issue8Goals(Results results) {
        this.results = results;
    }

    List<Row> rows() {
        final List<Row> rows = new ArrayList<>();
        final Optional<Result> page = best("PAGE_CACHE");
        rows.add(atLeast("PAGE_CACHE, 3 nodes, 128 B: commits/s (best in-flight window measured)", "≥ 1,000,000/s",
            page.map(r -> r.num("ops_per_sec")).orElse(Double.NaN), 1_000_000,
            page.map(r -> ops(r.num("ops_per_sec")) + "/s at " + r.get("inflight") + " in flight").orElse(null)));
        final double pageRatio = compareRatio("PAGE_CACHE");
        rows.add(atLeast("PAGE_CACHE vs SOFAJRaft (sync=false), same run (compare harness, 128 B)", "≥ 8x",
            pageRatio, 8, x(pageRatio)));
        final Optional<Result> sync = best("SYNC");
        rows.add(atLeast("SYNC, 3 nodes, 128 B, ≤ 1,024 in flight: commits/s (best window)", "≥ 300,000/s",
            sync.map(r -> r.num("ops_per_sec")).orElse(Double.NaN), 300_000,
            sync.map(r -> ops(r.num("ops_per_sec")) + "/s at " + r.get("inflight") + " in flight").orElse(null)));
        final double syncRatio = compareRatio("SYNC");
        rows.add(atLeast("SYNC vs SOFAJRaft with fsync, same run (compare harness, 128 B)", "≥ 3x", syncRatio, 3,
            x(syncRatio)));
        final Optional<Result> demo = results.find("bench", "demo", "mode", "default");
        rows.add(demo.isPresent()
            ? atLeast("default `./pontoon demo` (SYNC, 64 in flight): commits/s", "≥ 200,000/s",
                demo.get().num("ops_per_sec"), 200_000, ops(demo.get().num("ops_per_sec")) + "/s")
            : missing("default `./pontoon demo` (SYNC, 64 in flight): commits/s", "≥ 200,000/s", "`./pontoon demo`"));
        final Optional<Result> single = results.find("bench", "throughput", "nodes", "3", "payload", "128",
            "durability", "PAGE_CACHE", "inflight", "1");
        final double p50 = single.map(r -> r.num("p50_us")).orElse(Double.NaN);
        final double p999 = single.map(r -> r.num("p999_us")).orElse(Double.NaN);
        rows.add(atMost("single client, one request at a time, PAGE_CACHE: p50", "≤ 100 µs", p50, 100, us(p50)));
        rows.add(atMost("single client, one request at a time, PAGE_CACHE: p99.9", "≤ 1 ms", p999, 1000, us(p999)));
        rows.add(clientProtocol("256", 250_000));
        rows.add(clientProtocol("1", 5_000));
        rows.add(flatMemory());
        final Optional<Result> engine = results.find("bench", "engine");
        rows.add(engine.isPresent()
            ? atMost("allocation, engine (`EngineCommitBenchmark -prof gc`)", "~0 B/op",
                engine.get().num("alloc_bytes_per_op"), 1, engine.get().get("alloc_bytes_per_op") + " B/op")
            : missing("allocation, engine (`EngineCommitBenchmark -prof gc`)", "~0 B/op",
                "`java -jar benchmarks/target/benchmarks.jar EngineCommitBenchmark -prof gc`"));
        final Optional<Result> profile = results.find("bench", "profile");
        final double alloc = profile.map(r -> r.num("alloc_bytes_per_op")).orElse(Double.NaN);
        rows.add(atMost("allocation, whole JVM, per committed entry (profiled trial, `-prof gc`)", "≤ 16 B", alloc, 16,
            String.format(java.util.Locale.ROOT, "%.1f B", alloc)));
        return rows;
    }

    /** The fastest closed-loop trial of 3 nodes, 128 B, at 2 to 1,024 in flight. */
    private Optional<Result> best(String durability) {
        Result best = null;
        for (Result r : results.findAll("bench", "throughput", "nodes", "3", "payload", "128", "durability",
            durability)) {
            final double inflight = r.num("inflight");
            if (inflight > 1 && inflight <= 1024 && !Double.isNaN(r.num("ops_per_sec"))
                && (best == null || r.num("ops_per_sec") > best.num("ops_per_sec"))) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    private double compareRatio(String durability) {
        final double p = results.value("ops_per_sec", "bench", "compare", "system", "pontoon", "durability",
            durability, "payload", "128", "rate", "0");
        final double s = results.value("ops_per_sec", "bench", "compare", "system", "sofajraft", "durability",
            durability, "payload", "128", "rate", "0");
        return p / s;
    }

    private Row clientProtocol(String concurrency, double target) {
        final String goal = "client protocol, 3 `./pontoon node` processes, PAGE_CACHE, 128 B: acks/s at "
            + "`--concurrency " + concurrency + "`";
        final String shown = "≥ " + ops(target) + "/s";
        return results.find("bench", "append", "concurrency", concurrency)
            .map(r -> atLeast(goal, shown, r.num("ops_per_sec"), target, ops(r.num("ops_per_sec")) + "/s"))
            .orElseGet(() -> missing(goal, shown, "`./pontoon append --concurrency " + concurrency
                + "` against three `./pontoon node` processes"));
    }

    /**
     * Flat memory: the 300 s PAGE_CACHE demo with 256 clients and -Xmx512m ends without an error, a leader change
     * or a failed proposal, and its live heap after GC at the end is within 10% of the one at minute 1.
     */
    private Row flatMemory() {
        final String goal = "flat memory: `PONTOON_JAVA_OPTS=-Xmx512m ./pontoon demo --seconds 300 --durability "
            + "PAGE_CACHE --clients 256 --failover false`";
        final String target = "no OOM, no leader change, no failed proposal, live heap min 1 → 5 within ±10%";
        final Optional<Result> demo = results.find("bench", "demo", "mode", "flat");
        if (demo.isEmpty()) {
            return missing(goal, target, "`./pontoon bench-report --flat-memory`");
        }
        final Result r = demo.get();
        final double first = r.num("heap_used_mb_min1");
        final double last = r.num("heap_used_mb");
        final double drift = (last - first) / first;
        final String measured = "exit " + r.get("exit") + ", leader_changes=" + r.get("leader_changes") + ", failed="
            + r.get("failed") + ", heap " + ops(first) + " → " + ops(last) + " MiB";
        final List<String> misses = new ArrayList<>();
        if (!"0".equals(r.get("exit"))) {
            misses.add("the demo failed");
        }
        if (r.num("leader_changes") != 0) {
            misses.add("leader changed");
        }
        if (r.num("failed") != 0) {
            misses.add("proposals failed");
        }
        if (Double.isNaN(drift) || Math.abs(drift) > 0.10) {
            misses.add("heap moved " + (Double.isNaN(drift) ? "n/a" : Math.round(drift * 100) + "%"));
        }
        return new Row(goal, target, measured, misses.isEmpty() ? "met" : "missed: " + String.join(", ", misses));
    }

    private static Row atLeast(String goal, String target, double measured, double limit, String shown) {
        if (Double.isNaN(measured) || Double.isInfinite(measured)) {
            return new Row(goal, target, "—", NOT_MEASURED);
        }
        return new Row(goal, target, shown, measured >= limit ? "met" : "missed: " + x(limit / measured) + " short");
    }

    private static Row atMost(String goal, String target, double measured, double limit, String shown) {
        if (Double.isNaN(measured) || Double.isInfinite(measured)) {
            return new Row(goal, target, "—", NOT_MEASURED);
        }
        return new Row(goal, target, shown, measured <= limit ? "met" : "missed: " + x(measured / limit) + " over");
    }

    private static Row missing(String goal, String target, String how) {
        return new Row(goal, target, "—", NOT_MEASURED + " (measure with " + how + ")");
    }
}
