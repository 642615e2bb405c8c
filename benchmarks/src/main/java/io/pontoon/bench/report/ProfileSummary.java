package io.pontoon.bench.report;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the time goes in one profiled trial: reads its JFR recording ({@code settings=profile}: Java execution
 * samples every 10-20 ms per running thread, allocation samples) and counts samples by thread group, by
 * component (package of the sampled top frame), by top frame, and allocation weight by allocation site.
 * JIT and GC threads are not sampled by JFR; a thread blocked in native code (epoll, msync) is not an execution
 * sample either.
 */
final class ProfileSummary {
    private static final int TOP_FRAMES = 12;
    private static final int TOP_ALLOCATIONS = 5;

    private final Map<String, Integer> threads = new HashMap<>();
    private final Map<String, Integer> components = new HashMap<>();
    private final Map<String, Integer> frames = new HashMap<>();
    private final Map<String, Long> allocations = new HashMap<>();
    private int samples;
    private long allocated;

    private ProfileSummary() {
    }

    /** Result fields ({@code samples}, {@code threads}, {@code components}, {@code frames}, {@code alloc}). */
    static Map<String, String> summarize(Path jfr) throws IOException {
        final ProfileSummary s = new ProfileSummary();
        try (RecordingFile file = new RecordingFile(jfr)) {
            while (file.hasMoreEvents()) {
                final RecordedEvent e = file.readEvent();
                switch (e.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> s.onExecutionSample(e);
                    case "jdk.ObjectAllocationSample" -> s.onAllocationSample(e);
                    default -> { }
                }
            }
        }
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("samples", Integer.toString(s.samples));
        f.put("threads", top(s.threads, 10));
        f.put("components", top(s.components, 10));
        f.put("frames", top(s.frames, TOP_FRAMES));
        f.put("alloc", s.allocated == 0 ? "none" : s.allocations.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(TOP_ALLOCATIONS)
            .map(en -> en.getKey() + ":" + Math.round(1000.0 * en.getValue() / s.allocated) / 10.0)
            .collect(Collectors.joining(";")));
        return f;
    }

    private void onExecutionSample(RecordedEvent e) {
        final RecordedThread t = e.getThread("sampledThread");
        final RecordedStackTrace stack = e.getStackTrace();
        if (t == null || stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        samples++;
        threads.merge(threadGroup(t.getJavaName()), 1, Integer::sum);
        final RecordedFrame top = stack.getFrames().get(0);
        final String type = top.getMethod().getType().getName();
        components.merge(component(type), 1, Integer::sum);
        frames.merge(shortName(type) + "." + top.getMethod().getName(), 1, Integer::sum);
    }

    private void onAllocationSample(RecordedEvent e) {
        final RecordedStackTrace stack = e.getStackTrace();
        final long weight = e.getLong("weight");
        if (stack == null) {
            return;
        }
        allocated += weight;
        // The allocation site: the first frame outside the JDK.
        String site = "(JDK)";
        for (RecordedFrame f : stack.getFrames()) {
            final String type = f.getMethod().getType().getName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                site = shortName(type) + "." + f.getMethod().getName();
                break;
            }
        }
        allocations.merge(site, weight, Long::sum);
    }

    static String threadGroup(String name) {
        if (name == null) {
            return "other";
        }
        if (name.startsWith("pontoon-raft")) {
            return "raft";
        }
        if (name.startsWith("pontoon-journal")) {
            return "journal";
        }
        if (name.startsWith("pontoon-io") || name.contains("nioEventLoop") || name.contains("epoll")) {
            return "netty-io";
        }
        if (name.contains("jmh-worker")) {
            return "client";
        }
        return "other";
    }

    static String component(String type) {
        final List<String[]> map = List.of(
            new String[] {"io.pontoon.engine.", "pontoon-engine"},
            new String[] {"io.pontoon.runtime.", "pontoon-runtime"},
            new String[] {"io.pontoon.storage.", "pontoon-storage"},
            new String[] {"io.pontoon.transport.", "pontoon-transport"},
            new String[] {"io.pontoon.protocol.", "pontoon-protocol"},
            new String[] {"io.pontoon.bench.", "benchmark-client"},
            new String[] {"io.pontoon.", "pontoon-other"},
            new String[] {"net.openhft.", "chronicle"},
            new String[] {"io.netty.", "netty"},
            new String[] {"org.agrona.", "agrona"},
            new String[] {"org.HdrHistogram.", "hdrhistogram"},
            new String[] {"org.openjdk.jmh.", "jmh"});
        for (String[] m : map) {
            if (type.startsWith(m[0])) {
                return m[1];
            }
        }
        return "jdk";
    }

    private static String shortName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    private static String top(Map<String, Integer> counts, int n) {
        if (counts.isEmpty()) {
            return "none";
        }
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(n)
            .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(";"));
    }
}
