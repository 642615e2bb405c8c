package io.pontoon.transport.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;

import javax.net.ssl.SSLException;

/** Builds Netty SSL contexts for mutual TLS from PEM files; fails at start with the file that is wrong. */
public final class SslContexts {
    private SslContexts() {
    }

    /** Mutual TLS, server side: this side's chain and PKCS#8 key, and the certificates it trusts (PEM files). */
    public static SslContext server(Path certChainPem, Path privateKeyPem, Path trustCertsPem) {
        try {
            return SslContextBuilder.forServer(certChainPem.toFile(), privateKeyPem.toFile())
                .trustManager(trustCertsPem.toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: cannot build the server TLS context from certChainPem "
                + certChainPem + ", privateKeyPem " + privateKeyPem + ", trustCertsPem "
                + trustCertsPem + ": " + e.getMessage(), e);
        }
    }

    /** Mutual TLS, client side; {@code verifyHostname} checks the server certificate's name against its host. */
    public static SslContext client(Path certChainPem, Path privateKeyPem, Path trustCertsPem,
                                    boolean verifyHostname) {
        try {
            return SslContextBuilder.forClient()
                .keyManager(certChainPem.toFile(), privateKeyPem.toFile())
                .trustManager(trustCertsPem.toFile())
                .endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null)
                .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: cannot build the client TLS context from certChainPem "
                + certChainPem + ", privateKeyPem " + privateKeyPem + ", trustCertsPem "
                + trustCertsPem + ": " + e.getMessage(), e);
        }
    }
}
