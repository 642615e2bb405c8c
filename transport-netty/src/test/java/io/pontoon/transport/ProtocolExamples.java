package io.pontoon.transport;

import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.VoteRequestCodec;
import io.pontoon.protocol.VoteResponseCodec;
import io.pontoon.transport.codec.ClientAdminRequestCodec;
import io.pontoon.transport.codec.ClientAdminResponseCodec;
import io.pontoon.transport.codec.ClientAppendRequestCodec;
import io.pontoon.transport.codec.ClientAppendResponseCodec;
import io.pontoon.transport.codec.ClientStatusRequestCodec;
import io.pontoon.transport.codec.ClientStatusResponseCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The example frames of docs/PROTOCOL.md, built with the production encoders. {@code main} prints
 * them as the doc's hex blocks; {@link ProtocolDocTest} checks the doc against them and decodes the
 * doc's bytes independently.
 */
final class ProtocolExamples {
    static final int CLUSTER = 7;
    static final byte[] SECRET = "pontoon-example-secret".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CHALLENGE_NONCE = range(0x00);
    static final byte[] HELLO_NONCE = range(0x10);
    static final String LEADER_ADDRESS = "127.0.0.1:7001";
    static final String LEARNER_ADDRESS = "127.0.0.1:7004";

    private ProtocolExamples() {
    }

    private static byte[] range(int first) {
        final byte[] b = new byte[HandshakeCodec.NONCE_LENGTH];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    private static byte[] frame(int type, int sender, ToIntFunction<MutableDirectBuffer> body) {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[4096]);
        final int bodyLength = body.applyAsInt(new UnsafeBuffer(b, Frame.HEADER_LENGTH, 4096 - Frame.HEADER_LENGTH));
        final int length = Frame.encodeHeader(b, 0, type, CLUSTER, sender, bodyLength);
        final byte[] out = new byte[length];
        b.getBytes(0, out);
        return out;
    }

