package io.pontoon.transport;

import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import io.pontoon.transport.codec.HandshakeCodec.RejectReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Issue 9: mTLS trusted the same certificates for every member and never tied one to a node id, so any member (or
 * any holder of a trusted certificate) could claim to be any peer. With certificatesNameNodeIds a peer's
 * certificate must be named {@code node-<id>} for the id it claims.
 */
class CertificateNodeIdTest {
    @TempDir
    static Path dir;
    static TestCertificates.Identity node1;
    static TestCertificates.Identity node2;
    static TestCertificates.Identity node3;
    static TestCertificates.Identity client;
    static Path trust;

    private NettyTransport transport;

    @BeforeAll
    static void certificates() throws Exception {
        node1 = TestCertificates.generate(dir, "node-1");
        node2 = TestCertificates.generate(dir, "node-2");
        node3 = TestCertificates.generate(dir, "node-3");
        client = TestCertificates.generate(dir, "app-client");
        trust = TestCertificates.trust(dir, "cluster", node1, node2, node3, client);
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
    }

    private NettyTransport startNode1() {
        final List<NettyTransportConfig> configs = TestNodes.configs(TestNodes.freePorts(3),
            b -> b.tls(new TlsConfig(node1.certPem(), node1.keyPem(), trust).withCertificatesNamingNodeIds()));
        transport = new NettyTransport(configs.get(0));
        transport.start(1, new TestNodes.Recorder());
        return transport;
    }

    private RawPeer connectAs(TestCertificates.Identity identity) throws Exception {
        final KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(identity.keystore())) {
            ks.load(in, TestCertificates.PASSWORD);
        }
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, TestCertificates.PASSWORD);
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(node1.certPem())) {
            trusted.setCertificateEntry("node-1", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        final SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(
            transport.localAddress().getAddress(), transport.localAddress().getPort());
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return new RawPeer(socket).readChallenge();
    }

    @Test
    void aPeerWhoseCertificateNamesNode2CannotClaimNode3() throws Exception {
        startNode1();
        try (RawPeer peer = connectAs(node2)) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, 7, 3, HandshakeCodec.ROLE_PEER, 1, null));
            peer.assertRejected(RejectReason.BAD_AUTH);
        }
        try (RawPeer peer = connectAs(client)) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, 7, 2, HandshakeCodec.ROLE_PEER, 1, null));
            peer.assertRejected(RejectReason.BAD_AUTH); // a client certificate never opens a peer link
        }
    }

    @Test
    void aPeerWhoseCertificateNamesItsOwnIdIsAccepted() throws Exception {
        startNode1();
        try (RawPeer peer = connectAs(node3)) {
            peer.write(peer.hello(Frame.PROTOCOL_VERSION, 7, 3, HandshakeCodec.ROLE_PEER, 1, null));
            final byte[] f = peer.readFrame();
            assertNotNull(f);
            assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(new UnsafeBuffer(f), 0));
        }
    }

    @Test
    void twoNodesWithTheirOwnNamedCertificatesLink() throws Exception {
        final int[] ports = TestNodes.freePorts(2);
        final NettyTransport a = new NettyTransport(TestNodes.configs(ports,
            b -> b.tls(new TlsConfig(node1.certPem(), node1.keyPem(), trust).withCertificatesNamingNodeIds())).get(0));
        final NettyTransport b2 = new NettyTransport(TestNodes.configs(ports,
            b -> b.tls(new TlsConfig(node2.certPem(), node2.keyPem(), trust).withCertificatesNamingNodeIds())).get(1));
        try {
            a.start(1, new TestNodes.Recorder());
            b2.start(2, new TestNodes.Recorder());
            a.whenConnected(2).get(20, TimeUnit.SECONDS);
        } finally {
            a.close();
            b2.close();
        }
    }
}
