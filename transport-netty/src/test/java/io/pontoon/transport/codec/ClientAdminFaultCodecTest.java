package io.pontoon.transport.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT_ADMIN_REQUEST FAULT: the plan's fields round-trip, with and without a partition group, and a body whose
 * fields are out of range or do not add up is malformed with a reason naming the field.
 */
class ClientAdminFaultCodecTest {
    private static final int OP = ClientAdminRequestCodec.OP_FAULT;
    private final UnsafeBuffer b = new UnsafeBuffer(new byte[8192]);

    @Test
    void aPlanWithAPartitionGroupRoundTrips() {
        final int length = ClientAdminRequestCodec.encodeFault(b, 0, 42, 3, 250_000, 50_000_000L, 5_000_000L,
            new int[] {3, 4});
        assertEquals(ClientAdminRequestCodec.faultLength(2), length);
        assertEquals(48, length);
        assertNull(ClientAdminRequestCodec.validate(b, 0, length));
        assertEquals(42, ClientAdminRequestCodec.correlationId(b, 0));
        assertEquals(OP, ClientAdminRequestCodec.op(b, 0));
        assertEquals("FAULT", ClientAdminRequestCodec.opName(OP));
        assertEquals(3, ClientAdminRequestCodec.arg(b, 0));
        assertTrue(ClientAdminRequestCodec.faultPartition(b, 0));
        assertEquals(250_000, ClientAdminRequestCodec.faultDropPpm(b, 0));
        assertEquals(50_000_000L, ClientAdminRequestCodec.faultDelayNs(b, 0));
        assertEquals(5_000_000L, ClientAdminRequestCodec.faultJitterNs(b, 0));
        assertEquals(2, ClientAdminRequestCodec.faultGroupSize(b, 0));
        assertEquals(3, ClientAdminRequestCodec.faultGroupMember(b, 0, 0));
        assertEquals(4, ClientAdminRequestCodec.faultGroupMember(b, 0, 1));
        assertFalse(ClientAdminRequestCodec.isMembershipOp(OP), "FAULT is answered without a configuration");
    }

    @Test
    void aPlanWithoutPartitionAndTheClearingPlanRoundTrip() {
        int length = ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 1_000_000, 0, 0, null);
        assertEquals(40, length);
        assertNull(ClientAdminRequestCodec.validate(b, 0, length));
        assertFalse(ClientAdminRequestCodec.faultPartition(b, 0));
        assertEquals(1_000_000, ClientAdminRequestCodec.faultDropPpm(b, 0));
        // an empty group is a partition that cuts the node off from every peer
        length = ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, 0, 0, new int[0]);
        assertNull(ClientAdminRequestCodec.validate(b, 0, length));
        assertTrue(ClientAdminRequestCodec.faultPartition(b, 0));
        assertEquals(0, ClientAdminRequestCodec.faultGroupSize(b, 0));
        length = ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, 0, 0, null);
        assertNull(ClientAdminRequestCodec.validate(b, 0, length));
    }

    @Test
    void faultBodiesOutOfRangeOrNotAddingUpAreMalformed() {
        int length = ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, 0, 0, null);
        assertContains(ClientAdminRequestCodec.validate(b, 0, 17), "FAULT body must be at least 40 bytes, got 17");
        assertContains(ClientAdminRequestCodec.validate(b, 0, length + 4), "does not match groupSize 0 (40 bytes)");

        ClientAdminRequestCodec.encodeFault(b, 0, 1, 0, 0, 0, 0, null);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "FAULT node id 0 is not in [1, 2147483647]");

        ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 1_000_001, 0, 0, null);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "dropPpm 1000001 is not in [0, 1000000]");
        ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, -1, 0, 0, null);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "dropPpm 4294967295");

        ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, -1, 0, null);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "delayNs -1 and jitterNs 0 must be in [0, "
            + "60000000000]");
        ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, 0, 60_000_000_001L, null);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "jitterNs 60000000001");

        ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, 0, 0, null);
        b.putByte(ClientAdminRequestCodec.FAULT_FLAGS_OFFSET, (byte) 0x3);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "flags 0x3 has bits other than PARTITION");

        length = ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, 0, 0, new int[] {1, 2});
        b.putByte(ClientAdminRequestCodec.FAULT_FLAGS_OFFSET, (byte) 0);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "groupSize 2 without the PARTITION flag");

        length = ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, 0, 0, new int[] {1, 0});
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "group member 1 is node id 0");
        length = ClientAdminRequestCodec.encodeFault(b, 0, 1, 2, 0, 0, 0, new int[] {1, 2});
        assertContains(ClientAdminRequestCodec.validate(b, 0, length - 4), "does not match groupSize 2 (48 bytes)");
        b.putShort(ClientAdminRequestCodec.FAULT_GROUP_SIZE_OFFSET, (short) 1025, ByteOrder.LITTLE_ENDIAN);
        assertContains(ClientAdminRequestCodec.validate(b, 0, length), "groupSize 1025 exceeds 1024");
    }

    @Test
    void theOpAfterFaultIsUnknown() {
        ClientAdminRequestCodec.encode(b, 0, 1, OP + 1, 1);
        assertContains(ClientAdminRequestCodec.validate(b, 0, ClientAdminRequestCodec.LENGTH), "unknown op 9");
    }

    private static void assertContains(String reason, String expected) {
        assertNotNull(reason, "expected a reason containing '" + expected + "'");
        assertTrue(reason.contains(expected), reason);
    }
}
