package io.pontoon.transport.netty;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * What both handshake sides need: who we are, which cluster, which peers may connect, the optional peer and
 * client secrets and how long a handshake may take. Set up before the transport starts, then only read (the peer
 * predicate answers from the transport's current peers); shared by all connections of a transport.
 */
public final class HandshakeSettings {
    private final int clusterId;
    private final int localNodeId;
    private final byte[] secret;
    private final byte[][] clientSecrets;
    private byte[] adminSecret;
    private final IntPredicate isPeer;
    private boolean certificatesNameNodeIds;
    private final long handshakeTimeoutNs;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param localNodeId this side's node id; 0 for a client
     * @param secret      shared cluster secret, or null for no authentication
     * @param isPeer      which node ids may connect as peers (acceptor side, before authentication); asked on the
     *                    event loop at each handshake, so the answer may change while the transport runs
     */
    public HandshakeSettings(int clusterId, int localNodeId, byte[] secret, IntPredicate isPeer, long handshakeTimeoutNs) {
        this(clusterId, localNodeId, secret, java.util.List.of(), isPeer, handshakeTimeoutNs);
    }

    /**
     * @param secret        what this side proves when it connects (a node: the peer secret; a client: its client
     *                      secret), and, on the acceptor side, what a connecting peer must prove; null for none
     * @param clientSecrets acceptor side: a connecting client must prove one of these; empty = clients are not
     *                      authenticated. A client secret is never accepted from a connector that claims to be a peer.
     */
    public HandshakeSettings(int clusterId, int localNodeId, byte[] secret, java.util.List<byte[]> clientSecrets,
                             IntPredicate isPeer, long handshakeTimeoutNs) {
        this.clusterId = clusterId;
        this.localNodeId = localNodeId;
        this.secret = secret == null ? null : secret.clone();
        this.clientSecrets = clientSecrets.stream().map(byte[]::clone).toArray(byte[][]::new);
        this.isPeer = isPeer;
        this.handshakeTimeoutNs = handshakeTimeoutNs;
    }

    public int clusterId() {
        return clusterId;
    }

    public int localNodeId() {
        return localNodeId;
    }

    /** The secret, or null. Not copied: do not modify. */
    byte[] secret() {
        return secret;
    }

    /** Peers must present a TLS certificate named {@code node-<their id>} (TlsConfig.certificatesNameNodeIds). */
    public HandshakeSettings requireCertificatesNamingNodeIds(boolean required) {
        this.certificatesNameNodeIds = required;
        return this;
    }

    boolean certificatesNameNodeIds() {
        return certificatesNameNodeIds;
    }

    /**
     * Acceptor side: a client that proves this secret is an admin client (it may use the admin ops, and every client
     * op); null for none. A client secret never makes a client an admin, and the admin secret never opens a peer link.
     */
    public HandshakeSettings adminSecret(byte[] secret) {
        this.adminSecret = secret == null ? null : secret.clone();
        return this;
    }

    /** The admin secret, or null. Not copied: do not modify. */
    byte[] adminSecret() {
        return adminSecret;
    }

    /** Acceptor side: the client secrets (empty: clients are not authenticated). Not copied: do not modify. */
    byte[][] clientSecrets() {
        return clientSecrets;
    }

    public boolean isPeer(int nodeId) {
        return nodeId != localNodeId && isPeer.test(nodeId);
    }

    public long handshakeTimeoutNs() {
        return handshakeTimeoutNs;
    }

    long handshakeTimeoutMs() {
        return TimeUnit.NANOSECONDS.toMillis(handshakeTimeoutNs);
    }

    byte[] newNonce() {
        final byte[] nonce = new byte[io.pontoon.transport.codec.HandshakeCodec.NONCE_LENGTH];
        random.nextBytes(nonce);
        return nonce;
    }
}
