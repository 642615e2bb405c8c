package io.pontoon.transport.codec;

import io.pontoon.ResultCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CLIENT_APP_REQUEST and CLIENT_APP_RESPONSE: round trips, and every malformed body named by its reason. */
class ClientAppCodecTest {
    private static final byte[] ADDRESS = "127.0.0.1:7001".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aRequestRoundTripsItsCorrelationIdAndPayload() {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[64]);
        final byte[] payload = {1, 2, 3, 0, -1};
        final int length = ClientAppRequestCodec.encode(b, 4, -7, payload);
        assertEquals(ClientAppRequestCodec.encodedLength(payload), length);
        assertNull(ClientAppRequestCodec.validate(b, 4, length));
        assertNull(FrameValidator.validateClientRequestBody(FrameType.CLIENT_APP_REQUEST, b, 4, length));
        assertEquals(-7, ClientAppRequestCodec.correlationId(b, 4));
        assertArrayEquals(payload, ClientAppRequestCodec.payload(b, 4));
        // an empty request is well formed: the application decides what it means
        assertEquals(12, ClientAppRequestCodec.encode(b, 0, 1, new byte[0]));
        assertNull(ClientAppRequestCodec.validate(b, 0, 12));
    }

    @Test
    void malformedRequestsAreNamed() {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[64]);
        assertTrue(ClientAppRequestCodec.validate(b, 0, 11).contains("shorter than its 12-byte header"));
        final int length = ClientAppRequestCodec.encode(b, 0, 1, new byte[] {9, 9});
        assertTrue(ClientAppRequestCodec.validate(b, 0, length + 1)
            .contains("payloadLength 2 does not match the body's 3"));
        b.putInt(ClientAppRequestCodec.PAYLOAD_LENGTH_OFFSET, -1, LITTLE_ENDIAN);
        assertNotNull(ClientAppRequestCodec.validate(b, 0, length));
        // a response type on a client connection is refused
        assertTrue(FrameValidator.validateClientRequestBody(FrameType.CLIENT_APP_RESPONSE, b, 0, length)
            .contains("unexpected frame type CLIENT_APP_RESPONSE"));
    }

    @Test
    void aResponseRoundTripsCodeLeaderAddressAndPayload() {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[128]);
        final byte[] payload = "VALUE".getBytes(StandardCharsets.US_ASCII);
        int length = ClientAppResponseCodec.encode(b, 0, 42, ResultCode.OK, 1, null, payload);
        assertEquals(ClientAppResponseCodec.encodedLength(null, payload), length);
        assertNull(FrameValidator.validateClientResponseBody(FrameType.CLIENT_APP_RESPONSE, b, 0, length));
        assertEquals(42, ClientAppResponseCodec.correlationId(b, 0));
        assertEquals(ResultCode.OK, ClientAppResponseCodec.resultCode(b, 0));
        assertEquals(1, ClientAppResponseCodec.leaderId(b, 0));
        assertNull(ClientAppResponseCodec.leaderAddress(b, 0));
        assertArrayEquals(payload, ClientAppResponseCodec.payload(b, 0));

        length = ClientAppResponseCodec.encode(b, 0, 43, ResultCode.NOT_LEADER, 3, ADDRESS, null);
        assertNull(ClientAppResponseCodec.validate(b, 0, length));
        assertEquals(ResultCode.NOT_LEADER, ClientAppResponseCodec.resultCode(b, 0));
        assertEquals(3, ClientAppResponseCodec.leaderId(b, 0));
        assertEquals("127.0.0.1:7001", ClientAppResponseCodec.leaderAddress(b, 0));
        assertEquals(0, ClientAppResponseCodec.payload(b, 0).length);
    }

    @Test
    void aReasonIsCutToItsLimit() {
        assertNull(ClientAppResponseCodec.reasonBytes(null));
        assertEquals(ClientAppResponseCodec.MAX_REASON_BYTES,
            ClientAppResponseCodec.reasonBytes("x".repeat(5000)).length);
        assertThrows(IllegalArgumentException.class, () -> ClientAppResponseCodec.encode(
            new UnsafeBuffer(new byte[400]), 0, 1, ResultCode.NOT_LEADER, 1, new byte[256], null));
    }

    @Test
    void malformedResponsesAreNamed() {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[128]);
        assertTrue(ClientAppResponseCodec.validate(b, 0, 19).contains("shorter than its 20 fixed bytes"));

        int length = ClientAppResponseCodec.encode(b, 0, 1, ResultCode.OK, 0, ADDRESS, new byte[] {7});
        b.putByte(ClientAppResponseCodec.RESULT_CODE_OFFSET, (byte) 200);
        assertTrue(ClientAppResponseCodec.validate(b, 0, length).contains("unknown result code 200"));

        length = ClientAppResponseCodec.encode(b, 0, 1, ResultCode.OK, 0, ADDRESS, new byte[] {7});
        b.putByte(ClientAppResponseCodec.RESERVED_OFFSET, (byte) 1);
        assertTrue(ClientAppResponseCodec.validate(b, 0, length).contains("reserved byte is 1"));

        length = ClientAppResponseCodec.encode(b, 0, 1, ResultCode.OK, 0, ADDRESS, new byte[] {7});
        b.putShort(ClientAppResponseCodec.LEADER_ADDRESS_LENGTH_OFFSET, (short) 100, LITTLE_ENDIAN);
        assertTrue(ClientAppResponseCodec.validate(b, 0, length).contains("leaderAddressLength 100 does not fit"));
        b.putShort(ClientAppResponseCodec.LEADER_ADDRESS_LENGTH_OFFSET, (short) 300, LITTLE_ENDIAN);
        assertTrue(ClientAppResponseCodec.validate(b, 0, 400).contains("leaderAddressLength 300 does not fit"));

        length = ClientAppResponseCodec.encode(b, 0, 1, ResultCode.OK, 0, ADDRESS, new byte[] {7});
        assertTrue(ClientAppResponseCodec.validate(b, 0, length + 2)
            .contains("payloadLength 1 does not match the body's 3"));
        b.putInt(ClientAppResponseCodec.LEADER_ADDRESS_OFFSET + ADDRESS.length, -5, LITTLE_ENDIAN);
        assertTrue(ClientAppResponseCodec.validate(b, 0, length).contains("payloadLength -5"));
        assertNotNull(FrameValidator.validateClientResponseBody(FrameType.CLIENT_APP_RESPONSE, b, 0, length));
    }
}
