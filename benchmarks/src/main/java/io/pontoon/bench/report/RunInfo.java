package io.pontoon.bench.report;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a report run was made (mode, date, commit, duration, JMH and comparison settings) and what went wrong on
 * the way (notes). Kept as {@code RESULT bench=run} and {@code RESULT bench=note} lines among the results, so
 * that {@code --render-only} rebuilds the same report.
 */
record RunInfo(Map<String, String> fields, List<String> notes) {

    static Result runLine(Map<String, String> fields) {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("bench", "run");
        fields.forEach((k, v) -> f.put(k, v.replaceAll("\\s+", "_")));
        return new Result(f);
    }

    static Result noteLine(String text) {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("bench", "note");
        f.put("text", URLEncoder.encode(text, StandardCharsets.UTF_8));
        return new Result(f);
    }

    static RunInfo fromResults(Results results) {
        final Map<String, String> fields = new LinkedHashMap<>(
            results.find("bench", "run").map(Result::fields).orElse(Map.of()));
        fields.remove("bench");
        final List<String> notes = new ArrayList<>();
        for (Result r : results.findAll("bench", "note")) {
            notes.add(URLDecoder.decode(r.get("text"), StandardCharsets.UTF_8));
        }
        return new RunInfo(fields, notes);
    }

    String get(String key, String orElse) {
        final String v = fields.get(key);
        return v == null ? orElse : v.replace('_', ' ');
    }

    boolean quick() {
        return "quick".equals(fields.get("mode"));
    }
}
