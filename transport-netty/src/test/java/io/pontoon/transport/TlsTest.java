package io.pontoon.transport;

import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
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
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mutual TLS by PEM files: members connect; untrusted, missing and plaintext clients are cut off. */
class TlsTest {
    @TempDir
    static Path dir;
    static TestCertificates.Identity a;
    static TestCertificates.Identity b;
    static TestCertificates.Identity rogue;
    static Path clusterTrust;

    private final List<NettyTransport> transports = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        a = TestCertificates.generate(dir, "node-a");
        b = TestCertificates.generate(dir, "node-b");
        rogue = TestCertificates.generate(dir, "rogue");
        clusterTrust = TestCertificates.trust(dir, "cluster", a, b);
    }

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport start(NettyTransportConfig config, TestNodes.Recorder recorder) {
        final NettyTransport t = new NettyTransport(config);
        transports.add(t);
        t.start(config.nodeId, recorder);
        return t;
    }

    private List<NettyTransportConfig> tlsCluster() {
        final int[] ports = TestNodes.freePorts(2);
        final List<NettyTransportConfig> plain = TestNodes.configs(ports, x -> { });
        final List<NettyTransportConfig> configs = new ArrayList<>();
        configs.add(TestNodes.configs(ports, x -> x.tls(new TlsConfig(a.certPem(), a.keyPem(), clusterTrust))).get(0));
        configs.add(TestNodes.configs(ports, x -> x.tls(new TlsConfig(b.certPem(), b.keyPem(), clusterTrust))).get(1));
        assertEquals(plain.get(0).listenAddress, configs.get(0).listenAddress);
        return configs;
    }

    @Test
    void membersWithTrustedCertificatesConnectAndExchangeMessages() throws Exception {
        final List<NettyTransportConfig> configs = tlsCluster();
        final TestNodes.Recorder r2 = new TestNodes.Recorder();
        final NettyTransport t1 = start(configs.get(0), new TestNodes.Recorder());
        start(configs.get(1), r2);
        t1.whenConnected(2).get(20, TimeUnit.SECONDS);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);
        HeartbeatCodec.encode(body, 0, 3, 4);
        assertTrue(t1.send(2, MessageType.HEARTBEAT, body, 0, HeartbeatCodec.LENGTH));
        t1.flush();
        final TestNodes.Received m = r2.poll(10_000);
        assertNotNull(m);
        assertEquals(1, m.from());
        assertEquals(3, new HeartbeatCodec().wrap(new UnsafeBuffer(m.body()), 0).term());
    }

    @Test
    void trustedClientCertificateReachesTheHandshake() throws Exception {
        final NettyTransport t1 = start(tlsCluster().get(0), new TestNodes.Recorder());
        try (RawPeer peer = new RawPeer(tlsSocket(t1.localAddress(), a.keystore()))) {
            final byte[] challenge = peer.readFrame();
            assertNotNull(challenge);
            assertEquals(FrameType.HANDSHAKE_CHALLENGE, Frame.type(new UnsafeBuffer(challenge), 0));
        }
    }

    @Test
    void untrustedClientCertificateNeverReachesTheHandshake() throws Exception {
        final NettyTransport t1 = start(tlsCluster().get(0), new TestNodes.Recorder());
        assertNoChallenge(() -> tlsSocket(t1.localAddress(), rogue.keystore()));
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        final NettyTransport t1 = start(tlsCluster().get(0), new TestNodes.Recorder());
        assertNoChallenge(() -> tlsSocket(t1.localAddress(), null));
    }

    @Test
    void plaintextConnectionToATlsPortIsClosed() {
        final NettyTransport t1 = start(tlsCluster().get(0), new TestNodes.Recorder());
        try (RawPeer peer = new RawPeer(t1.localAddress())) {
            peer.write(RawPeer.frame(FrameType.HANDSHAKE_HELLO, 7, 2, new byte[56]));
            assertTrue(peer.awaitClosedByPeer());
        }
    }

    @Test
    void missingPemFileIsAConfigurationErrorNamingTheField() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new TlsConfig(a.certPem(), dir.resolve("missing.key.pem"), clusterTrust));
        assertTrue(e.getMessage().contains("tls.privateKeyPem"), e.getMessage());
    }

    @Test
    void unreadablePemContentFailsAtConstruction() throws Exception {
        final Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "not a certificate");
        final NettyTransportConfig config = NettyTransportConfig.builder().nodeId(1).listenAddress("127.0.0.1:0")
            .tls(new TlsConfig(garbage, a.keyPem(), clusterTrust)).build();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NettyTransport(config));
        assertTrue(e.getMessage().contains("certChainPem"), e.getMessage());
    }

    interface SocketFactory {
        SSLSocket open() throws Exception;
    }

    private static void assertNoChallenge(SocketFactory factory) throws Exception {
        final SSLSocket socket;
        try {
            socket = factory.open();
        } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
            return; // refused during the TLS handshake
        }
        try (RawPeer peer = new RawPeer(socket)) {
            assertNull(peer.readFrame(), "no frame may reach an unauthenticated TLS client");
        } catch (UncheckedIOException e) {
            // refused: javax.net.ssl.SSLException from the read
        }
    }

    /** A JDK TLS client presenting the key in {@code keystore} (or none) and trusting node-a. */
    private static SSLSocket tlsSocket(InetSocketAddress address, Path keystore) throws Exception {
        KeyManagerFactory kmf = null;
        if (keystore != null) {
            final KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, TestCertificates.PASSWORD);
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, TestCertificates.PASSWORD);
        }
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(a.certPem())) {
            trust.setCertificateEntry("node-a", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        final SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        final SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }
}