    static Map<String, byte[]> all() {
        final Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("append-entries", frame(MessageType.APPEND_ENTRIES, 1, b -> {
            final AppendEntriesCodec c = new AppendEntriesCodec().encode(b, 0, 5, 10, 4, 9);
            c.appendEntry(5, new UnsafeBuffer("abc".getBytes(StandardCharsets.US_ASCII)), 0, 3);
            c.appendEntry(5, new UnsafeBuffer("hello".getBytes(StandardCharsets.US_ASCII)), 0, 5);
            return c.length();
        }));
        m.put("append-response-success", frame(MessageType.APPEND_RESPONSE, 2,
            b -> AppendResponseCodec.encode(b, 0, 5, true, 12, -1, -1, -1, 12)));
        m.put("append-response-conflict", frame(MessageType.APPEND_RESPONSE, 2,
            b -> AppendResponseCodec.encode(b, 0, 5, false, 0, 10, 3, 7, 11)));
        m.put("vote-request-prevote", frame(MessageType.VOTE_REQUEST, 3, b -> VoteRequestCodec.encode(b, 0, 6, 12, 5, true)));
        m.put("vote-response-granted", frame(MessageType.VOTE_RESPONSE, 2, b -> VoteResponseCodec.encode(b, 0, 6, true, true)));
        m.put("heartbeat", frame(MessageType.HEARTBEAT, 1, b -> HeartbeatCodec.encode(b, 0, 5, 10, 42)));
        m.put("heartbeat-response", frame(MessageType.HEARTBEAT_RESPONSE, 2, b -> HeartbeatCodec.encode(b, 0, 5, 12, 42)));
        m.put("read-index", frame(MessageType.READ_INDEX, 2,
            b -> io.pontoon.protocol.ReadIndexCodec.encodeRequest(b, 0, 5, 1000)));
        m.put("read-index-response", frame(MessageType.READ_INDEX_RESPONSE, 1,
            b -> io.pontoon.protocol.ReadIndexCodec.encodeResponse(b, 0, 5, 1000, 12, 0)));
        m.put("timeout-now", frame(MessageType.TIMEOUT_NOW, 1, b -> io.pontoon.protocol.TimeoutNowCodec.encode(b, 0, 5)));
        m.put("install-snapshot", frame(MessageType.INSTALL_SNAPSHOT, 1, b -> {
            final byte[] configuration = io.pontoon.spi.Membership.of(new int[] {1, 2, 3}, new int[0]).encode();
            final int len = io.pontoon.protocol.InstallSnapshotCodec.encodeHeader(b, 0, 5, 100, 4, 10, 0xc0ffeeL, 6,
                configuration, 4);
            b.putStringWithoutLengthAscii(io.pontoon.protocol.InstallSnapshotCodec.dataOffset(configuration.length),
                "wxyz");
            return len;
        }));
        m.put("install-snapshot-response", frame(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2,
            b -> io.pontoon.protocol.InstallSnapshotResponseCodec.encode(b, 0, 5, 100, 10,
                io.pontoon.protocol.InstallSnapshotResponseCodec.INSTALLED)));
        m.put("handshake-challenge", frame(FrameType.HANDSHAKE_CHALLENGE, 1,
            b -> HandshakeCodec.encodeChallenge(b, 0, CHALLENGE_NONCE)));
        m.put("handshake-hello", frame(FrameType.HANDSHAKE_HELLO, 2, b -> HandshakeCodec.encodeHello(b, 0,
            HandshakeCodec.ROLE_PEER, 1, HELLO_NONCE, HandshakeCodec.helloMac(SECRET, CLUSTER, 2, 1, HandshakeCodec.ROLE_PEER,
                CHALLENGE_NONCE, HELLO_NONCE))));
        m.put("handshake-accept", frame(FrameType.HANDSHAKE_ACCEPT, 1, b -> HandshakeCodec.encodeAccept(b, 0,
            HandshakeCodec.acceptMac(SECRET, CLUSTER, 2, 1, HandshakeCodec.ROLE_PEER, CHALLENGE_NONCE, HELLO_NONCE))));
        m.put("handshake-reject", frame(FrameType.HANDSHAKE_REJECT, 1,
            b -> HandshakeCodec.encodeReject(b, 0, HandshakeCodec.RejectReason.BAD_AUTH)));
        m.put("client-append-request", frame(FrameType.CLIENT_APPEND_REQUEST, 0, b -> {
            final int length = ClientAppendRequestCodec.encodeHeader(b, 0, 42, 2);
            b.putBytes(ClientAppendRequestCodec.PAYLOAD_OFFSET, "hi".getBytes(StandardCharsets.US_ASCII));
            return length;
        }));
        m.put("client-append-response-ok", frame(FrameType.CLIENT_APPEND_RESPONSE, 1,
            b -> ClientAppendResponseCodec.encode(b, 0, 42, ResultCode.OK, 13, 1, null)));
        m.put("client-append-response-not-leader", frame(FrameType.CLIENT_APPEND_RESPONSE, 2,
            b -> ClientAppendResponseCodec.encode(b, 0, 43, ResultCode.NOT_LEADER, -1, 1,
                ClientAppendResponseCodec.addressBytes(LEADER_ADDRESS))));
        m.put("client-status-request", frame(FrameType.CLIENT_STATUS_REQUEST, 0, b -> ClientStatusRequestCodec.encode(b, 0, 44)));
        m.put("client-status-response", frame(FrameType.CLIENT_STATUS_RESPONSE, 2, b -> ClientStatusResponseCodec.encode(b, 0, 44,
            new RaftStatus(2, Role.FOLLOWER, 5, 1, 12, 12, 12, 5), ClientAppendResponseCodec.addressBytes(LEADER_ADDRESS))));
        m.put("client-admin-request-transfer", frame(FrameType.CLIENT_ADMIN_REQUEST, 0,
            b -> ClientAdminRequestCodec.encode(b, 0, 45, ClientAdminRequestCodec.OP_TRANSFER_LEADERSHIP, 2)));
        m.put("client-admin-response-ok", frame(FrameType.CLIENT_ADMIN_RESPONSE, 1,
            b -> ClientAdminResponseCodec.encode(b, 0, 45, ResultCode.OK, 0, 2)));
        m.put("client-admin-request-add-learner", frame(FrameType.CLIENT_ADMIN_REQUEST, 0,
            b -> ClientAdminRequestCodec.encodeAdd(b, 0, 46, ClientAdminRequestCodec.OP_ADD_LEARNER, 4,
                ClientAdminRequestCodec.addressBytes(LEARNER_ADDRESS))));
        m.put("client-admin-response-members", frame(FrameType.CLIENT_ADMIN_RESPONSE, 2,
            b -> ClientAdminResponseCodec.encodeMembership(b, 0, 47, ResultCode.OK, 1,
                ClientAppendResponseCodec.addressBytes(LEADER_ADDRESS),
                io.pontoon.spi.Membership.of(new int[] {1, 2, 3}, new int[] {4}).encode(), null)));
        m.put("client-admin-request-fault", frame(FrameType.CLIENT_ADMIN_REQUEST, 0,
            b -> ClientAdminRequestCodec.encodeFault(b, 0, 50, 3, 100_000, 50_000_000L, 0, new int[] {3})));
        m.put("client-admin-response-fault-refused", frame(FrameType.CLIENT_ADMIN_RESPONSE, 3,
            b -> ClientAdminResponseCodec.encodeMembership(b, 0, 50, ResultCode.INVALID, 0, null, null,
                ClientAdminResponseCodec.reasonBytes("fault control is off on node 3"))));
        m.put("client-app-request", frame(FrameType.CLIENT_APP_REQUEST, 0,
            b -> io.pontoon.transport.codec.ClientAppRequestCodec.encode(b, 0, 48,
                "get k".getBytes(StandardCharsets.US_ASCII))));
        m.put("client-app-response-ok", frame(FrameType.CLIENT_APP_RESPONSE, 1,
            b -> io.pontoon.transport.codec.ClientAppResponseCodec.encode(b, 0, 48, ResultCode.OK, 1, null,
                "v".getBytes(StandardCharsets.US_ASCII))));
        m.put("client-app-response-not-leader", frame(FrameType.CLIENT_APP_RESPONSE, 2,
            b -> io.pontoon.transport.codec.ClientAppResponseCodec.encode(b, 0, 49, ResultCode.NOT_LEADER, 1,
                ClientAppendResponseCodec.addressBytes(LEADER_ADDRESS), null)));
        return m;
    }

    /** Hex as the doc shows it: 16 bytes per line, lower case, space separated. */
    static String hex(byte[] bytes) {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            sb.append(String.format("%02x", bytes[i] & 0xFF));
            sb.append(i % 16 == 15 || i == bytes.length - 1 ? "\n" : " ");
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        all().forEach((name, bytes) -> System.out.print("```hex " + name + "\n" + hex(bytes) + "```\n\n"));
    }
}
