package io.pontoon.bench.report;

import io.pontoon.bench.cluster.BenchFlags;
import io.pontoon.bench.cluster.MachineInfo;
import io.pontoon.bench.cluster.ResultsFile;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixed set of runs behind docs/BENCHMARKS.md, in order: closed-loop throughput (payload × durability,
 * window, 5 nodes, single client), the peak it finds, open-loop latency at 10/50/90% of that peak, throughput
 * under loss and delay, one more trial under JFR and JMH's GC profiler ("where the time goes"), then
 * {@code compare/compare.sh}. A JMH run waits while another JMH run on the machine holds JMH's lock. JMH runs in forks started from this JVM (JMH's
 * {@link Runner}); each trial appends its RESULT line to {@code WORK/results.txt}; JMH's own output goes to one
 * log per step in the work directory.
 *
 * <p>Full: about 20 minutes on 2 cores. Headline trials (3 nodes, 128 B: PAGE_CACHE at 256 in flight, SYNC at
 * 64/256/1,024, the single client) get a 3×10 s warm-up, the JIT's 30 s on 2 cores; the others 2×3 s; all 4×2 s
 * measured. The headline comparison (128 B) warms up 30 s, the others 10 s, each measured 10 s; then the default
 * demo (10 s). Quick: about 3 minutes (1×3 s + 2×2 s everywhere; comparison at 128 bytes only, 5 s + 5 s), and the
 * page says its warm-ups are short. {@code --flat-memory} adds the 300 s flat-memory demo of issue 8.
 */
final class ReportRun {
    private static final String CLUSTER = "io\\.pontoon\\.bench\\.cluster\\.";
    private static final long LOCK_WAIT_MINUTES = 15;
    /** The demo's once-a-minute line: {@code -- t=60.0s heap_used_mb=123 (after System.gc())}. */
    static final Pattern DEMO_HEAP_LINE = Pattern.compile("^-- t=6\\d\\.\\ds heap_used_mb=(\\d+)");

