package io.pontoon.bench.report;

import java.nio.file.Path;

/**
 * Command line of {@link BenchReport}:
 * <pre>
 *   --root DIR          source tree (compare/compare.sh, pom.xml); default: the working directory
 *   --docs DIR          where BENCHMARKS.md and the PNGs go; default ROOT/docs
 *   --build-dir NAME    Maven output folder name for the comparison build (default target)
 *   --quick             about 3 minutes instead of about 20: fewer trials, short warm-ups (said on the page)
 *   --flat-memory       also run issue 8's 300 s flat-memory demo (-Xmx512m, PAGE_CACHE, 256 clients)
 *   --no-compare        skip the SOFAJRaft/Ratis comparison
 *   --skip-build        do not build the comparison jars (use those in compare/x/BUILD_DIR)
 *   --work-dir DIR      JMH logs, results file, comparison logs; default a new temporary directory
 *   --render-only FILE  no runs: rebuild the report and charts from the RESULT lines in FILE
 *                       (a results file, or a BENCHMARKS.md written before, which embeds them)
 * </pre>
 */
record ReportOptions(Path root, Path docs, String buildDir, boolean quick, boolean compare, boolean skipBuild,
                     Path workDir, Path renderOnly, boolean flatMemory) {

    static ReportOptions parse(String[] args) {
        Path root = Path.of("").toAbsolutePath();
        Path docs = null;
        String buildDir = "target";
        boolean quick = false;
        boolean flatMemory = false;
        boolean compare = true;
        boolean skipBuild = false;
        Path workDir = null;
        Path renderOnly = null;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            switch (a) {
                case "--quick": quick = true; break;
                case "--flat-memory": flatMemory = true; break;
                case "--no-compare": compare = false; break;
                case "--skip-build": skipBuild = true; break;
                case "--root": root = Path.of(value(args, ++i, a)).toAbsolutePath(); break;
                case "--docs": docs = Path.of(value(args, ++i, a)).toAbsolutePath(); break;
                case "--build-dir": buildDir = value(args, ++i, a); break;
                case "--work-dir": workDir = Path.of(value(args, ++i, a)).toAbsolutePath(); break;
                case "--render-only": renderOnly = Path.of(value(args, ++i, a)).toAbsolutePath(); break;
                default: throw new IllegalArgumentException("unknown option '" + a + "' (--quick, --no-compare, "
                    + "--flat-memory, --skip-build, --root DIR, --docs DIR, --build-dir NAME, --work-dir DIR, --render-only FILE)");
            }
        }
        if (!buildDir.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("--build-dir must be a plain folder name, got '" + buildDir + "'");
        }
        return new ReportOptions(root, docs == null ? root.resolve("docs") : docs, buildDir, quick, compare,
            skipBuild, workDir, renderOnly, flatMemory);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
