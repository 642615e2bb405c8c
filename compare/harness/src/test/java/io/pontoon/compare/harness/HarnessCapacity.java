package io.pontoon.compare.harness;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How many requests per second the harness itself can submit (no Raft behind it): {@link NoopSystem} inline and
 * async, for each submitter count given. Not a test; run by hand to size {@code --submitters}:
 *
 * <pre>
 * mvn -q -Pcompare -pl compare/harness -am test-compile
 * java -cp compare/harness/target/classes:compare/harness/target/test-classes:HDRHISTOGRAM_JAR \
 *      io.pontoon.compare.harness.HarnessCapacity 5 1,2,4
 * </pre>
 */
public final class HarnessCapacity {
    private HarnessCapacity() {
    }

    /**
     * Keeps the {@code outstanding=} figure of the driver's progress lines: at 128 the window is full, the
     * submitters wait for completions and the system side is the limit; well below it, the submitters are.
     */
    private static final class OutstandingSampler extends PrintStream {
        private final StringBuilder samples = new StringBuilder();

        OutstandingSampler() {
            super(new ByteArrayOutputStream());
        }

        @Override
        public PrintStream printf(Locale l, String format, Object... args) {
            final String line = String.format(l, format, args);
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("outstanding=(\\d+)").matcher(line);
            if (m.find()) {
                samples.append(samples.length() == 0 ? "" : ",").append(m.group(1));
            }
            return this;
        }

        String samples() {
            return samples.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        final String seconds = args.length > 0 ? args[0] : "5";
        final String[] submitters = (args.length > 1 ? args[1] : "1").split(",");
        for (boolean async : new boolean[] {false, true}) {
            for (String n : submitters) {
                final NoopSystem system = new NoopSystem(async);
                final List<String> a = new ArrayList<>(List.of("--warmup-seconds", "2", "--smoke", "--seconds", seconds,
                    "--inflight", "128"));
                if (!n.equals("default")) {
                    a.add("--submitters");
                    a.add(n);
                }
                final HarnessOptions options = HarnessOptions.parse(a.toArray(new String[0]));
                system.start(options, Path.of("."));
                final OutstandingSampler sampler = new OutstandingSampler();
                final LoadDriver driver = new LoadDriver(system, options, sampler);
                driver.run();
                system.close();
                System.out.printf(Locale.ROOT, "%s submitters=%s inflight=128: %,.0f requests/s, outstanding at the "
                    + "1 s marks: %s%n", system.name(), n, driver.opsPerSecond(), sampler.samples());
            }
        }
    }
}
