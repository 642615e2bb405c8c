package io.pontoon.transport.codec;

import io.pontoon.RaftStatus;
import io.pontoon.Role;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A leader's status carries each follower's replication progress, learners marked, and decodes to the same. */
class ClientStatusResponseCodecTest {
    private static final byte[] ADDRESS = "127.0.0.1:7001".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aLeadersFollowersRoundTripWithTheLearnerMarked() {
        final RaftStatus status = new RaftStatus(1, Role.LEADER, 4, 1, 90, 90, 100, 4, List.of(
            new RaftStatus.Follower(2, 100, 101, "REPLICATE", true),
            new RaftStatus.Follower(3, 40, 41, "SNAPSHOT", false)));
        final UnsafeBuffer b = new UnsafeBuffer(new byte[256]);
        final int length = ClientStatusResponseCodec.encode(b, 0, 77, status, ADDRESS);
        assertEquals(ClientStatusResponseCodec.encodedLength(status, ADDRESS), length);
        assertNull(ClientStatusResponseCodec.validate(b, 0, length));
        assertEquals(status, ClientStatusResponseCodec.status(b, 0));
        assertEquals("127.0.0.1:7001", ClientStatusResponseCodec.leaderAddress(b, 0));
        assertEquals(60, status.followers().get(1).lag(status.lastLogIndex()));
    }

    @Test
    void followerRecordsThatDoNotAddUpOrNameAnUnknownStateAreMalformed() {
        final RaftStatus status = new RaftStatus(1, Role.LEADER, 4, 1, 90, 90, 100, 4, List.of(
            new RaftStatus.Follower(2, 100, 101, "PROBE", true)));
        final UnsafeBuffer b = new UnsafeBuffer(new byte[256]);
        final int length = ClientStatusResponseCodec.encode(b, 0, 77, status, null);
        assertTrue(ClientStatusResponseCodec.validate(b, 0, length - 1).contains("do not match"));
        b.putByte(ClientStatusResponseCodec.HEADER_LENGTH + 20, (byte) 5);
        assertTrue(ClientStatusResponseCodec.validate(b, 0, length).contains("unknown state 5"));
    }
}
