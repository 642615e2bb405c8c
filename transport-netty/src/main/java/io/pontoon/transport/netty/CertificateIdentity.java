package io.pontoon.transport.netty;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * The node id a peer's TLS certificate names: its subject's common name {@code node-<id>} (for example
 * {@code CN=node-2}). With {@code TlsConfig.certificatesNameNodeIds}, a connection that claims to be peer N must
 * present a certificate named {@code node-N}, so a member's certificate cannot impersonate another member and a
 * client certificate cannot open a peer link.
 */
public final class CertificateIdentity {
    /** No TLS, no certificate, or a certificate whose common name is not {@code node-<positive id>}. */
    public static final int NONE = -1;
    private static final String PREFIX = "node-";

    private CertificateIdentity() {
    }

    /** The node id named by the certificate the other side of {@code channel} presented, or {@link #NONE}. */
    public static int nodeIdOf(Channel channel) {
        final SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return NONE;
        }
        try {
            final Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return NONE;
            }
            return nodeIdOf(commonName(leaf.getSubjectX500Principal().getName()));
        } catch (SSLPeerUnverifiedException e) {
            return NONE;
        }
    }

    /** The common name of an RFC 2253 distinguished name, or null. */
    static String commonName(String distinguishedName) {
        try {
            for (Rdn rdn : new LdapName(distinguishedName).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }

    static int nodeIdOf(String commonName) {
        if (commonName == null || !commonName.startsWith(PREFIX)) {
            return NONE;
        }
        try {
            final int id = Integer.parseInt(commonName.substring(PREFIX.length()));
            return id > 0 ? id : NONE;
        } catch (NumberFormatException e) {
            return NONE;
        }
    }
}