    private final ReportOptions options;
    private final Path workDir;
    private final Path resultsFile;
    private final Results results = new Results();
    private final List<String> notes = new ArrayList<>();
    private final int warmupIterations;
    private final int warmupSeconds;
    private final int headlineWarmupIterations;
    private final int headlineWarmupSeconds;
    private final int compareHeadlineWarmupSeconds;
    private final int measureIterations;
    private final int measureSeconds;
    private final int compareWarmupSeconds;
    private final int compareSeconds;
    private int step;
    /** The trials started now are headline figures: they get the long warm-up. */
    private boolean headline;
    private int resultLinesRead;
    private boolean compareBuilt;
    private final String startedAt =
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));

    ReportRun(ReportOptions options) throws IOException {
        this.options = options;
        this.workDir = options.workDir() != null ? Files.createDirectories(options.workDir())
            : Files.createTempDirectory("pontoon-bench-report-");
        this.resultsFile = workDir.resolve("results.txt");
        Files.deleteIfExists(resultsFile);
        this.warmupIterations = options.quick() ? 1 : 2;
        this.warmupSeconds = 3;
        this.headlineWarmupIterations = options.quick() ? warmupIterations : 3;
        this.headlineWarmupSeconds = options.quick() ? warmupSeconds : 10;
        this.compareHeadlineWarmupSeconds = options.quick() ? 5 : 30;
        this.measureIterations = options.quick() ? 2 : 4;
        this.measureSeconds = 2;
        this.compareWarmupSeconds = options.quick() ? 5 : 10;
        this.compareSeconds = options.quick() ? 5 : 10;
        this.compareBuilt = options.skipBuild();
    }

    Results runAll() throws IOException, InterruptedException {
        say("work directory " + workDir + " (JMH logs, results.txt, comparison logs)");
        say("machine: " + MachineInfo.describe());
        checkFlagsMatchPom();
        final boolean full = !options.quick();

        // 1. Closed-loop throughput: payload x durability, 3 nodes, 256 in flight from 2 client threads; SYNC at
        // 64, 256 and 1,024 in flight. The 128 B trials are the headline figures: long warm-ups.
        headline = true;
        jmh("throughput", "ClusterThroughputBenchmark", 2, params("nodes", "3", "payloadBytes", "128",
            "durability", "PAGE_CACHE", "inflight", "256"));
        jmh("SYNC window", "ClusterThroughputBenchmark", 2, params("nodes", "3", "payloadBytes", "128",
            "durability", "SYNC", "inflight", "64,256,1024"));
        headline = false;
        jmh("throughput", "ClusterThroughputBenchmark", 2, params("nodes", "3", "payloadBytes", "16,1024",
            "durability", "PAGE_CACHE", "inflight", "256"));
        if (full) {
            jmh("throughput", "ClusterThroughputBenchmark", 2, params("nodes", "3", "payloadBytes", "16,1024",
                "durability", "SYNC", "inflight", "256"));
            jmh("window", "ClusterThroughputBenchmark", 2, params("nodes", "3", "payloadBytes", "128",
                "durability", "PAGE_CACHE", "inflight", "64,1024"));
            jmh("5 nodes", "ClusterThroughputBenchmark", 2, params("nodes", "5", "payloadBytes", "128",
                "durability", "PAGE_CACHE,SYNC", "inflight", "256"));
        }
        // One client, one request at a time: the single-client commit latency (closed loop).
        headline = true;
        jmh("single client", "ClusterThroughputBenchmark", 1, params("nodes", "3", "payloadBytes", "128",
            "durability", "PAGE_CACHE", "inflight", "1"));
        headline = false;

        // 2. Open-loop latency at fractions of the peak just measured.
        final double peak = results.value("ops_per_sec", "bench", "throughput", "nodes", "3", "payload", "128",
            "durability", "PAGE_CACHE", "inflight", "256");
        if (Double.isNaN(peak) || peak < 100) {
            note("No PAGE_CACHE peak was measured, so the fixed-load latency runs were skipped.");
        } else {
            say(String.format(Locale.ROOT, "peak (3 nodes, 128 B, PAGE_CACHE, 256 in flight): %,.0f commits/s", peak));
            jmh("latency", "ClusterLatencyBenchmark", 1, params("nodes", "3", "payloadBytes", "128",
                "durability", "PAGE_CACHE", "rate", rates(peak, 0.1, 0.5, 0.9), "lossPercent", "0", "delayUs", "0"));
            if (full) {
                jmh("latency, 1% loss", "ClusterLatencyBenchmark", 1, params("nodes", "3", "payloadBytes", "128",
                    "durability", "PAGE_CACHE", "rate", rates(peak, 0.5), "lossPercent", "1", "delayUs", "0"));
            }
        }
        final double syncPeak = results.value("ops_per_sec", "bench", "throughput", "nodes", "3", "payload", "128",
            "durability", "SYNC", "inflight", "256");
        if (full && !Double.isNaN(syncPeak) && syncPeak >= 100) {
            jmh("latency SYNC", "ClusterLatencyBenchmark", 1, params("nodes", "3", "payloadBytes", "128",
                "durability", "SYNC", "rate", rates(syncPeak, 0.5), "lossPercent", "0", "delayUs", "0"));
        }

        // 3. Throughput under frame loss and delay.
        jmh("loss", "ClusterFaultBenchmark", 2, params("nodes", "3", "payloadBytes", "128", "durability", "PAGE_CACHE",
            "inflight", "256", "lossPercent", "0,1,5", "delayUs", "0"));
        if (full) {
            jmh("delay", "ClusterFaultBenchmark", 2, params("nodes", "3", "payloadBytes", "128",
                "durability", "PAGE_CACHE", "inflight", "256", "lossPercent", "0", "delayUs", "1000"));
        }

        // 4. Where the time goes: one more trial under JFR and the GC profiler.
        profile();

        // 5. Side by side with SOFAJRaft and Ratis (their own JVMs, compare/compare.sh).
        if (options.compare()) {
            if (full) {
                compare("PAGE_CACHE,SYNC", 128, 0, "pontoon,sofajraft,ratis", compareHeadlineWarmupSeconds);
                compare("PAGE_CACHE", 16, 0, "pontoon,sofajraft,ratis", compareWarmupSeconds);
                compare("PAGE_CACHE", 1024, 0, "pontoon,sofajraft,ratis", compareWarmupSeconds);
                final double sofaPeak = results.value("ops_per_sec", "bench", "compare", "system", "sofajraft",
                    "payload", "128", "durability", "PAGE_CACHE", "rate", "0");
                if (!Double.isNaN(sofaPeak) && sofaPeak > 100) {
                    compare("PAGE_CACHE", 128, Math.round(sofaPeak * 0.5 / 1000) * 1000, "pontoon,sofajraft",
                        compareWarmupSeconds);
                }
            } else {
                compare("PAGE_CACHE", 128, 0, "pontoon,sofajraft,ratis", compareHeadlineWarmupSeconds);
            }
        } else {
            note("The comparison with SOFAJRaft and Ratis was not run (--no-compare).");
        }

        // 6. The demo, as a user runs it: the default (SYNC, 64 in flight, 10 s), and on request the 300 s
        // flat-memory run of issue 8.
        demo("default", List.of(), null);
        if (options.flatMemory()) {
            demo("flat", List.of("--seconds", "300", "--durability", "PAGE_CACHE", "--clients", "256",
                "--failover", "false"), "-Xmx512m");
        }
        return results;
    }

    /** The run's description line and notes, added to the results (so --render-only reproduces the report). */
    RunInfo info(Duration took) {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("mode", options.quick() ? "quick" : "full");
        f.put("started", startedAt);
        f.put("commit", gitCommit());
        f.put("duration_s", Long.toString(took.toSeconds()));
        f.put("jmh_warmup", warmupIterations + "x" + warmupSeconds + "s");
        f.put("jmh_headline_warmup", headlineWarmupIterations + "x" + headlineWarmupSeconds + "s");
        f.put("headline", "3 nodes, 128 B: PAGE_CACHE at 256 in flight, SYNC at 64/256/1,024, the single client");
        f.put("jmh_heap", BenchFlags.heapFlags());
        f.put("jmh_measure", measureIterations + "x" + measureSeconds + "s");
        f.put("compare_warmup_s", Integer.toString(compareWarmupSeconds));
        f.put("compare_headline_warmup_s", Integer.toString(compareHeadlineWarmupSeconds));
        f.put("compare_seconds", Integer.toString(compareSeconds));
        f.put("machine", MachineInfo.describe());
        results.add(RunInfo.runLine(f));
        notes.forEach(n -> results.add(RunInfo.noteLine(n)));
        return RunInfo.fromResults(results);
    }

    private static String rates(double peak, double... fractions) {
        final List<String> out = new ArrayList<>();
        for (double f : fractions) {
            out.add(Long.toString(Math.max(1000, Math.round(peak * f / 1000) * 1000)));
        }
        return String.join(",", out);
    }

    private static Map<String, String> params(String... kv) {
        final Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private void jmh(String label, String benchmark, int threads, Map<String, String> params) throws IOException {
        step++;
        final Path log = log("jmh", label);
        say("step " + step + ": " + label + ": " + benchmark + " " + params + " threads=" + threads + " (log " + log + ")");
        final ChainedOptionsBuilder b = options(benchmark, threads, params, log, "-D" + ResultsFile.PROPERTY + "=" + resultsFile);
        final int before = resultLinesRead;
        try {
            runJmh(b);
        } catch (RunnerException e) {
            note("JMH step '" + label + "' failed: " + e.getMessage() + " (see " + log.getFileName() + ").");
        }
        readNewResults();
        final int expected = params.values().stream().mapToInt(v -> v.split(",").length).reduce(1, (x, y) -> x * y);
        if (resultLinesRead - before < expected) {
            note("JMH step '" + label + "' (" + benchmark + " " + params + ") produced " + (resultLinesRead - before)
                + " of " + expected + " results; a trial failed (its JMH log: " + log.getFileName() + ").");
        }
    }

    /**
     * One more throughput trial (3 nodes, 128 B, PAGE_CACHE, 256 in flight) under JFR ({@code settings=profile})
     * and JMH's GC profiler; its result line becomes {@code bench=profile} with the JFR summary
     * ({@link ProfileSummary}) and {@code gc.alloc.rate.norm}. Kept apart from section 1's figures: profiling
     * costs throughput.
     */
    private void profile() throws IOException {
        step++;
        final Path log = log("jmh", "profile");
        final Path jfr = workDir.resolve("profile.jfr");
        final Path profileResults = workDir.resolve("profile-results.txt");
        Files.deleteIfExists(profileResults);
        final Map<String, String> params = params("nodes", "3", "payloadBytes", "128", "durability", "PAGE_CACHE",
            "inflight", "256");
        say("step " + step + ": profile: ClusterThroughputBenchmark " + params + " under JFR and -prof gc (log " + log
            + ", recording " + jfr + ")");
        final ChainedOptionsBuilder b = options("ClusterThroughputBenchmark", 2, params, log,
            "-D" + ResultsFile.PROPERTY + "=" + profileResults,
            "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile")
            .addProfiler(GCProfiler.class);
        double allocNorm = Double.NaN;
        try {
            for (RunResult r : runJmh(b)) {
                for (Map.Entry<String, org.openjdk.jmh.results.Result> e : r.getSecondaryResults().entrySet()) {
                    if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                        allocNorm = e.getValue().getScore();
                    }
                }
            }
        } catch (RunnerException e) {
            note("The profiled trial failed: " + e.getMessage() + " (see " + log.getFileName() + ").");
            return;
        }
        final Result trial = Files.exists(profileResults) ? Files.readAllLines(profileResults).stream()
            .map(l -> Result.parse(l, null)).filter(java.util.Objects::nonNull).reduce((x, y) -> y).orElse(null) : null;
        if (trial == null || !Files.exists(jfr)) {
            note("The profiled trial produced no result or no recording (see " + log.getFileName() + ").");
            return;
        }
        final Map<String, String> f = new LinkedHashMap<>(trial.fields());
        f.put("bench", "profile");
        f.put("alloc_bytes_per_op", Double.isNaN(allocNorm) ? "n/a" : String.format(Locale.ROOT, "%.1f", allocNorm));
        f.putAll(ProfileSummary.summarize(jfr));
        final Result profile = new Result(f);
        results.add(profile);
        say("  profile: " + f.get("samples") + " samples; threads " + f.get("threads") + "; alloc "
            + f.get("alloc_bytes_per_op") + " B/op");
    }

    /**
     * Runs JMH; while another JMH run on this machine holds JMH's lock (another engineer's benchmark), waits for it
     * (up to {@value #LOCK_WAIT_MINUTES} minutes) rather than measuring two benchmarks against each other.
     */
    private static Collection<RunResult> runJmh(ChainedOptionsBuilder b) throws RunnerException {
        final long deadlineNs = System.nanoTime() + TimeUnit.MINUTES.toNanos(LOCK_WAIT_MINUTES);
        boolean told = false;
        while (true) {
            try {
                return new Runner(b.build()).run();
            } catch (RunnerException e) {
                final boolean locked = String.valueOf(e.getMessage()).contains("JMH lock");
                if (!locked || System.nanoTime() > deadlineNs) {
                    throw e;
                }
                if (!told) {
                    say("another JMH run holds the JMH lock (another benchmark on this machine): waiting for it");
                    told = true;
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    private ChainedOptionsBuilder options(String benchmark, int threads, Map<String, String> params, Path log,
                                          String... jvmArgs) {
        final ChainedOptionsBuilder b = new OptionsBuilder()
            .include(CLUSTER + benchmark + "\\.propose$")
            .forks(1)
            .threads(threads)
            .warmupIterations(headline ? headlineWarmupIterations : warmupIterations)
            .warmupTime(TimeValue.seconds(headline ? headlineWarmupSeconds : warmupSeconds))
            .measurementIterations(measureIterations).measurementTime(TimeValue.seconds(measureSeconds))
            .jvmArgsPrepend(jvmArgs)
            .shouldFailOnError(false)
            .output(log.toString());
        params.forEach((k, v) -> b.param(k, v.split(",")));
        return b;
    }

    private Path log(String kind, String label) {
        return workDir.resolve(String.format(Locale.ROOT, "%s-%02d-%s.log", kind, step,
            label.replaceAll("[^A-Za-z0-9]+", "-")));
    }

    private void readNewResults() throws IOException {
        if (!Files.exists(resultsFile)) {
            return;
        }
        final List<String> lines = Files.readAllLines(resultsFile, StandardCharsets.UTF_8);
        for (int i = resultLinesRead; i < lines.size(); i++) {
            final Result r = Result.parse(lines.get(i), null);
            if (r != null) {
                results.add(r);
                say("  " + summary(r));
            }
        }
        resultLinesRead = lines.size();
    }

    private static String summary(Result r) {
        final StringBuilder sb = new StringBuilder(r.bench());
        for (String k : List.of("system", "nodes", "payload", "durability", "inflight", "rate", "loss_pct", "delay_us")) {
            if (r.get(k) != null) {
                sb.append(' ').append(k).append('=').append(r.get(k));
            }
        }
        return sb.append(String.format(Locale.ROOT, ": %,.0f commits/s, p50 %s us, p99 %s us, p99.9 %s us, max %s us",
            r.num("ops_per_sec"), r.get("p50_us"), r.get("p99_us"), r.get("p999_us"), r.get("max_us"))).toString();
    }

    private void compare(String durabilities, int payload, long rate, String systems, int warmupSeconds)
        throws IOException, InterruptedException {
        step++;
        final Path script = options.root().resolve("compare/compare.sh");
        if (!Files.isRegularFile(script)) {
            note("compare/compare.sh not found under " + options.root() + ": comparison skipped.");
            return;
        }
        final Path log = log("compare", durabilities + "-" + payload + "-" + rate);
        final List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), "--systems", systems,
            "--durability", durabilities, "--nodes", "3", "--payload", Integer.toString(payload), "--inflight", "128",
            "--rate", Long.toString(rate), "--warmup-seconds", Integer.toString(warmupSeconds),
            "--seconds", Integer.toString(compareSeconds), "--smoke",
            "--log-dir", workDir.resolve("compare-logs").toString()));
        say("step " + step + ": comparison: " + String.join(" ", cmd.subList(1, cmd.size())) + " (log " + log + ")");
        final ProcessBuilder pb = new ProcessBuilder(cmd).directory(options.root().toFile()).redirectErrorStream(true);
        pb.environment().put("COMPARE_BUILD_DIR", options.buildDir());
        if (compareBuilt) {
            pb.environment().put("COMPARE_SKIP_BUILD", "1");
        }
        final Process p = pb.start();
        int found = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                final Result r = Result.parse(line, "compare");
                if (r != null) {
                    results.add(r);
                    found++;
                    say("  " + summary(r));
                } else if (line.startsWith("RATIO") || line.startsWith("compare.sh:")) {
                    say("  " + line);
                }
            }
        }
        final int code = p.waitFor();
        if (found > 0) {
            compareBuilt = true;
        }
        if (code != 0) {
            note("compare/compare.sh --payload " + payload + " --durability " + durabilities + " --rate " + rate
                + " exited with " + code + " (" + found + " results); its output: " + log.getFileName()
                + (found == 0 && !compareBuilt ? " (did the comparison jars build?)" : ""));
        }
    }

    /**
     * Runs {@code ./pontoon demo} with {@code args} (and {@code javaOpts} as PONTOON_JAVA_OPTS when not null) and
     * adds its RESULT line as {@code bench=demo mode=MODE}, with the exit status and, from the demo's once-a-minute
     * heap lines, the live heap at minute 1 ({@code heap_used_mb_min1}).
     */
    private void demo(String mode, List<String> args, String javaOpts) throws IOException, InterruptedException {
        step++;
        final Path script = options.root().resolve("pontoon");
        if (!Files.isRegularFile(script)) {
            note("./pontoon not found under " + options.root() + ": the " + mode + " demo was not run.");
            return;
        }
        final Path log = log("demo", mode);
        final List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), "demo"));
        cmd.addAll(args);
        say("step " + step + ": demo (" + mode + "): " + (javaOpts == null ? "" : "PONTOON_JAVA_OPTS=" + javaOpts + " ")
            + String.join(" ", cmd.subList(1, cmd.size())) + " (log " + log + ")");
        final ProcessBuilder pb = new ProcessBuilder(cmd).directory(options.root().toFile()).redirectErrorStream(true);
        if (javaOpts != null) {
            pb.environment().put("PONTOON_JAVA_OPTS", javaOpts);
        }
        final Process p = pb.start();
        Result result = null;
        String heapMinute1 = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                final Result r = Result.parse(line, "demo");
                if (r != null) {
                    result = r;
                }
                final Matcher heap = DEMO_HEAP_LINE.matcher(line);
                if (heapMinute1 == null && heap.find()) {
                    heapMinute1 = heap.group(1);
                }
            }
        }
        final int code = p.waitFor();
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("bench", "demo");
        f.put("mode", mode);
        f.put("exit", Integer.toString(code));
        if (javaOpts != null) {
            f.put("java_opts", javaOpts);
        }
        if (result != null) {
            result.fields().forEach((k, v) -> {
                if (!"bench".equals(k)) {
                    f.put(k, v);
                }
            });
        }
        if (heapMinute1 != null) {
            f.put("heap_used_mb_min1", heapMinute1);
        }
        final Result demo = new Result(f);
        results.add(demo);
        say("  " + demo.line());
        if (code != 0 || result == null) {
            note("The " + mode + " demo exited with " + code + (result == null ? " without a RESULT line" : "")
                + "; its output: " + log.getFileName() + ".");
        }
    }

    /** The pom's agrona/chronicle flags must equal those every JMH fork gets (BenchFlags). */
    private void checkFlagsMatchPom() throws IOException {
        final Path pom = options.root().resolve("pom.xml");
        if (!Files.isRegularFile(pom)) {
            return;
        }
        final String text = Files.readString(pom);
        final String pomFlags = (property(text, "agrona.jvm.flags") + " " + property(text, "chronicle.jvm.flags")).trim();
        if (!pomFlags.equals(BenchFlags.pomFlags())) {
            note("The JVM flags in pom.xml (agrona.jvm.flags, chronicle.jvm.flags) differ from those the cluster "
                + "benchmarks give their forks (io.pontoon.bench.cluster.BenchFlags): pom '" + pomFlags
                + "' vs benchmarks '" + BenchFlags.pomFlags() + "'.");
        }
    }

    private static String property(String pom, String name) {
        final Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">").matcher(pom);
        return m.find() ? m.group(1).trim() : "";
    }

    private String gitCommit() {
        try {
            final Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                .directory(options.root().toFile()).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && out.matches("[0-9a-f]+") ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private void note(String text) {
        notes.add(text);
        say("NOTE: " + text);
    }

    private static void say(String text) {
        System.out.println("bench-report: " + text);
        System.out.flush();
    }
}
