package io.pontoon.bench.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a figure was measured on: JDK, OS, CPU model and count, memory, load average at the time. Every result
 * line carries these fields, so a figure copied out of context still says where it came from.
 */
public final class MachineInfo {
    private MachineInfo() {
    }

    /** Ordered fields, values without spaces (spaces become underscores). */
    public static Map<String, String> fields() {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("jdk", System.getProperty("java.version"));
        f.put("jvm", System.getProperty("java.vm.name") + "/" + System.getProperty("java.vendor"));
        f.put("os", System.getProperty("os.name") + "-" + System.getProperty("os.version") + "-"
            + System.getProperty("os.arch"));
        f.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        f.put("cpu", cpuModel());
        f.put("mem_gib", memoryGib());
        f.put("load", String.format(Locale.ROOT, "%.1f",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        f.replaceAll((k, v) -> v.trim().replaceAll("\\s+", "_"));
        return f;
    }

    /** One line for humans. */
    public static String describe() {
        final Map<String, String> f = fields();
        return "JDK " + f.get("jdk") + " (" + f.get("jvm").replace('_', ' ') + "), " + f.get("os").replace('_', ' ')
            + ", " + f.get("cpus") + " CPUs (" + f.get("cpu").replace('_', ' ') + "), " + f.get("mem_gib")
            + " GiB RAM, load average " + f.get("load");
    }

    private static String cpuModel() {
        try {
            final List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return "unknown";
    }

    private static String memoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    final long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return Long.toString(Math.round(kib / (1024.0 * 1024.0)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return "unknown";
    }
}
