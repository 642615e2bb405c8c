package io.pontoon.cli;

import io.pontoon.ProposalException;
import io.pontoon.storage.JournalDump;
import io.pontoon.transport.client.PontoonClient;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/** {@code ./pontoon append}: appends entries through the client protocol and prints each acknowledgement. */
@Command(name = "append", mixinStandardHelpOptions = true,
    description = {"Appends --count entries of --payload random bytes through the Java client (following leader",
        "redirects), with --concurrency requests in flight. Prints 'ACK lsn=L crc=C' per acknowledged entry",
        "(C = CRC32C of the payload, 8 hex digits, as in ./pontoon dump), then",
        "'RESULT acked=... failed=... ops_per_sec=... p50_us=... p99_us=... p999_us=...' (latency from send to",
        "acknowledgement, acknowledged appends only). Exit status 1 if any append failed."})
public final class AppendCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ClientOptions options = new ClientOptions();

    @Option(names = "--count", required = true, description = "Entries to append (>= 1).")
    long count;

    @Option(names = "--payload", defaultValue = "128", description = "Payload bytes per entry (>= 1). Default: ${DEFAULT-VALUE}.")
    int payload;

    @Option(names = "--concurrency", defaultValue = "1", description = "Requests in flight (>= 1). Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random payloads. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        OptionChecks.range(spec, "--count", count, 1, Long.MAX_VALUE);
        OptionChecks.range(spec, "--payload", payload, 1, 64 * 1024 * 1024);
        OptionChecks.range(spec, "--concurrency", concurrency, 1, 65_536);
        final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        final Load load;
        try (PontoonClient client = new PontoonClient(options.config(spec, 0))) {
            load = new Load(client, out);
            load.run();
        }
        final double seconds = (load.endNs - load.startNs) / 1e9;
        final Histogram latency = load.latencyNs;
        synchronized (out) {
            out.printf("RESULT acked=%d failed=%d ops_per_sec=%.0f p50_us=%d p99_us=%d p999_us=%d%n", load.acked,
                load.failed, load.acked / seconds, latency.getValueAtPercentile(50) / 1000,
                latency.getValueAtPercentile(99) / 1000, latency.getValueAtPercentile(99.9) / 1000);
            out.flush();
        }
        return load.failed == 0 ? PontoonCli.EXIT_OK : PontoonCli.EXIT_FAILED;
    }

    /**
     * Keeps --concurrency appends in flight. The first window is sent from the calling thread; after that
     * each outcome sends the next append from the callback, i.e. on the client's I/O thread, where
     * {@link PontoonClient#append} needs no thread hop: at --concurrency 1 a hop to and from a driver thread
     * per request would cost two wake-ups, as much as the network round trip. State is guarded by
     * {@code this} (the caller thread and the I/O thread both send; the lock is uncontended in steady state).
     */
    private final class Load {
        private final PontoonClient client;
        private final PrintStream out;
        private final SplittableRandom random = new SplittableRandom(seed);
        private final byte[] data = new byte[payload];
        private final StringBuilder line = new StringBuilder(48);
        /** Latency from send to outcome, OK only; recorded under the lock. */
        final Histogram latencyNs = new Histogram(1, 3_600_000_000_000L, 3);
        private final CountDownLatch done = new CountDownLatch(1);
        private long sent;
        private long finished;
        long acked;
        long failed;
        long startNs;
        long endNs;

        Load(PontoonClient client, PrintStream out) {
            this.client = client;
            this.out = out;
        }

        void run() throws InterruptedException {
            startNs = System.nanoTime();
            final long window = Math.min(count, concurrency);
            for (long k = 0; k < window; k++) {
                sendNext();
            }
            done.await();
        }

        /** Sends one more append if --count is not reached. The client copies {@code data}, so it is reused. */
        private void sendNext() {
            final String crc;
            final long sentNs;
            synchronized (this) {
                if (sent == count) {
                    return;
                }
                sent++;
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) random.nextInt(256);
                }
                crc = JournalDump.payloadCrcHex(data);
                sentNs = System.nanoTime();
                client.append(data).whenComplete((lsn, error) -> onOutcome(sentNs, crc, lsn, error));
            }
        }

        private void onOutcome(long sentNs, String crc, Long lsn, Throwable error) {
            synchronized (this) {
                line.setLength(0);
                if (error == null) {
                    acked++;
                    latencyNs.recordValue(Math.max(1, System.nanoTime() - sentNs));
                    line.append("ACK lsn=").append(lsn.longValue()).append(" crc=").append(crc);
                } else {
                    failed++;
                    final Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                    line.append("FAIL reason=").append(cause instanceof ProposalException
                        ? ((ProposalException) cause).code().toString() : cause.toString().replace(' ', '_'));
                }
                synchronized (out) {
                    out.println(line);
                }
                if (++finished == count) {
                    endNs = System.nanoTime();
                    done.countDown();
                    return;
                }
            }
            sendNext();
        }
    }
}
