package io.pontoon.compare.harness;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The command line every comparison runner takes, parsed and validated. Immutable.
 *
 * <pre>
 *   --nodes 3 --payload 128 --inflight 128 --durability SYNC|PAGE_CACHE|NONE
 *   --warmup-seconds 30 --seconds 30 --rate 0 --submitters 2 [--smoke] [--data-dir DIR]
 * </pre>
 *
 * <p>{@code --rate 0} is a closed loop: {@code --inflight} requests are kept outstanding and each
 * completion lets the next one go. {@code --rate R > 0} is an open loop: request {@code i} is due at
 * {@code start + i / R}; latency is measured from that intended time, so a stall that delays later sends
 * is charged to them (no coordinated omission), and at most {@code --inflight} are outstanding.
 *
 * <p>On a 2-core machine the JIT is still busy for the first ~30 s, so a warm-up below
 * {@value #MIN_REAL_WARMUP_SECONDS} s is refused unless {@code --smoke} says the figures are only a smoke
 * test (the RESULT line then says {@code smoke=true}).
 */
public final class HarnessOptions {
    public static final int MIN_REAL_WARMUP_SECONDS = 30;
    public static final int MAX_NODES = 9;
    public static final int MAX_PAYLOAD_BYTES = 1 << 20;
    public static final int MAX_INFLIGHT = 65_536;
    public static final int MAX_SUBMITTERS = 64;
    /**
     * Submitter threads by default. One submitter with completions on another thread reaches about 1.1 M
     * requests/s against a no-op system on the 2-core machine (HarnessCapacity), too close to the 1 M/s the
     * systems are asked for; two reach about twice that, and more only add threads to a 2-core machine.
     */
    public static final int DEFAULT_SUBMITTERS = 2;

    public static final String USAGE = String.join(System.lineSeparator(),
        "options:",
        "  --nodes N               cluster size, 1.." + MAX_NODES + " (default 3)",
        "  --payload BYTES         entry size, 1.." + MAX_PAYLOAD_BYTES + " (default 128)",
        "  --inflight N            requests outstanding at most, 1.." + MAX_INFLIGHT + " (default 128)",
        "  --durability MODE       SYNC | PAGE_CACHE | NONE (default PAGE_CACHE)",
        "  --warmup-seconds W      load before measuring, 0..3600 (default " + MIN_REAL_WARMUP_SECONDS
            + "; below " + MIN_REAL_WARMUP_SECONDS + " needs --smoke)",
        "  --seconds S             measured time, 1..3600 (default 30)",
        "  --rate R                requests/s offered, 0 = closed loop at max (default 0)",
        "  --submitters N          threads submitting requests, 1.." + MAX_SUBMITTERS + " (default "
            + DEFAULT_SUBMITTERS + ")",
        "  --smoke                 allow a short warm-up; the figures are marked smoke=true",
        "  --data-dir DIR          parent of the temporary log directory (default java.io.tmpdir)");

    private final int nodes;
    private final int payloadBytes;
    private final int inflight;
    private final Durability durability;
    private final int warmupSeconds;
    private final int seconds;
    private final long rate;
    private final boolean smoke;
    private final Path dataDir;
    private final int submitters;

    private HarnessOptions(int nodes, int payloadBytes, int inflight, Durability durability, int warmupSeconds,
                           int seconds, long rate, boolean smoke, Path dataDir, int submitters) {
        this.submitters = submitters;
        this.nodes = nodes;
        this.payloadBytes = payloadBytes;
        this.inflight = inflight;
        this.durability = durability;
        this.warmupSeconds = warmupSeconds;
        this.seconds = seconds;
        this.rate = rate;
        this.smoke = smoke;
        this.dataDir = dataDir;
    }

    /**
     * Parses a runner's arguments. Throws {@link IllegalArgumentException} whose message names the option
     * and its allowed range; {@code --help} throws {@link HelpRequested}.
     */
    public static HarnessOptions parse(String... args) {
        int nodes = 3;
        int payload = 128;
        int inflight = 128;
        Durability durability = Durability.PAGE_CACHE;
        int warmup = MIN_REAL_WARMUP_SECONDS;
        int seconds = 30;
        long rate = 0;
        boolean smoke = false;
        int submitters = DEFAULT_SUBMITTERS;
        Path dataDir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            final String name = args[i];
            switch (name) {
                case "--help":
                case "-h":
                    throw new HelpRequested();
                case "--smoke":
                    smoke = true;
                    continue;
                default:
                    break;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name.startsWith("--")
                    ? name + " needs a value" : "unexpected argument '" + name + "'");
            }
            final String value = args[++i];
            switch (name) {
                case "--nodes": nodes = (int) number(name, value, 1, MAX_NODES); break;
                case "--payload": payload = (int) number(name, value, 1, MAX_PAYLOAD_BYTES); break;
                case "--inflight": inflight = (int) number(name, value, 1, MAX_INFLIGHT); break;
                case "--durability": durability = durability(value); break;
                case "--warmup-seconds": warmup = (int) number(name, value, 0, 3600); break;
                case "--seconds": seconds = (int) number(name, value, 1, 3600); break;
                case "--rate": rate = number(name, value, 0, 100_000_000); break;
                case "--data-dir": dataDir = Path.of(value); break;
                case "--submitters": submitters = (int) number(name, value, 1, MAX_SUBMITTERS); break;
                default: throw new IllegalArgumentException("unknown option '" + name + "'");
            }
        }
        if (warmup < MIN_REAL_WARMUP_SECONDS && !smoke) {
            throw new IllegalArgumentException("--warmup-seconds " + warmup + " is below "
                + MIN_REAL_WARMUP_SECONDS + " s (the JIT is still busy on 2 cores): add --smoke to run anyway");
        }
        return new HarnessOptions(nodes, payload, inflight, durability, warmup, seconds, rate, smoke, dataDir,
            submitters);
    }

    private static long number(String name, String value, long min, long max) {
        final long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number in [" + min + ", " + max
                + "], got '" + value + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    private static Durability durability(String value) {
        try {
            return Durability.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--durability must be SYNC, PAGE_CACHE or NONE, got '" + value + "'");
        }
    }

    public int nodes() {
        return nodes;
    }

    public int payloadBytes() {
        return payloadBytes;
    }

    public int inflight() {
        return inflight;
    }

    public Durability durability() {
        return durability;
    }

    public int warmupSeconds() {
        return warmupSeconds;
    }

    public int seconds() {
        return seconds;
    }

    /** Offered requests per second; 0 = closed loop. */
    public long rate() {
        return rate;
    }

    public boolean smoke() {
        return smoke;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Threads that submit requests ({@link LoadDriver}); {@link ReplicatedSystem#submit} must be thread-safe. */
    public int submitters() {
        return submitters;
    }

    /** {@code --help} was given: print {@link #USAGE}. */
    public static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super("help", null, false, false);
        }
    }
}
