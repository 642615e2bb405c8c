package io.pontoon.spi;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MembershipTest {
    private static final Membership THREE = Membership.of(new int[] {3, 1, 2}, new int[] {4},
        Map.of(1, "a:1", 2, "b:2", 3, "c:3", 4, "d:4"));

    @Test
    void encodesAndDecodesEveryField() {
        assertEquals(THREE, Membership.decode(THREE.encode()));
        final Membership joint = THREE.jointTo(Membership.of(new int[] {1, 5, 6}, new int[] {4}, Map.of(5, "e:5")));
        final Membership back = Membership.decode(joint.encode());
        assertEquals(joint, back);
        assertArrayEquals(new int[] {1, 5, 6}, back.voters());
        assertArrayEquals(new int[] {1, 2, 3}, back.outgoingVoters());
        assertEquals("b:2", back.address(2), "an outgoing voter keeps its address while joint");
        assertEquals(Map.of(1, "a:1", 4, "d:4", 5, "e:5"), back.leaveJoint().addresses());
    }

    @Test
    void changesKeepRolesAndAddressesConsistent() {
        assertArrayEquals(new int[] {1, 2, 3, 4}, THREE.withVoter(4, null).voters(), "a learner promoted");
        assertEquals("d:4", THREE.withVoter(4, null).address(4));
        assertFalse(THREE.without(2).addresses().containsKey(2));
        assertTrue(THREE.withLearner(7, "g:7").isLearner(7));
        assertThrows(IllegalArgumentException.class, () -> THREE.withLearner(1, "x:1"), "already a voter");
        assertThrows(IllegalArgumentException.class, () -> THREE.without(9), "not a member");
        assertThrows(IllegalArgumentException.class, () -> Membership.of(new int[0], new int[] {1}), "no voter");
        assertThrows(IllegalArgumentException.class, () -> Membership.of(new int[] {1, 1}, new int[0]));
        assertEquals(2, Membership.of(new int[] {1, 2, 3}, new int[0]).votersChangedFrom(
            Membership.of(new int[] {1, 2, 4}, new int[0])));
    }

    @Test
    void malformedBytesAreRefusedWithTheReason() {
        final byte[] bytes = THREE.encode();
        final IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
            () -> Membership.decode(new UnsafeBuffer(bytes), 0, bytes.length - 3));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        final byte[] twice = Membership.of(new int[] {1, 2}, new int[0], Map.of(1, "a:1", 2, "b:2")).encode();
        final int second = twice.length - 9; // the last entry: id i32, length u16, "b:2"
        twice[second] = 1; // now both addresses are for node 1
        final IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
            () -> Membership.decode(twice));
        assertTrue(duplicate.getMessage().contains("two addresses"), duplicate.getMessage());
        bytes[0] = 9;
        final IllegalArgumentException version = assertThrows(IllegalArgumentException.class,
            () -> Membership.decode(bytes));
        assertTrue(version.getMessage().contains("version 9"), version.getMessage());
    }
}
