package io.pontoon.cli;

import io.pontoon.transport.client.PontoonClientConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The options every client command shares (a picocli mixin): where the cluster is, its id, and the client's
 * credentials (a secret file, or TLS). {@link #config} builds the client's settings from them.
 */
final class ClientOptions {
    @Option(names = "--cluster", required = true, description = "Node addresses HOST:PORT, comma-separated.")
    String cluster;

    @Option(names = "--cluster-id", defaultValue = "1", description = "Cluster id. Default: ${DEFAULT-VALUE}.")
    int clusterId;

    @Option(names = "--secret-file", description = "File holding a client secret (one of the nodes' "
        + "--client-secret-file), or the shared --secret-file of the nodes.")
    Path secretFile;

    @Mixin
    TlsOptions tls = new TlsOptions();

    /**
     * The client's settings; {@code requestTimeoutMs} &gt; 0 sets its request timeout (else the client's default).
     * A bad address or incomplete TLS options are usage errors naming the option; an unreadable secret file is an
     * {@link IOException}.
     */
    PontoonClientConfig config(CommandSpec spec, long requestTimeoutMs) throws IOException {
        final PontoonClientConfig.Builder cb = PontoonClientConfig.builder().clusterId(clusterId);
        if (requestTimeoutMs > 0) {
            cb.requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs));
        }
        try {
            cb.addresses(cluster);
            cb.tls(tls.toConfig(false));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (secretFile != null) {
            cb.secret(NodeCommand.readSecret(secretFile));
        }
        try {
            return cb.build();
        } catch (IllegalArgumentException e) { // no address in --cluster
            throw new ParameterException(spec.commandLine(), "--cluster: " + e.getMessage());
        }
    }
}
