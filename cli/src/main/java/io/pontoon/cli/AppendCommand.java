package io.pontoon.cli;

import io.pontoon.ProposalException;
import io.pontoon.storage.JournalDump;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/** {@code ./pontoon append}: appends entries through the client protocol and prints each acknowledgement. */
@Command(name = "append", mixinStandardHelpOptions = true,
    description = {"Appends --count entries of --payload random bytes through the Java client (following leader",
        "redirects), with --concurrency requests in flight. Prints 'ACK lsn=L crc=C' per acknowledged entry",
        "(C = CRC32C of the payload, 8 hex digits, as in ./pontoon dump), then",
        "'RESULT acked=... failed=... ops_per_sec=...'. Exit status 1 if any append failed."})
public final class AppendCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cluster", required = true, description = "Node addresses HOST:PORT, comma-separated.")
    String cluster;

    @Option(names = "--count", required = true, description = "Entries to append (>= 1).")
    long count;

    @Option(names = "--payload", defaultValue = "128", description = "Payload bytes per entry (>= 1). Default: ${DEFAULT-VALUE}.")
    int payload;

    @Option(names = "--concurrency", defaultValue = "1", description = "Requests in flight (>= 1). Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--cluster-id", defaultValue = "1", description = "Cluster id. Default: ${DEFAULT-VALUE}.")
    int clusterId;

    @Option(names = "--secret-file", description = "File holding the shared cluster secret.")
    Path secretFile;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random payloads. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        OptionChecks.range(spec, "--count", count, 1, Long.MAX_VALUE);
        OptionChecks.range(spec, "--payload", payload, 1, 64 * 1024 * 1024);
        OptionChecks.range(spec, "--concurrency", concurrency, 1, 65_536);
        final PontoonClientConfig.Builder cb = PontoonClientConfig.builder().addresses(cluster).clusterId(clusterId);
        if (secretFile != null) {
            cb.secret(NodeCommand.readSecret(secretFile));
        }
        final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Semaphore window = new Semaphore(concurrency);
        final SplittableRandom random = new SplittableRandom(seed);
        final long startNs = System.nanoTime();
        try (PontoonClient client = new PontoonClient(cb.build())) {
            for (long k = 0; k < count; k++) {
                final byte[] data = new byte[payload];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) random.nextInt(256);
                }
                final String crc = JournalDump.payloadCrcHex(data);
                window.acquire();
                client.append(data).whenComplete((lsn, error) -> {
                    if (error == null) {
                        acked.incrementAndGet();
                        synchronized (out) {
                            out.println("ACK lsn=" + lsn + " crc=" + crc);
                        }
                    } else {
                        failed.incrementAndGet();
                        final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        synchronized (out) {
                            out.println("FAIL reason=" + (cause instanceof ProposalException
                                ? ((ProposalException) cause).code() : cause.toString().replace(' ', '_')));
                        }
                    }
                    window.release();
                });
            }
            window.acquire(concurrency);
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        synchronized (out) {
            out.printf("RESULT acked=%d failed=%d ops_per_sec=%.0f%n", acked.get(), failed.get(), acked.get() / seconds);
            out.flush();
        }
        return failed.get() == 0 ? PontoonCli.EXIT_OK : PontoonCli.EXIT_FAILED;
    }
}
