package io.pontoon.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Generates self-signed EC certificates for TLS tests with the JDK's {@code keytool} and exports them
 * as the PEM files {@link TlsConfig} takes (certificate, PKCS#8 key).
 */
final class TestCertificates {
    static final char[] PASSWORD = "changeit".toCharArray();

    private TestCertificates() {
    }

    /** One identity: its PKCS12 keystore and its PEM certificate and key. */
    record Identity(String name, Path keystore, Path certPem, Path keyPem) {
    }

    static Identity generate(Path dir, String name) throws Exception {
        final Path keystore = dir.resolve(name + ".p12");
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        final Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC",
            "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=" + name, "-validity", "3",
            "-ext", "san=ip:127.0.0.1,dns:localhost", "-keystore", keystore.toString(), "-storetype", "PKCS12",
            "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
            .redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed for " + name + ": " + output);
        }
        final KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        final PrivateKey key = (PrivateKey) ks.getKey(name, PASSWORD);
        final Certificate cert = ks.getCertificate(name);
        final Path certPem = dir.resolve(name + ".crt.pem");
        final Path keyPem = dir.resolve(name + ".key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        return new Identity(name, keystore, certPem, keyPem);
    }

    /** Concatenates certificates into one trust file. */
    static Path trust(Path dir, String name, Identity... trusted) throws IOException {
        final StringBuilder sb = new StringBuilder();
        for (Identity id : trusted) {
            sb.append(Files.readString(id.certPem()));
        }
        final Path file = dir.resolve(name + ".trust.pem");
        Files.writeString(file, sb.toString());
        return file;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
            + "\n-----END " + type + "-----\n";
    }
}
