package io.pontoon.transport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Mutual TLS settings, all PEM files: this side's certificate chain and PKCS#8 private key, and the
 * certificates it trusts (the cluster CA, or every member's self-signed certificate concatenated).
 * Both sides present a certificate and both verify the other against {@code trustCertsPem}. Host names
 * are not verified unless {@code verifyHostname}: membership is proven by the trusted certificate, node
 * identity by the handshake. With {@code certificatesNameNodeIds}, each node's certificate must name it
 * ({@code CN=node-<id>}): a connection that claims to be peer N must present {@code node-N}, so one member's
 * certificate cannot stand in for another, and a client certificate (any other name) never opens a peer link.
 */
public record TlsConfig(Path certChainPem, Path privateKeyPem, Path trustCertsPem, boolean verifyHostname,
                        boolean certificatesNameNodeIds) {
    public TlsConfig {
        requireReadable("tls.certChainPem", certChainPem);
        requireReadable("tls.privateKeyPem", privateKeyPem);
        requireReadable("tls.trustCertsPem", trustCertsPem);
    }

    public TlsConfig(Path certChainPem, Path privateKeyPem, Path trustCertsPem) {
        this(certChainPem, privateKeyPem, trustCertsPem, false, false);
    }

    public TlsConfig(Path certChainPem, Path privateKeyPem, Path trustCertsPem, boolean verifyHostname) {
        this(certChainPem, privateKeyPem, trustCertsPem, verifyHostname, false);
    }

    /** The same files, with each peer's certificate required to name its node id. */
    public TlsConfig withCertificatesNamingNodeIds() {
        return new TlsConfig(certChainPem, privateKeyPem, trustCertsPem, verifyHostname, true);
    }

    private static void requireReadable(String field, Path path) {
        if (path == null) {
            throw new IllegalArgumentException(field + " is required when TLS is configured");
        }
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(field + " must be a readable PEM file, got " + path.toAbsolutePath());
        }
    }
}
