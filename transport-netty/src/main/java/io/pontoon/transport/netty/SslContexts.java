package io.pontoon.transport.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.pontoon.transport.TlsConfig;

import javax.net.ssl.SSLException;

/** Builds Netty SSL contexts for mutual TLS from PEM files; fails at start with the file that is wrong. */
public final class SslContexts {
    private SslContexts() {
    }

    public static SslContext server(TlsConfig tls) {
        try {
            return SslContextBuilder.forServer(tls.certChainPem().toFile(), tls.privateKeyPem().toFile())
                .trustManager(tls.trustCertsPem().toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: cannot build the server TLS context from certChainPem "
                + tls.certChainPem() + ", privateKeyPem " + tls.privateKeyPem() + ", trustCertsPem "
                + tls.trustCertsPem() + ": " + e.getMessage(), e);
        }
    }

    public static SslContext client(TlsConfig tls) {
        try {
            return SslContextBuilder.forClient()
                .keyManager(tls.certChainPem().toFile(), tls.privateKeyPem().toFile())
                .trustManager(tls.trustCertsPem().toFile())
                .endpointIdentificationAlgorithm(tls.verifyHostname() ? "HTTPS" : null)
                .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: cannot build the client TLS context from certChainPem "
                + tls.certChainPem() + ", privateKeyPem " + tls.privateKeyPem() + ", trustCertsPem "
                + tls.trustCertsPem() + ": " + e.getMessage(), e);
        }
    }
}
