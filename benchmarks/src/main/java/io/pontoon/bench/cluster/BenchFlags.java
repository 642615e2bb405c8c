package io.pontoon.bench.cluster;

/**
 * JVM flags every fork of the cluster benchmarks gets through {@code @Fork(jvmArgsAppend = ...)}. The Agrona and
 * Chronicle flags are the parent pom's {@code agrona.jvm.flags} and {@code chronicle.jvm.flags}, one constant per
 * flag because annotation values must be compile-time constants; {@code pontoon bench-report} checks that the two
 * lists still agree.
 *
 * <p>Heap: a small fixed heap, {@value #HEAP_MIN} = {@value #HEAP_MAX}, the same for every trial. The journal's
 * index from log index to position is off the heap (issue 8), so nothing on the heap grows with the log; a trial
 * that still runs out of this heap shows a leak rather than a figure. Fixed, so that GC work is comparable
 * between trials and between runs.
 */
public final class BenchFlags {
    static final String AGRONA_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String INTERNAL_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String INTERNAL_UTIL = "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED";
    static final String SUN_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    static final String OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    static final String NO_ANNOUNCER = "-Dchronicle.announcer.disable=true";
    static final String QUIET_LOG = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn";
    static final String HEAP_MIN = "-Xms1g";
    static final String HEAP_MAX = "-Xmx1g";

    /** The Agrona and Chronicle flags in pom order, to compare with the pom (see class comment). */
    static final String[] POM_FLAGS = {AGRONA_MISC, NIO_CH, INTERNAL_REF, INTERNAL_UTIL, SUN_MISC, OPEN_LANG,
        OPEN_REFLECT, OPEN_IO, OPEN_UTIL, NO_ANALYTICS, NO_ANNOUNCER};

    private BenchFlags() {
    }

    /** The heap flags every cluster benchmark fork gets, for the report. */
    public static String heapFlags() {
        return HEAP_MIN + " " + HEAP_MAX;
    }

    /** {@link #POM_FLAGS} joined by spaces, as the pom properties hold them. */
    public static String pomFlags() {
        return String.join(" ", POM_FLAGS);
    }
}
