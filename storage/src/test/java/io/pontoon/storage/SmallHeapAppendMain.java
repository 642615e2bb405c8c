package io.pontoon.storage;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Child process of {@link SmallHeapAppendTest}: appends {@code args[1]} entries of 64 bytes through a
 * PAGE_CACHE {@link ChronicleLogStore} in {@code args[0]}, reading termAt/lastTerm as the engine does on every
 * append, never compacting, then prints {@code DONE last=<lastIndex>}. Run with a small fixed heap: an index that
 * grew on the heap with the log would end in OutOfMemoryError.
 */
public final class SmallHeapAppendMain {
    private SmallHeapAppendMain() {
    }

    public static void main(String[] args) {
        final long entries = Long.parseLong(args[1]);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        long checksum = 0;
        try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(Path.of(args[0]))
            .durability(Durability.PAGE_CACHE).build())) {
            for (long i = 1; i <= entries; i++) {
                final long term = 1 + i / 1_000_000;
                // What the engine does per AppendEntries: check the previous entry's term, then append.
                if (store.termAt(i - 1) > term || store.lastTerm() > term) {
                    throw new AssertionError("term went backwards at " + i);
                }
                payload.putLong(0, i);
                store.append(i, term, payload, 0, 64);
                if ((i & 0xffff) == 0) {
                    // Keep the journal thread within a few batches (and drain its position reports).
                    while (store.durableIndex() < i - 0x8000) {
                        LockSupport.parkNanos(100_000);
                    }
                    // An old entry, read back from the mapped journal (far outside the 16 MiB cache).
                    final long old = i / 2;
                    store.read(old, (idx, t, buffer, offset, length) -> {
                        if (buffer.getLong(offset) != idx) {
                            throw new AssertionError("entry " + idx + " read back wrong");
                        }
                    });
                    checksum += store.termAt(old);
                }
            }
            System.out.println("DONE last=" + store.lastIndex() + " check=" + checksum);
        }
        System.out.flush();
    }
}
