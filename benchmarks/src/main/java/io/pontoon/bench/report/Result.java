package io.pontoon.bench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code RESULT key=value ...} line: a cluster benchmark trial ({@code bench=throughput|fault|latency}, from
 * {@code io.pontoon.bench.cluster.ResultsFile}) or a comparison runner's line ({@code bench=compare}, from
 * {@code compare/compare.sh}). Immutable.
 */
record Result(Map<String, String> fields) {
    static final String PREFIX = "RESULT ";

    Result {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Parses a line; null if it is not a RESULT line. {@code bench} is set first when given and missing. */
    static Result parse(String line, String bench) {
        final String trimmed = line.strip();
        if (!trimmed.startsWith(PREFIX)) {
            return null;
        }
        final Map<String, String> f = new LinkedHashMap<>();
        if (bench != null) {
            f.put("bench", bench);
        }
        for (String token : trimmed.substring(PREFIX.length()).trim().split("\\s+")) {
            final int eq = token.indexOf('=');
            if (eq > 0) {
                f.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return new Result(f);
    }

    String get(String key) {
        return fields.get(key);
    }

    String bench() {
        return fields.getOrDefault("bench", "");
    }

    /** A numeric field, NaN when missing or not a number. */
    double num(String key) {
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

    /** True when every {@code key, value} pair matches (numbers compared as numbers). */
    boolean matches(String... keyValues) {
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            final String v = fields.get(keyValues[i]);
            if (v == null) {
                return false;
            }
            if (!v.equals(keyValues[i + 1])) {
                try {
                    if (Double.parseDouble(v) != Double.parseDouble(keyValues[i + 1])) {
                        return false;
                    }
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The line again, as parsed. */
    String line() {
        final StringBuilder sb = new StringBuilder(PREFIX.trim());
        fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }
}
