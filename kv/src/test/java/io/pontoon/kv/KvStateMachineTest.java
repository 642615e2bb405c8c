package io.pontoon.kv;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KvStateMachine} on hand-made committed entries: what each command does, that a retried command is applied
 * at most once, how a client's acknowledgements and the bound on clients forget outcomes, and that a snapshot restores
 * the map and the exactly-once table.
 */
class KvStateMachineTest {
    private final KvStateMachine sm = new KvStateMachine();
    private long index;

    /** A put from a client that has acknowledged nothing yet (firstUnacked 1). */
    private static byte[] put(long client, long seq, String key, String value) {
        return KvCodec.encode(new KvCommand(KvCodec.PUT, client, seq, 1, key, null, value));
    }

    private static byte[] delete(long client, long seq, String key) {
        return KvCodec.encode(new KvCommand(KvCodec.DELETE, client, seq, 1, key, null, null));
    }

    private static byte[] cas(long client, long seq, long firstUnacked, String key, String expected, String value) {
        return KvCodec.encode(new KvCommand(KvCodec.CAS, client, seq, firstUnacked, key, expected, value));
    }

    /** Applies one entry and returns the outcome its waiter got. */
    private KvResult apply(KvStateMachine target, byte[] entry) {
        final KvCommand c = KvCodec.decode(java.nio.ByteBuffer.wrap(entry));
        final CompletableFuture<KvResult> outcome = target.awaitOutcome(c.clientId(), c.sequence());
        target.apply(new Entries(++index, List.of(entry)));
        assertTrue(outcome.isDone(), "applying " + c.describe() + " settles its waiter");
        return outcome.join();
    }

    private KvResult apply(byte[] entry) {
        return apply(sm, entry);
    }

    @Test
    void putGetDeleteAndCasDoWhatTheySay() {
        assertEquals(KvResult.NOT_FOUND, sm.get("k"));
        assertEquals(KvResult.OK, apply(put(1, 1, "k", "a")));
        assertEquals(KvResult.value("a"), sm.get("k"));
        assertEquals(KvResult.casFailed("a"), apply(cas(1, 2, 2, "k", "x", "b")), "cas names the value it found");
        assertEquals("a", sm.localGet("k"));
        assertEquals(KvResult.OK, apply(cas(1, 3, 3, "k", "a", "b")));
        assertEquals("b", sm.localGet("k"));
        assertEquals(KvResult.OK, apply(delete(1, 4, "k")));
        assertEquals(KvResult.NOT_FOUND, apply(delete(1, 5, "k")), "deleting an absent key finds nothing");
        assertEquals(KvResult.casFailed(null), apply(cas(1, 6, 6, "k", "a", "c")), "absent is found as null");
        assertEquals(KvResult.OK, apply(cas(1, 7, 7, "k", null, "c")), "expected null: set if absent");
        assertEquals("c", sm.localGet("k"));
        assertEquals(7, sm.lastApplied());
        assertEquals(1, sm.size());
    }

    @Test
    void aRetriedCasIsAppliedOnceAndAnsweredWithItsFirstOutcome() {
        apply(put(1, 1, "k", "a"));
        assertEquals(KvResult.OK, apply(cas(2, 1, 1, "k", "a", "b")));
        apply(put(1, 2, "k", "a")); // another client puts "a" back
        // client 2's retry of the same cas (its answer was lost): not applied again, same answer
        assertEquals(KvResult.OK, apply(cas(2, 1, 1, "k", "a", "b")));
        assertEquals("a", sm.localGet("k"), "a cas applied twice would have swapped a second time");
        // a retry of a put after someone else wrote does not overwrite their write either
        apply(put(3, 1, "j", "mine"));
        apply(put(1, 3, "j", "theirs"));
        assertEquals(KvResult.OK, apply(put(3, 1, "j", "mine")));
        assertEquals("theirs", sm.localGet("j"));
    }

    @Test
    void outcomesBelowWhatTheClientAcknowledgedAreForgottenAndTheirCommandsDoNothing() {
        apply(put(1, 1, "k", "a"));
        assertEquals(KvResult.OK, apply(cas(1, 2, 1, "k", "a", "b")));
        // sequence 3 says the client has its answers below 3: a late copy of sequence 1 or 2 is expired, not applied
        assertEquals(KvResult.OK, apply(cas(1, 3, 3, "k", "b", "c")));
        assertEquals(KvResult.EXPIRED, apply(put(1, 1, "k", "a")));
        assertEquals(KvResult.EXPIRED, apply(cas(1, 2, 1, "k", "c", "z")));
        assertEquals("c", sm.localGet("k"));
        // outcomes at or above the floor are still kept
        assertEquals(KvResult.OK, apply(cas(1, 3, 3, "k", "b", "c")));
    }

