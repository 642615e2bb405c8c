package io.pontoon.transport.codec;

import io.pontoon.ResultCode;
import io.pontoon.spi.Membership;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT_ADMIN_REQUEST and CLIENT_ADMIN_RESPONSE with the membership ops: every op round-trips, the answer carries
 * the configuration, the leader's address and a refusal's reason, and bodies that do not add up are malformed with a
 * reason that names the field.
 */
class ClientAdminCodecTest {
    private static final Membership CONFIG = Membership.of(new int[] {1, 2, 3}, new int[] {4},
        Map.of(1, "127.0.0.1:7001", 2, "127.0.0.1:7002", 3, "127.0.0.1:7003", 4, "127.0.0.1:7004"));
    private static final byte[] LEADER = "127.0.0.1:7002".getBytes(StandardCharsets.US_ASCII);

    private final UnsafeBuffer b = new UnsafeBuffer(new byte[8192]);

    @Test
    void everyMembershipOpRoundTrips() {
        for (int op : new int[] {ClientAdminRequestCodec.OP_PROMOTE, ClientAdminRequestCodec.OP_REMOVE_MEMBER}) {
            final int length = ClientAdminRequestCodec.encode(b, 0, 40 + op, op, 4);
            assertEquals(ClientAdminRequestCodec.LENGTH, length);
            assertNull(ClientAdminRequestCodec.validate(b, 0, length), ClientAdminRequestCodec.opName(op));
            assertEquals(op, ClientAdminRequestCodec.op(b, 0));
            assertEquals(4, ClientAdminRequestCodec.arg(b, 0));
            assertEquals(40 + op, ClientAdminRequestCodec.correlationId(b, 0));
        }
        final int members = ClientAdminRequestCodec.encode(b, 0, 7, ClientAdminRequestCodec.OP_MEMBERS, 0);
        assertNull(ClientAdminRequestCodec.validate(b, 0, members));
        for (int op : new int[] {ClientAdminRequestCodec.OP_ADD_LEARNER, ClientAdminRequestCodec.OP_ADD_VOTER}) {
            final byte[] address = ClientAdminRequestCodec.addressBytes("node-4.example:7004");
            final int length = ClientAdminRequestCodec.encodeAdd(b, 0, 9, op, 4, address);
            assertEquals(ClientAdminRequestCodec.lengthOf(op, address), length);
            assertEquals(19 + address.length, length);
            assertNull(ClientAdminRequestCodec.validate(b, 0, length));
            assertEquals(4, ClientAdminRequestCodec.arg(b, 0));
            assertEquals("node-4.example:7004", ClientAdminRequestCodec.address(b, 0));
        }
        assertTrue(ClientAdminRequestCodec.isMembershipOp(ClientAdminRequestCodec.OP_MEMBERS));
        assertFalse(ClientAdminRequestCodec.isMembershipChange(ClientAdminRequestCodec.OP_MEMBERS));
        assertFalse(ClientAdminRequestCodec.isMembershipOp(ClientAdminRequestCodec.OP_READ_INDEX));
    }

    @Test
    void requestsWithAnArgOrLengthTheirOpDoesNotTakeAreMalformed() {
        assertRequest(ClientAdminRequestCodec.OP_MEMBERS, 1, "MEMBERS arg must be 0, got 1");
        assertRequest(ClientAdminRequestCodec.OP_PROMOTE, 0, "PROMOTE node id 0 is not in [1, 2147483647]");
        assertRequest(ClientAdminRequestCodec.OP_REMOVE_MEMBER, 1L << 31, "REMOVE_MEMBER node id 2147483648");
        assertRequest(0, 1, "unknown op 0");
        assertRequest(9, 1, "unknown op 9");
        ClientAdminRequestCodec.encode(b, 0, 1, ClientAdminRequestCodec.OP_PROMOTE, 4);
        assertContains(ClientAdminRequestCodec.validate(b, 0, 19), "PROMOTE body must be 17 bytes, got 19");
        assertContains(ClientAdminRequestCodec.validate(b, 0, 16), "at least 17 bytes, got 16");
        // an ADD request without its address, or with no room for the address length
        ClientAdminRequestCodec.encode(b, 0, 1, ClientAdminRequestCodec.OP_ADD_LEARNER, 4);
        assertContains(ClientAdminRequestCodec.validate(b, 0, 17), "no room for its address length");
    }

