package io.pontoon.cli;

import io.pontoon.transport.TlsConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Mutual TLS options shared by the commands that open connections (picocli mixin). */
final class TlsOptions {
    @Option(names = "--tls-cert", description = "PEM certificate chain of this side (mutual TLS). A node's must be "
        + "named CN=node-<id>: peers check it against the id a connection claims.")
    Path cert;

    @Option(names = "--tls-key", description = "PEM PKCS#8 private key of --tls-cert.")
    Path key;

    @Option(names = "--tls-ca", description = "PEM certificates to trust (the cluster CA, or every member's certificate).")
    Path ca;

    /**
     * The TLS settings, or null when none of the three options is given.
     *
     * @param namingNodeIds peers' certificates must name their node id (nodes); clients leave it off
     * @throws IllegalArgumentException if only some of the options are given, or a file is unreadable
     */
    TlsConfig toConfig(boolean namingNodeIds) {
        if (cert == null && key == null && ca == null) {
            return null;
        }
        if (cert == null || key == null || ca == null) {
            throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca go together; missing: "
                + (cert == null ? "--tls-cert " : "") + (key == null ? "--tls-key " : "") + (ca == null ? "--tls-ca" : ""));
        }
        final TlsConfig tls = new TlsConfig(cert, key, ca);
        return namingNodeIds ? tls.withCertificatesNamingNodeIds() : tls;
    }
}
