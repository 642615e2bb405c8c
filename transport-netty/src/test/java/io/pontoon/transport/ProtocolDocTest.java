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
import io.pontoon.transport.codec.FrameValidator;
import io.pontoon.transport.codec.HandshakeCodec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/PROTOCOL.md cannot drift from the code: every {@code ```hex name} block is decoded here with the
 * production decoders and checked against literal values, and must equal the production encoders'
 * bytes for the same message ({@link ProtocolExamples}).
 */
class ProtocolDocTest {
    private static final int H = Frame.HEADER_LENGTH;

    static Path protocolDoc() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null) {
            final Path doc = dir.resolve("docs/PROTOCOL.md");
            if (Files.isRegularFile(doc)) {
                return doc;
            }
            dir = dir.getParent();
        }
        throw new AssertionError("docs/PROTOCOL.md not found above " + System.getProperty("user.dir"));
    }

    /** Every hex block of the doc, by name, in order. */
    static Map<String, byte[]> docExamples() throws IOException {
        final List<String> lines = Files.readAllLines(protocolDoc(), StandardCharsets.UTF_8);
        final Map<String, byte[]> examples = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("```hex ")) {
                continue;
            }
            final String name = lines.get(i).substring("```hex ".length()).trim();
            final StringBuilder hex = new StringBuilder();
            for (i++; !lines.get(i).startsWith("```"); i++) {
                hex.append(lines.get(i).trim()).append(' ');
            }
            final String[] tokens = hex.toString().trim().split("\\s+");
            final byte[] bytes = new byte[tokens.length];
            for (int k = 0; k < tokens.length; k++) {
                bytes[k] = (byte) Integer.parseInt(tokens[k], 16);
            }
            assertFalse(examples.containsKey(name), "duplicate example " + name);
            examples.put(name, bytes);
        }
        return examples;
    }

    @Test
    void docExamplesAreExactlyWhatTheEncodersProduce() throws IOException {
        final Map<String, byte[]> doc = docExamples();
        final Map<String, byte[]> code = ProtocolExamples.all();
        assertEquals(code.keySet(), doc.keySet(), "examples in docs/PROTOCOL.md");
        code.forEach((name, bytes) -> assertArrayEquals(bytes, doc.get(name),
            "docs/PROTOCOL.md example '" + name + "' differs from the encoder; expected:\n" + ProtocolExamples.hex(bytes)));
    }

    @Test
    void everyDocExampleHasAConsistentHeaderAndPassesValidation() throws IOException {
        final FrameValidator validator = new FrameValidator();
        docExamples().forEach((name, bytes) -> {
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            assertEquals(bytes.length - 4, Frame.lengthField(b, 0), name);
            assertEquals(1, Frame.version(b, 0), name);
            assertEquals(0, Frame.flags(b, 0), name);
            assertEquals(7, Frame.clusterId(b, 0), name);
            assertNull(validator.validateHeader(b, 0, bytes.length, 7, Frame.senderId(b, 0)), name);
            final int type = Frame.type(b, 0);
            final int bodyLength = bytes.length - H;
            if (MessageType.isRaftMessage(type)) {
                assertNull(validator.validateRaftBody(type, b, H, bodyLength), name);
            } else if (FrameType.isClientRequest(type)) {
                assertNull(FrameValidator.validateClientRequestBody(type, b, H, bodyLength), name);
            } else if (FrameType.isClientResponse(type)) {
                assertNull(FrameValidator.validateClientResponseBody(type, b, H, bodyLength), name);
            } else {
                assertTrue(FrameType.isHandshake(type), name);
            }
        });
    }

    @Test
    void raftExamplesDecodeToTheDocumentedValues() throws IOException {
        final Map<String, byte[]> doc = docExamples();

        UnsafeBuffer b = new UnsafeBuffer(doc.get("append-entries"));
        assertEquals(MessageType.APPEND_ENTRIES, Frame.type(b, 0));
        assertEquals(1, Frame.senderId(b, 0));
        final AppendEntriesCodec ae = new AppendEntriesCodec().wrap(b, H, b.capacity() - H);
        assertNull(ae.validate());
        assertEquals(5, ae.term());
        assertEquals(10, ae.prevLogIndex());
        assertEquals(4, ae.prevLogTerm());
        assertEquals(9, ae.leaderCommit());
        assertEquals(2, ae.entryCount());
        int entry = ae.firstEntryOffset();
        assertEquals(5, ae.entryTerm(entry));
        assertEquals("abc", b.getStringWithoutLengthAscii(AppendEntriesCodec.entryPayloadOffset(entry), ae.entryLength(entry)));
        entry = ae.nextEntryOffset(entry);
        assertEquals(5, ae.entryTerm(entry));
        assertEquals("hello", b.getStringWithoutLengthAscii(AppendEntriesCodec.entryPayloadOffset(entry), ae.entryLength(entry)));

        b = new UnsafeBuffer(doc.get("append-response-success"));
        final AppendResponseCodec ar = new AppendResponseCodec().wrap(b, H);
        assertEquals(MessageType.APPEND_RESPONSE, Frame.type(b, 0));
        assertTrue(ar.success());
        assertEquals(5, ar.term());
        assertEquals(12, ar.matchIndex());
        assertEquals(-1, ar.rejectedIndex());
        assertEquals(12, ar.lastLogIndex());

        b = new UnsafeBuffer(doc.get("append-response-conflict"));
        ar.wrap(b, H);
        assertFalse(ar.success());
        assertEquals(10, ar.rejectedIndex());
        assertEquals(3, ar.conflictTerm());
        assertEquals(7, ar.conflictIndex());
        assertEquals(11, ar.lastLogIndex());

        b = new UnsafeBuffer(doc.get("vote-request-prevote"));
        assertEquals(MessageType.VOTE_REQUEST, Frame.type(b, 0));
        assertEquals(3, Frame.senderId(b, 0));
        final VoteRequestCodec vr = new VoteRequestCodec().wrap(b, H);
        assertEquals(6, vr.term());
        assertEquals(12, vr.lastLogIndex());
        assertEquals(5, vr.lastLogTerm());
        assertTrue(vr.preVote());

        b = new UnsafeBuffer(doc.get("vote-response-granted"));
        final VoteResponseCodec vs = new VoteResponseCodec().wrap(b, H);
        assertEquals(MessageType.VOTE_RESPONSE, Frame.type(b, 0));
        assertEquals(6, vs.term());
        assertTrue(vs.granted());
        assertTrue(vs.preVote());

        b = new UnsafeBuffer(doc.get("heartbeat"));
        assertEquals(MessageType.HEARTBEAT, Frame.type(b, 0));
        assertEquals(5, new HeartbeatCodec().wrap(b, H).term());
        assertEquals(10, new HeartbeatCodec().wrap(b, H).secondField());
        b = new UnsafeBuffer(doc.get("heartbeat-response"));
        assertEquals(MessageType.HEARTBEAT_RESPONSE, Frame.type(b, 0));
        assertEquals(12, new HeartbeatCodec().wrap(b, H).secondField());

        b = new UnsafeBuffer(doc.get("install-snapshot"));
        assertEquals(MessageType.INSTALL_SNAPSHOT, Frame.type(b, 0));
        final io.pontoon.protocol.InstallSnapshotCodec is = new io.pontoon.protocol.InstallSnapshotCodec()
            .wrap(b, H, b.capacity() - H);
        assertNull(is.validate());
        assertEquals(5, is.term());
        assertEquals(100, is.lastIncludedIndex());
        assertEquals(4, is.lastIncludedTerm());
        assertEquals(10, is.totalBytes());
        assertEquals(0xc0ffeeL, is.checksum());
        assertEquals(6, is.chunkOffset());
        assertEquals(java.util.List.of(1, 2, 3), java.util.Arrays.stream(is.membership().voters()).boxed().toList());
        assertEquals("wxyz", b.getStringWithoutLengthAscii(is.dataOffset(), is.dataLength()));
        assertTrue(is.isLast());
        b = new UnsafeBuffer(doc.get("install-snapshot-response"));
        assertEquals(MessageType.INSTALL_SNAPSHOT_RESPONSE, Frame.type(b, 0));
        final io.pontoon.protocol.InstallSnapshotResponseCodec isr = new io.pontoon.protocol.InstallSnapshotResponseCodec()
            .wrap(b, H);
        assertEquals(100, isr.lastIncludedIndex());
        assertEquals(10, isr.nextOffset());
        assertTrue(isr.installed());
        assertFalse(isr.refused());
    }

    @Test
    void handshakeExamplesCarryTheDocumentedHmacs() throws IOException {
        final Map<String, byte[]> doc = docExamples();
        final byte[] secret = "pontoon-example-secret".getBytes(StandardCharsets.US_ASCII);

        UnsafeBuffer b = new UnsafeBuffer(doc.get("handshake-challenge"));
        assertEquals(FrameType.HANDSHAKE_CHALLENGE, Frame.type(b, 0));
        assertEquals(1, Frame.senderId(b, 0));
        final byte[] challengeNonce = HandshakeCodec.bytes(b, H, 16);
        assertArrayEquals(ProtocolExamples.CHALLENGE_NONCE, challengeNonce);

        b = new UnsafeBuffer(doc.get("handshake-hello"));
        assertEquals(FrameType.HANDSHAKE_HELLO, Frame.type(b, 0));
        assertEquals(2, Frame.senderId(b, 0));
        assertEquals(HandshakeCodec.ROLE_PEER, HandshakeCodec.helloRole(b, H));
        assertEquals(0, HandshakeCodec.helloReserved(b, H));
        assertEquals(1, HandshakeCodec.helloTargetNodeId(b, H));
        final byte[] helloNonce = HandshakeCodec.bytes(b, H + 8, 16);
        assertArrayEquals(HandshakeCodec.helloMac(secret, 7, 2, 1, 1, challengeNonce, helloNonce),
            HandshakeCodec.bytes(b, H + 24, 32));

        b = new UnsafeBuffer(doc.get("handshake-accept"));
        assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(b, 0));
        assertArrayEquals(HandshakeCodec.acceptMac(secret, 7, 2, 1, 1, challengeNonce, helloNonce),
            HandshakeCodec.bytes(b, H, 32));

        b = new UnsafeBuffer(doc.get("handshake-reject"));
        assertEquals(FrameType.HANDSHAKE_REJECT, Frame.type(b, 0));
        assertEquals(HandshakeCodec.RejectReason.BAD_AUTH, HandshakeCodec.RejectReason.of(HandshakeCodec.rejectReason(b, H)));
    }

    @Test
    void clientExamplesDecodeToTheDocumentedValues() throws IOException {
        final Map<String, byte[]> doc = docExamples();

        UnsafeBuffer b = new UnsafeBuffer(doc.get("client-append-request"));
        assertEquals(FrameType.CLIENT_APPEND_REQUEST, Frame.type(b, 0));
        assertEquals(0, Frame.senderId(b, 0));
        assertEquals(42, ClientAppendRequestCodec.correlationId(b, H));
        assertEquals("hi", b.getStringWithoutLengthAscii(H + 12, ClientAppendRequestCodec.payloadLength(b, H)));

        b = new UnsafeBuffer(doc.get("client-append-response-ok"));
        assertEquals(42, ClientAppendResponseCodec.correlationId(b, H));
        assertEquals(ResultCode.OK, ClientAppendResponseCodec.resultCode(b, H));
        assertEquals(13, ClientAppendResponseCodec.lsn(b, H));
        assertEquals(1, ClientAppendResponseCodec.leaderId(b, H));
        assertNull(ClientAppendResponseCodec.leaderAddress(b, H));

        b = new UnsafeBuffer(doc.get("client-append-response-not-leader"));
        assertEquals(43, ClientAppendResponseCodec.correlationId(b, H));
        assertEquals(ResultCode.NOT_LEADER, ClientAppendResponseCodec.resultCode(b, H));
        assertEquals(-1, ClientAppendResponseCodec.lsn(b, H));
        assertEquals("127.0.0.1:7001", ClientAppendResponseCodec.leaderAddress(b, H));

        b = new UnsafeBuffer(doc.get("client-status-request"));
        assertEquals(44, ClientStatusRequestCodec.correlationId(b, H));

        b = new UnsafeBuffer(doc.get("client-status-response"));
        assertEquals(44, ClientStatusResponseCodec.correlationId(b, H));
        assertEquals(new RaftStatus(2, Role.FOLLOWER, 5, 1, 12, 12, 12, 5), ClientStatusResponseCodec.status(b, H));
        assertEquals("127.0.0.1:7001", ClientStatusResponseCodec.leaderAddress(b, H));

        b = new UnsafeBuffer(doc.get("client-admin-request-add-learner"));
        assertEquals(46, ClientAdminRequestCodec.correlationId(b, H));
        assertEquals(ClientAdminRequestCodec.OP_ADD_LEARNER, ClientAdminRequestCodec.op(b, H));
        assertEquals(4, ClientAdminRequestCodec.arg(b, H));
        assertEquals("127.0.0.1:7004", ClientAdminRequestCodec.address(b, H));

        b = new UnsafeBuffer(doc.get("client-admin-response-members"));
        assertEquals(47, ClientAdminResponseCodec.correlationId(b, H));
        assertEquals(ResultCode.OK, ClientAdminResponseCodec.code(b, H));
        assertEquals(1, ClientAdminResponseCodec.leaderId(b, H));
        assertEquals("127.0.0.1:7001", ClientAdminResponseCodec.leaderAddress(b, H));
        assertEquals(io.pontoon.spi.Membership.of(new int[] {1, 2, 3}, new int[] {4}),
            ClientAdminResponseCodec.membership(b, H));
        assertNull(ClientAdminResponseCodec.reason(b, H));

        b = new UnsafeBuffer(doc.get("client-admin-request-fault"));
        assertEquals(50, ClientAdminRequestCodec.correlationId(b, H));
        assertEquals(ClientAdminRequestCodec.OP_FAULT, ClientAdminRequestCodec.op(b, H));
        assertEquals(3, ClientAdminRequestCodec.arg(b, H));
        assertTrue(ClientAdminRequestCodec.faultPartition(b, H));
        assertEquals(100_000, ClientAdminRequestCodec.faultDropPpm(b, H));
        assertEquals(50_000_000L, ClientAdminRequestCodec.faultDelayNs(b, H));
        assertEquals(0, ClientAdminRequestCodec.faultJitterNs(b, H));
        assertEquals(1, ClientAdminRequestCodec.faultGroupSize(b, H));
        assertEquals(3, ClientAdminRequestCodec.faultGroupMember(b, H, 0));

        b = new UnsafeBuffer(doc.get("client-admin-response-fault-refused"));
        assertEquals(50, ClientAdminResponseCodec.correlationId(b, H));
        assertEquals(ResultCode.INVALID, ClientAdminResponseCodec.code(b, H));
        assertNull(ClientAdminResponseCodec.leaderAddress(b, H));
        assertNull(ClientAdminResponseCodec.membership(b, H));
        assertEquals("fault control is off on node 3", ClientAdminResponseCodec.reason(b, H));

        b = new UnsafeBuffer(doc.get("client-app-request"));
        assertEquals(FrameType.CLIENT_APP_REQUEST, Frame.type(b, 0));
        assertEquals(48, io.pontoon.transport.codec.ClientAppRequestCodec.correlationId(b, H));
        assertArrayEquals("get k".getBytes(StandardCharsets.US_ASCII),
            io.pontoon.transport.codec.ClientAppRequestCodec.payload(b, H));
        b = new UnsafeBuffer(doc.get("client-app-response-ok"));
        assertEquals(48, io.pontoon.transport.codec.ClientAppResponseCodec.correlationId(b, H));
        assertEquals(ResultCode.OK, io.pontoon.transport.codec.ClientAppResponseCodec.resultCode(b, H));
        assertArrayEquals("v".getBytes(StandardCharsets.US_ASCII),
            io.pontoon.transport.codec.ClientAppResponseCodec.payload(b, H));
        b = new UnsafeBuffer(doc.get("client-app-response-not-leader"));
        assertEquals(ResultCode.NOT_LEADER, io.pontoon.transport.codec.ClientAppResponseCodec.resultCode(b, H));
        assertEquals(1, io.pontoon.transport.codec.ClientAppResponseCodec.leaderId(b, H));
        assertEquals("127.0.0.1:7001", io.pontoon.transport.codec.ClientAppResponseCodec.leaderAddress(b, H));
        assertEquals(0, io.pontoon.transport.codec.ClientAppResponseCodec.payloadLength(b, H));
    }
}
