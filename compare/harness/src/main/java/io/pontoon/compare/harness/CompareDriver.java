package io.pontoon.compare.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the comparison: for each durability mode, each system's runner jar in its own JVM, one after
 * another, with the same runner options and the same JVM flags; collects their RESULT lines and prints a
 * table plus Pontoon/X ratios. Uses only the JDK (run it with just the harness jar on the class path);
 * {@code compare/compare.sh} builds the jars and calls it.
 *
 * <pre>
 *   CompareDriver --jvm-flags "FLAGS" --jar pontoon=P.jar --jar sofajraft=S.jar --jar ratis=R.jar
 *                 [--java PATH] [--durability SYNC,PAGE_CACHE] [--log-dir DIR] [runner options...]
 * </pre>
 *
 * <p>Ratios: throughput is Pontoon ÷ other (above 1: Pontoon commits more per second); latency is Pontoon ÷
 * other (below 1: Pontoon is faster). Each child's stderr goes to {@code <log-dir>/<durability>-<system>.log};
 * its progress lines are echoed.
 */
public final class CompareDriver {
    /** Settings every RESULT line of one comparison must share; a mismatch is reported. */
    static final List<String> MATCHED_KEYS =
        List.of("nodes", "payload", "durability", "inflight", "rate", "warmup_s", "seconds", "smoke", "submitters", "jdk",
            "cores");
    static final String BASELINE = "pontoon";

