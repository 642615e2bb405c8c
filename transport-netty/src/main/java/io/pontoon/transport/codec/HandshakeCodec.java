package io.pontoon.transport.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Handshake bodies (docs/PROTOCOL.md, "Handshake"), little-endian. Every connection runs:
 * <pre>
 *   acceptor  -> connector  HANDSHAKE_CHALLENGE  0 nonce[16]
 *   connector -> acceptor   HANDSHAKE_HELLO      0 role u8, 1 reserved u8[3], 4 targetNodeId i32, 8 nonce[16], 24 mac[32]
 *   acceptor  -> connector  HANDSHAKE_ACCEPT     0 mac[32]
 *                      or   HANDSHAKE_REJECT     0 reason u8, 1 reserved u8[3]   (then the acceptor closes)
 * </pre>
 * The HELLO mac proves the connector knows the cluster secret (it covers the acceptor's fresh nonce);
 * the ACCEPT mac proves the acceptor knows it (it covers the connector's fresh nonce). Without a secret
 * both macs are 32 zero bytes and are not checked. Not on a hot path: allocation is fine here.
 */
public final class HandshakeCodec {
    public static final int NONCE_LENGTH = 16;
    public static final int MAC_LENGTH = 32;

    public static final int CHALLENGE_NONCE_OFFSET = 0;
    public static final int CHALLENGE_LENGTH = NONCE_LENGTH;

    public static final int HELLO_ROLE_OFFSET = 0;
    public static final int HELLO_TARGET_NODE_ID_OFFSET = 4;
    public static final int HELLO_NONCE_OFFSET = 8;
    public static final int HELLO_MAC_OFFSET = 24;
    public static final int HELLO_LENGTH = 56;

    public static final int ACCEPT_MAC_OFFSET = 0;
    public static final int ACCEPT_LENGTH = MAC_LENGTH;

    public static final int REJECT_REASON_OFFSET = 0;
    public static final int REJECT_LENGTH = 4;

    /** HELLO role: a Raft peer (sender id is its node id). */
    public static final int ROLE_PEER = 1;
    /** HELLO role: a client (sender id 0). */
    public static final int ROLE_CLIENT = 2;
    /** HELLO targetNodeId meaning "whichever node answers" (clients). */
    public static final int ANY_NODE = 0;

    private static final byte[] HELLO_LABEL = "PNTHELLO".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACCEPT_LABEL = "PNTACCPT".getBytes(StandardCharsets.US_ASCII);

    private HandshakeCodec() {
    }

    public static int encodeChallenge(MutableDirectBuffer b, int o, byte[] nonce) {
        b.putBytes(o + CHALLENGE_NONCE_OFFSET, nonce, 0, NONCE_LENGTH);
        return CHALLENGE_LENGTH;
    }

    public static int encodeHello(MutableDirectBuffer b, int o, int role, int targetNodeId, byte[] nonce, byte[] mac) {
        b.putByte(o + HELLO_ROLE_OFFSET, (byte) role);
        b.putByte(o + 1, (byte) 0);
        b.putShort(o + 2, (short) 0, LITTLE_ENDIAN);
        b.putInt(o + HELLO_TARGET_NODE_ID_OFFSET, targetNodeId, LITTLE_ENDIAN);
        b.putBytes(o + HELLO_NONCE_OFFSET, nonce, 0, NONCE_LENGTH);
        b.putBytes(o + HELLO_MAC_OFFSET, mac, 0, MAC_LENGTH);
        return HELLO_LENGTH;
    }

    public static int encodeAccept(MutableDirectBuffer b, int o, byte[] mac) {
        b.putBytes(o + ACCEPT_MAC_OFFSET, mac, 0, MAC_LENGTH);
        return ACCEPT_LENGTH;
    }

    public static int encodeReject(MutableDirectBuffer b, int o, RejectReason reason) {
        b.putByte(o + REJECT_REASON_OFFSET, (byte) reason.code());
        b.putByte(o + 1, (byte) 0);
        b.putShort(o + 2, (short) 0, LITTLE_ENDIAN);
        return REJECT_LENGTH;
    }

    public static int helloRole(DirectBuffer b, int o) {
        return b.getByte(o + HELLO_ROLE_OFFSET) & 0xFF;
    }

    public static int helloReserved(DirectBuffer b, int o) {
        return (b.getByte(o + 1) & 0xFF) | (b.getShort(o + 2, LITTLE_ENDIAN) & 0xFFFF);
    }

    public static int helloTargetNodeId(DirectBuffer b, int o) {
        return b.getInt(o + HELLO_TARGET_NODE_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static byte[] bytes(DirectBuffer b, int o, int length) {
        final byte[] out = new byte[length];
        b.getBytes(o, out);
        return out;
    }

    public static int rejectReason(DirectBuffer b, int o) {
        return b.getByte(o + REJECT_REASON_OFFSET) & 0xFF;
    }

    /** The connector's proof: HMAC-SHA256 over "PNTHELLO" and the connection's identities and nonces. */
    public static byte[] helloMac(byte[] secret, int clusterId, int connectorId, int acceptorId, int role,
                                  byte[] challengeNonce, byte[] helloNonce) {
        return mac(secret, HELLO_LABEL, clusterId, connectorId, acceptorId, role, challengeNonce, helloNonce);
    }

    /** The acceptor's proof: HMAC-SHA256 over "PNTACCPT" and the same fields. */
    public static byte[] acceptMac(byte[] secret, int clusterId, int connectorId, int acceptorId, int role,
                                   byte[] challengeNonce, byte[] helloNonce) {
        return mac(secret, ACCEPT_LABEL, clusterId, connectorId, acceptorId, role, challengeNonce, helloNonce);
    }

    /**
     * HMAC-SHA256(secret, label[8] | clusterId i32 | connectorId i32 | acceptorId i32 | role u8 |
     * challengeNonce[16] | helloNonce[16]), integers little-endian. Returns 32 zero bytes when
     * {@code secret} is null (no authentication configured).
     */
    static byte[] mac(byte[] secret, byte[] label, int clusterId, int connectorId, int acceptorId, int role,
                      byte[] challengeNonce, byte[] helloNonce) {
        if (secret == null) {
            return new byte[MAC_LENGTH];
        }
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(label);
            final ByteBuffer ids = ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN);
            ids.putInt(clusterId).putInt(connectorId).putInt(acceptorId).put((byte) role);
            mac.update(ids.array());
            mac.update(challengeNonce);
            mac.update(helloNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Why an acceptor refused a connection; the code is the REJECT body's reason byte. */
    public enum RejectReason {
        MALFORMED(1, "malformed or unexpected handshake frame"),
        UNSUPPORTED_VERSION(2, "protocol version newer than this node supports"),
        WRONG_CLUSTER(3, "cluster id differs"),
        UNKNOWN_NODE(4, "sender node id is not a configured peer"),
        BAD_AUTH(5, "authentication failed (wrong or missing peer or client secret, or a TLS certificate that does not name the claimed node)"),
        WRONG_TARGET(6, "connector meant to reach a different node id"),
        NO_CLIENT_SERVICE(7, "this node does not serve clients (yet)"),
        WRONG_DIRECTION(8, "a peer with a lower node id must not dial: the node with the higher id dials"),
        TOO_MANY_CLIENTS(9, "this node already serves its maximum number of client connections (maxClientConnections)");

        private static final RejectReason[] BY_CODE = new RejectReason[10];

        static {
            for (RejectReason r : values()) {
                BY_CODE[r.code] = r;
            }
        }

        private final int code;
        private final String description;

        RejectReason(int code, String description) {
            this.code = code;
            this.description = description;
        }

        public int code() {
            return code;
        }

        public String description() {
            return description;
        }

        /** Null for an unknown code. */
        public static RejectReason of(int code) {
            return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        }
    }
}
