package io.pontoon.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The RESULT lines of one report run, in the order they were measured, with look-ups by field. */
final class Results {
    private final List<Result> all = new ArrayList<>();

    void add(Result r) {
        if (r != null) {
            all.add(r);
        }
    }

    List<Result> all() {
        return all;
    }

    /** Reads every RESULT line of a file (a results file, or a BENCHMARKS.md that embeds them). */
    static Results read(Path file) throws IOException {
        final Results results = new Results();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            results.add(Result.parse(line, null));
        }
        return results;
    }

    /** The last result matching every key/value pair (a re-run replaces an earlier one). */
    Optional<Result> find(String... keyValues) {
        Result found = null;
        for (Result r : all) {
            if (r.matches(keyValues)) {
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }

    List<Result> findAll(String... keyValues) {
        final List<Result> out = new ArrayList<>();
        for (Result r : all) {
            if (r.matches(keyValues)) {
                out.add(r);
            }
        }
        return out;
    }

    /** A numeric field of the matching result, NaN when there is none. */
    double value(String field, String... keyValues) {
        return find(keyValues).map(r -> r.num(field)).orElse(Double.NaN);
    }
}
