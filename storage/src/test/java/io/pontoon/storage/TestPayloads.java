package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Deterministic payloads and bounded waits shared by the storage tests. */
final class TestPayloads {
    private TestPayloads() {
    }

    /** Payload of entry {@code index} as the crash test writes it: length and bytes derive from the index. */
    static byte[] forIndex(long index) {
        final int length = (int) ((index * 37) % 201);
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (index * 31 + i * 7);
        }
        return bytes;
    }

    static long termForIndex(long index) {
        return 1 + index / 500;
    }

    static void append(LogStore store, long index, long term, byte[] payload) {
        store.append(index, term, new UnsafeBuffer(payload), 0, payload.length);
    }

    /** Copies the entry out of the store, or null if the store does not hold it. */
    static byte[] read(LogStore store, long index) {
        final byte[][] out = new byte[1][];
        final boolean found = store.read(index, (i, term, buffer, offset, length) -> {
            out[0] = new byte[length];
            buffer.getBytes(offset, out[0]);
        });
        return found ? out[0] : null;
    }

    static long readTerm(LogStore store, long index) {
        final long[] out = {LogStore.NULL_VALUE};
        store.read(index, (i, term, buffer, offset, length) -> out[0] = term);
        return out[0];
    }

    static DirectBuffer buffer(byte[] bytes) {
        return new UnsafeBuffer(bytes);
    }

    /**
     * Polls {@code durableIndex()} (on the calling thread, which acts as the Raft thread) until it reaches
     * {@code index}; fails after {@code timeoutSeconds}. Parks briefly between polls; no sleeps.
     */
    static void awaitDurable(LogStore store, long index, long timeoutSeconds) {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long durable;
        while ((durable = store.durableIndex()) < index) {
            if (System.nanoTime() > deadlineNs) {
                throw new AssertionError("durableIndex stayed at " + durable + ", expected " + index
                    + " within " + timeoutSeconds + " s");
            }
            LockSupport.parkNanos(50_000);
        }
    }
}