    @Test
    void addRequestsWhoseAddressIsEmptyTooLongMismatchedOrNotPrintableAreMalformed() {
        final int op = ClientAdminRequestCodec.OP_ADD_VOTER;
        int length = ClientAdminRequestCodec.encodeAdd(b, 0, 1, op, 4, new byte[0]);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "addressLength 0 is not in [1, 255]");
        length = ClientAdminRequestCodec.encodeAdd(b, 0, 1, op, 4, "x".repeat(256).getBytes(StandardCharsets.US_ASCII));
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "addressLength 256 is not in [1, 255]");
        length = ClientAdminRequestCodec.encodeAdd(b, 0, 1, op, 4, ClientAdminRequestCodec.addressBytes("h:1"));
        assertContains(ClientAdminRequestCodec.validate(b, 0, length + 1), "does not match the body's 4 trailing bytes");
        length = ClientAdminRequestCodec.encodeAdd(b, 0, 1, op, 4, "h :1".getBytes(StandardCharsets.US_ASCII));
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "address byte 1 (0x20) is not printable ASCII");
        length = ClientAdminRequestCodec.encodeAdd(b, 0, 0, op, 0, ClientAdminRequestCodec.addressBytes("h:1"));
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "ADD_VOTER node id 0");

        assertNull(ClientAdminRequestCodec.checkAddress("10.0.0.4:7001"));
        assertNull(ClientAdminRequestCodec.checkAddress("[::1]:7001"));
        assertNull(ClientAdminRequestCodec.checkAddress("node-4.example:65535"));
        assertContains(ClientAdminRequestCodec.checkAddress("no-port"), "is not host:port");
        assertContains(ClientAdminRequestCodec.checkAddress(":7001"), "is not host:port");
        assertContains(ClientAdminRequestCodec.checkAddress("::1:7001"), "is not host:port");
        assertContains(ClientAdminRequestCodec.checkAddress("h:0"), "port '0', not in [1, 65535]");
        assertContains(ClientAdminRequestCodec.checkAddress("h:65536"), "port '65536'");
        assertContains(ClientAdminRequestCodec.checkAddress("h:x"), "port 'x'");
        assertContains(ClientAdminRequestCodec.checkAddress(""), "empty");
        assertContains(ClientAdminRequestCodec.checkAddress("h\u00e9:1"), "not printable ASCII at 1");
    }

    @Test
    void aMembershipAnswerCarriesTheConfigurationTheLeadersAddressAndTheReason() {
        final byte[] config = CONFIG.encode();
        final byte[] reason = ClientAdminResponseCodec.reasonBytes("node 4 is already a member");
        int length = ClientAdminResponseCodec.encodeMembership(b, 0, 5, ResultCode.INVALID, 2, LEADER, config, reason);
        assertEquals(ClientAdminResponseCodec.membershipLength(LEADER, config, reason), length);
        assertNull(ClientAdminResponseCodec.validate(b, 0, length));
        assertTrue(ClientAdminResponseCodec.hasMembershipTail(length));
        assertEquals(5, ClientAdminResponseCodec.correlationId(b, 0));
        assertEquals(ResultCode.INVALID, ClientAdminResponseCodec.code(b, 0));
        assertEquals(2, ClientAdminResponseCodec.leaderId(b, 0));
        assertEquals("127.0.0.1:7002", ClientAdminResponseCodec.leaderAddress(b, 0));
        assertEquals(CONFIG, ClientAdminResponseCodec.membership(b, 0));
        assertEquals("127.0.0.1:7004", ClientAdminResponseCodec.membership(b, 0).address(4));
        assertEquals("node 4 is already a member", ClientAdminResponseCodec.reason(b, 0));

        // every field empty: the smallest membership answer
        length = ClientAdminResponseCodec.encodeMembership(b, 0, 6, ResultCode.NOT_LEADER, 0, null, null, null);
        assertEquals(ClientAdminResponseCodec.MIN_MEMBERSHIP_LENGTH, length);
        assertNull(ClientAdminResponseCodec.validate(b, 0, length));
        assertNull(ClientAdminResponseCodec.leaderAddress(b, 0));
        assertNull(ClientAdminResponseCodec.membership(b, 0));
        assertNull(ClientAdminResponseCodec.reason(b, 0));

        // the answers to the older ops keep their 21 bytes
        length = ClientAdminResponseCodec.encode(b, 0, 7, ResultCode.OK, 99, 1);
        assertEquals(21, length);
        assertNull(ClientAdminResponseCodec.validate(b, 0, length));
        assertFalse(ClientAdminResponseCodec.hasMembershipTail(length));
        assertEquals(99, ClientAdminResponseCodec.value(b, 0));
    }

    @Test
    void membershipAnswersWhoseFieldsDoNotAddUpOrWhoseConfigurationIsMalformedAreRefused() {
        final byte[] config = CONFIG.encode();
        final int length = ClientAdminResponseCodec.encodeMembership(b, 0, 5, ResultCode.OK, 2, LEADER, config, null);
        assertContains(ClientAdminResponseCodec.validate(b, 0, 22), "must be 21 bytes, or at least 27");
        assertContains(ClientAdminResponseCodec.validate(b, 0, length - 1), "ends before its reasonLength");
        assertContains(ClientAdminResponseCodec.validate(b, 0, length - 3), "configLength " + config.length + " runs past");
        assertContains(ClientAdminResponseCodec.validate(b, 0, length + 3), "3 bytes after its reason");
        final int configLengthAt = 21 + 2 + LEADER.length;
        b.putShort(configLengthAt, (short) 5000, ByteOrder.LITTLE_ENDIAN);
        assertContains(ClientAdminResponseCodec.validate(b, 0, length), "configLength 5000 exceeds 4096");
        b.putShort(configLengthAt, (short) config.length, ByteOrder.LITTLE_ENDIAN);
        b.putByte(configLengthAt + 2, (byte) 9); // configuration version 9
        assertContains(ClientAdminResponseCodec.validate(b, 0, length), "configuration is malformed: configuration of "
            + "unknown version 9");
        b.putByte(configLengthAt + 2, (byte) 1);
        b.putShort(21, (short) 300, ByteOrder.LITTLE_ENDIAN);
        assertContains(ClientAdminResponseCodec.validate(b, 0, length), "leaderAddressLength 300 exceeds 255");
        b.putShort(21, (short) LEADER.length, ByteOrder.LITTLE_ENDIAN);
        assertNull(ClientAdminResponseCodec.validate(b, 0, length));
        b.putByte(8, (byte) ResultCode.values().length);
        assertContains(ClientAdminResponseCodec.validate(b, 0, length), "unknown result code");
    }

    @Test
    void aLongReasonIsCutToTheLimitOnACharacterBoundary() {
        final byte[] cut = ClientAdminResponseCodec.reasonBytes("\u00e9".repeat(2000)); // 2 bytes each
        assertTrue(cut.length <= ClientAdminResponseCodec.MAX_REASON_BYTES, "cut to " + cut.length);
        final String text = new String(cut, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("...") && text.startsWith("\u00e9\u00e9") && !text.contains("\ufffd"), text);
        assertEquals("short", new String(ClientAdminResponseCodec.reasonBytes("short"), StandardCharsets.UTF_8));
        assertNull(ClientAdminResponseCodec.reasonBytes(null));
    }

    private void assertRequest(int op, long arg, String expected) {
        final int length = ClientAdminRequestCodec.encode(b, 0, 1, op, arg);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), expected);
    }

    private static void assertContains(String reason, String expected) {
        assertNotNull(reason, "expected a reason containing '" + expected + "'");
        assertTrue(reason.contains(expected), reason);
    }
}
