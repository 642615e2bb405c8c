package io.pontoon;

import org.agrona.DirectBuffer;

import java.io.IOException;

/**
 * A small, real {@link StateMachine}: a count of the payloads applied and a running 64-bit hash over them, in log
 * order. Two nodes that applied the same committed entries hold the same count and hash, whatever snapshots they
 * restored in between, which makes it the state machine of {@code ./pontoon demo} and {@code ./pontoon node}, and
 * a check for tests. Its snapshot is 24 bytes: index, count, hash.
 *
 * <p>Reads ({@link #count()}, {@link #hash()}, {@link #index()}) are safe from any thread.
 */
public final class HashingStateMachine implements StateMachine {
    private volatile long count;
    private volatile long hash;
    private volatile long index;

    @Override
    public void apply(CommittedEntries entries) {
        long c = count;
        long h = hash;
        long last = index;
        while (entries.next()) {
            if (entries.index() <= last) {
                throw new IllegalStateException("entry " + entries.index() + " delivered after entry " + last);
            }
            h = mix(h, entries.buffer(), entries.offset(), entries.length());
            c++;
            last = entries.index();
        }
        // One publication per batch: readers see a state that belongs to some index.
        hash = h;
        count = c;
        index = last;
    }

    @Override
    public void takeSnapshot(SnapshotWriter writer) {
        writer.writeLong(writer.index());
        writer.writeLong(count);
        writer.writeLong(hash);
    }

    @Override
    public void restore(SnapshotReader reader) throws IOException {
        final long at = reader.readLong();
        final long c = reader.readLong();
        final long h = reader.readLong();
        if (at != reader.index()) {
            throw new IOException("snapshot content is for index " + at + " but its metadata says " + reader.index());
        }
        hash = h;
        count = c;
        index = at;
    }

    /** Payloads applied (including those a restored snapshot accounts for). */
    public long count() {
        return count;
    }

    /** Running hash over every payload applied, in log order. */
    public long hash() {
        return hash;
    }

    /** Log index of the last entry applied (or of the snapshot restored). */
    public long index() {
        return index;
    }

    /** FNV-1a over the payload, folded into the running hash with a 64-bit mix. */
    public static long mix(long running, DirectBuffer buffer, int offset, int length) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++) {
            h ^= buffer.getByte(offset + i) & 0xFF;
            h *= 0x100000001b3L;
        }
        long z = running * 0x9E3779B97F4A7C15L + h;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