    private CompareDriver() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jvmFlags = "";
        final Map<String, String> jars = new LinkedHashMap<>();
        List<String> durabilities = List.of("PAGE_CACHE", "SYNC");
        Path logDir = null;
        final List<String> runnerArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            final boolean hasValue = i + 1 < args.length;
            if (a.equals("--java") && hasValue) {
                java = args[++i];
            } else if (a.equals("--jvm-flags") && hasValue) {
                jvmFlags = args[++i];
            } else if (a.equals("--jar") && hasValue) {
                final String[] kv = args[++i].split("=", 2);
                if (kv.length != 2) {
                    err.println("error: --jar takes NAME=PATH, got '" + args[i] + "'");
                    return 2;
                }
                jars.put(kv[0], kv[1]);
            } else if (a.equals("--durability") && hasValue) {
                durabilities = Arrays.asList(args[++i].toUpperCase(Locale.ROOT).split(","));
            } else if (a.equals("--log-dir") && hasValue) {
                logDir = Path.of(args[++i]);
            } else {
                runnerArgs.add(a);
            }
        }
        if (jars.isEmpty()) {
            err.println("error: no runner jars (--jar NAME=PATH)");
            return 2;
        }
        for (String d : durabilities) {
            if (!d.equals("SYNC") && !d.equals("PAGE_CACHE") && !d.equals("NONE")) {
                err.println("error: --durability takes SYNC, PAGE_CACHE, NONE (comma-separated), got '" + d + "'");
                return 2;
            }
        }
        if (logDir == null) {
            logDir = Files.createTempDirectory("pontoon-compare-logs-");
        }
        Files.createDirectories(logDir);
        final List<String> flags = jvmFlags.isBlank() ? List.of() : Arrays.asList(jvmFlags.trim().split("\\s+"));
        out.println("compare: systems " + String.join(", ", jars.keySet()) + "; durability " + durabilities
            + "; runner options " + String.join(" ", runnerArgs));
        out.println("compare: JVM flags, the same for every system: " + String.join(" ", flags));
        out.println("compare: child logs in " + logDir);
        out.flush();

        int failures = 0;
        final List<String> summary = new ArrayList<>();
        for (String durability : durabilities) {
            final Map<String, ResultLine> results = new LinkedHashMap<>();
            for (Map.Entry<String, String> jar : jars.entrySet()) {
                final List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(flags);
                cmd.add("-jar");
                cmd.add(jar.getValue());
                cmd.addAll(runnerArgs);
                cmd.add("--durability");
                cmd.add(durability);
                final Path log = logDir.resolve(durability.toLowerCase(Locale.ROOT) + "-" + jar.getKey() + ".log");
                out.println("compare: $ " + String.join(" ", cmd));
                out.flush();
                final ResultLine r = runOne(cmd, log, out);
                if (r == null) {
                    failures++;
                    out.println("compare: " + jar.getKey() + " (" + durability + ") printed no RESULT line; see " + log);
                } else {
                    out.println(r);
                    results.put(jar.getKey(), r);
                }
                out.flush();
            }
            summary.addAll(report(durability, jars.keySet(), results));
        }
        out.println();
        summary.forEach(out::println);
        out.flush();
        return failures == 0 ? 0 : 1;
    }

    /** Runs one runner JVM; its stdout RESULT line is returned, everything else goes to {@code log}. */
    private static ResultLine runOne(List<String> cmd, Path log, PrintStream out) throws IOException, InterruptedException {
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        final Process p = pb.start();
        final ResultLine[] result = new ResultLine[1];
        try (PrintWriter logOut = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            final Thread errPump = new Thread(() -> pump(new BufferedReader(
                new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)), logOut, out, null), "stderr-pump");
            errPump.start();
            pump(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), logOut, null, result);
            errPump.join();
            final int code = p.waitFor();
            logOut.println("exit code " + code);
        }
        return result[0];
    }

    /** Copies lines to the log; echoes progress lines to {@code echo}; keeps a RESULT line in {@code result}. */
    private static void pump(BufferedReader in, PrintWriter log, PrintStream echo, ResultLine[] result) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (log) {
                    log.println(line);
                }
                if (result != null && line.startsWith(ResultLine.PREFIX)) {
                    result[0] = ResultLine.parse(line);
                } else if (echo != null && isProgress(line)) {
                    synchronized (echo) {
                        echo.println("  " + line);
                        echo.flush();
                    }
                }
            }
        } catch (IOException e) {
            log.println("(stream closed: " + e + ")");
        }
    }

    private static boolean isProgress(String line) {
        return line.matches("^[a-z]+( t=\\d+s |: (starting|leader ready|sent=|failed|still stopping|nothing)).*");
    }

    /** Table, matched settings and ratios for one durability mode. */
    static List<String> report(String durability, Iterable<String> systems, Map<String, ResultLine> results) {
        final List<String> lines = new ArrayList<>();
        lines.add("== durability=" + durability);
        final ResultLine any = results.values().stream().findFirst().orElse(null);
        if (any != null) {
            final StringBuilder matched = new StringBuilder("matched:");
            for (String k : MATCHED_KEYS) {
                matched.append(' ').append(k).append('=').append(any.get(k));
            }
            lines.add(matched.toString());
            for (ResultLine r : results.values()) {
                for (String k : MATCHED_KEYS) {
                    if (!String.valueOf(any.get(k)).equals(String.valueOf(r.get(k)))) {
                        lines.add("NOT MATCHED: " + r.get("system") + " has " + k + "=" + r.get(k) + " vs " + any.get(k));
                    }
                }
            }
        }
        lines.add(String.format(Locale.ROOT, "%-10s %10s %10s %10s %10s %10s %8s  %s", "system", "ops/s", "p50_us",
            "p99_us", "p999_us", "max_us", "failed", "setup"));
        for (String s : systems) {
            final ResultLine r = results.get(s);
            if (r == null) {
                lines.add(String.format(Locale.ROOT, "%-10s %10s", s, "FAILED"));
                continue;
            }
            lines.add(String.format(Locale.ROOT, "%-10s %10s %10s %10s %10s %10s %8s  %s", s, r.get("ops_per_sec"),
                r.get("p50_us"), r.get("p99_us"), r.get("p999_us"), r.get("max_us"), r.get("failed"), r.get("setup")));
        }
        final ResultLine base = results.get(BASELINE);
        for (String s : systems) {
            if (s.equals(BASELINE)) {
                continue;
            }
            final ResultLine other = results.get(s);
            if (base == null || other == null) {
                lines.add("RATIO durability=" + durability + " " + BASELINE + "/" + s + " n/a (a run failed)");
                continue;
            }
            lines.add(String.format(Locale.ROOT, "RATIO durability=%s %s/%s throughput=%s p50=%s p99=%s",
                durability, BASELINE, s, ratio(base, other, "ops_per_sec"), ratio(base, other, "p50_us"),
                ratio(base, other, "p99_us")));
        }
        lines.add("(throughput ratio > 1: Pontoon commits more per second; latency ratio < 1: Pontoon is faster)");
        return lines;
    }

    static String ratio(ResultLine a, ResultLine b, String key) {
        final double x = a.number(key);
        final double y = b.number(key);
        if (Double.isNaN(x) || Double.isNaN(y) || y == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f", x / y);
    }
}