    @Test
    void theLeastRecentlyActiveClientIsForgottenFirstTheSameWayEverywhere() {
        final KvStateMachine small = new KvStateMachine(2);
        apply(small, put(1, 1, "a", "1"));
        apply(small, put(2, 1, "b", "1"));
        apply(small, put(1, 2, "a", "2")); // client 1 active again: client 2 is now the eldest
        apply(small, put(3, 1, "c", "1")); // a third client: client 2 is forgotten
        apply(small, put(1, 3, "a", "3"));
        // client 1 is remembered: its retry is answered, not applied
        apply(small, put(9, 1, "a", "other"));
        assertEquals(KvResult.OK, apply(small, put(1, 2, "a", "2")));
        assertEquals("other", small.localGet("a"));
        // client 2 was forgotten: its retry is applied again (the documented limit of maxClients)
        apply(small, put(8, 1, "b", "other"));
        apply(small, put(2, 1, "b", "1"));
        assertEquals("1", small.localGet("b"));
        assertThrows(IllegalArgumentException.class, () -> new KvStateMachine(0));
    }

    @Test
    void entriesThatAreNotKeyValueWritesAreSkipped() {
        final byte[] get = KvCodec.encode(new KvCommand(KvCodec.GET, 0, 0, 0, "k", null, null));
        sm.apply(new Entries(1, List.of("hello".getBytes(StandardCharsets.US_ASCII), get, put(1, 1, "k", "v"))));
        assertEquals(2, sm.skippedEntries());
        assertEquals("v", sm.localGet("k"));
        assertEquals(3, sm.lastApplied());
        assertThrows(IllegalStateException.class, () -> sm.apply(new Entries(3, List.of(put(1, 2, "k", "w")))),
            "an index delivered twice is a bug of the caller");
    }

    private static byte[] snapshot(KvStateMachine from, long at) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        from.writeState(out, at);
        out.flush();
        return bytes.toByteArray();
    }

    private static void restore(KvStateMachine into, byte[] snapshot, long at) throws IOException {
        into.readState(new DataInputStream(new ByteArrayInputStream(snapshot)), at);
    }

    @Test
    void aSnapshotRestoresTheMapAndTheExactlyOnceTable() throws IOException {
        apply(put(1, 1, "k", "a"));
        apply(put(1, 2, "gone", "x"));
        apply(delete(1, 3, "gone"));
        assertEquals(KvResult.OK, apply(cas(2, 5, 5, "k", "a", "b")));
        apply(put(3, 1, "unicode ключ", "värde ✓"));
        final byte[] image = snapshot(sm, index);

        final KvStateMachine restored = new KvStateMachine();
        // a waiter for a command the snapshot already holds gets its outcome (its entry will not come)
        final CompletableFuture<KvResult> waiting = restored.awaitOutcome(2, 5);
        restore(restored, image, index);
        assertEquals(KvResult.OK, waiting.getNow(null));
        assertEquals(index, restored.lastApplied());
        assertEquals(sm.digest(), restored.digest(), "the same map, the same digest");
        assertEquals(KvResult.value("b"), restored.get("k"));
        assertEquals("värde ✓", restored.localGet("unicode ключ"));
        assertNull(restored.localGet("gone"));
        assertEquals(2, restored.size());
        // the retried cas is still deduplicated after the restore
        apply(restored, put(9, 1, "k", "a"));
        assertTrue(sm.digest() != restored.digest(), "another value, another digest");
        assertEquals(KvResult.OK, apply(restored, cas(2, 5, 5, "k", "a", "b")));
        assertEquals("a", restored.localGet("k"));
        // both sides write the same image: the state is the same, in the same order
        final KvStateMachine again = new KvStateMachine();
        restore(again, snapshot(restored, index), index);
        assertTrue(Arrays.equals(snapshot(restored, index), snapshot(again, index)));
    }

    @Test
    void aDamagedOrMisfiledSnapshotIsRefusedNamingWhy() throws IOException {
        apply(put(1, 1, "k", "a"));
        final byte[] image = snapshot(sm, index);
        final KvStateMachine other = new KvStateMachine();
        IOException e = assertThrows(IOException.class, () -> restore(other, image, index + 1));
        assertTrue(e.getMessage().contains("is for index 1 but its metadata says 2"), e.getMessage());
        assertThrows(EOFException.class, () -> restore(other, Arrays.copyOf(image, image.length - 6), index));
        final byte[] bad = image.clone();
        bad[0] ^= 1;
        e = assertThrows(IOException.class, () -> restore(other, bad, index));
        assertTrue(e.getMessage().contains("not a key-value snapshot"), e.getMessage());
        assertEquals(0, other.size(), "a refused snapshot leaves the state as it was");
    }

    @Test
    void anAbandonedWaitFailsWithTheCauseAndALaterApplyFindsNoWaiter() {
        final CompletableFuture<KvResult> w = sm.awaitOutcome(1, 1);
        assertTrue(w == sm.awaitOutcome(1, 1), "two tries of one command share one waiter");
        sm.abandon(1, 1, w, new IllegalStateException("not leader"));
        assertTrue(w.isCompletedExceptionally());
        sm.apply(new Entries(1, List.of(put(1, 1, "k", "v"))));
        assertEquals("v", sm.localGet("k"));
        assertFalse(sm.awaitOutcome(1, 1).isDone(), "a new wait is a new waiter");
    }
}
