package io.pontoon.compare.harness;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one machine-readable line a runner prints: {@code RESULT key=value key=value ...}, values without
 * spaces, in a fixed key order. Latencies are microseconds with one decimal.
 *
 * <pre>
 * RESULT system=sofajraft nodes=3 payload=128 durability=SYNC inflight=128 rate=0 warmup_s=30 seconds=30
 *        smoke=false ops_per_sec=61234 p50_us=1834.0 p99_us=4120.5 p999_us=6000.1 max_us=9000.0
 *        committed=1837020 failed=0 jdk=17.0.15 cores=2 setup=storage=rocksdb,...
 * </pre>
 */
public final class ResultLine {
    public static final String PREFIX = "RESULT ";

    private final Map<String, String> fields;

    private ResultLine(Map<String, String> fields) {
        this.fields = fields;
    }

    /** Builds a line from ordered fields; a value containing whitespace is rejected. */
    public static ResultLine of(Map<String, String> ordered) {
        for (Map.Entry<String, String> e : ordered.entrySet()) {
            if (e.getValue().isEmpty() || e.getValue().chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("RESULT field " + e.getKey() + " must be non-empty without spaces: '"
                    + e.getValue() + "'");
            }
        }
        return new ResultLine(new LinkedHashMap<>(ordered));
    }

    /** Parses a line printed by {@link #toString()}; returns null if {@code line} is not a RESULT line. */
    public static ResultLine parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            return null;
        }
        final Map<String, String> fields = new LinkedHashMap<>();
        for (String token : line.substring(PREFIX.length()).trim().split("\\s+")) {
            final int eq = token.indexOf('=');
            if (eq > 0) {
                fields.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return new ResultLine(fields);
    }

    public String get(String key) {
        return fields.get(key);
    }

    /** A numeric field, or NaN when missing or not a number. */
    public double number(String key) {
        final String v = fields.get(key);
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    public Map<String, String> fields() {
        return java.util.Collections.unmodifiableMap(fields);
    }

    /** Microseconds with one decimal, from nanoseconds. */
    public static String micros(long ns) {
        return String.format(Locale.ROOT, "%.1f", ns / 1000.0);
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder(PREFIX.trim());
        for (Map.Entry<String, String> e : fields.entrySet()) {
            sb.append(' ').append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }
}
