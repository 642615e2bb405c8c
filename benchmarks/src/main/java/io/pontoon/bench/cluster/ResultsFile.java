package io.pontoon.bench.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Where trial results go besides JMH's own output: one {@code RESULT key=value ...} line per trial, printed and
 * appended to the file named by {@code -Dpontoon.bench.results=FILE} (default
 * {@value #DEFAULT_FILE} in the working directory). {@code pontoon bench-report} passes its own file to every
 * fork and builds docs/BENCHMARKS.md from these lines. Values never contain spaces.
 */
public final class ResultsFile {
    public static final String PROPERTY = "pontoon.bench.results";
    public static final String DEFAULT_FILE = "pontoon-cluster-bench-results.txt";
    public static final String PREFIX = "RESULT ";

    private ResultsFile() {
    }

    /** Prints the line and appends it to the results file. */
    static synchronized void write(Map<String, String> fields) {
        final StringBuilder sb = new StringBuilder(PREFIX.trim());
        for (Map.Entry<String, String> e : fields.entrySet()) {
            final String v = e.getValue() == null || e.getValue().isEmpty() ? "-" : e.getValue().replaceAll("\\s+", "_");
            sb.append(' ').append(e.getKey()).append('=').append(v);
        }
        final String line = sb.toString();
        System.out.println("\n" + line);
        final Path file = Path.of(System.getProperty(PROPERTY, DEFAULT_FILE));
        try {
            Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append the result to " + file.toAbsolutePath(), e);
        }
    }
}
