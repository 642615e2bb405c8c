package io.pontoon.memory;

import io.pontoon.spi.LogStore;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * A {@link LogStore} in heap memory, in chunks of {@value #CHUNK_ENTRIES} entries that are recycled
 * after truncation or compaction, so a steady append/compact cycle allocates nothing.
 *
 * <p>Durability is modelled, not real: with {@code autoDurable} every append is durable at once;
 * otherwise entries become durable on {@link #persistUpTo(long)} / {@link #persistAll()}, and
 * {@link #crash()} drops what was not durable (the simulator's disk model).
 */
public final class InMemoryLogStore implements LogStore {
    static final int CHUNK_ENTRIES = 1024;

    private static final class Chunk {
        final long[] terms;
        final int[] offsets;
        final int[] lengths;
        final byte[] kinds;
        final ExpandableArrayBuffer data = new ExpandableArrayBuffer(4096);
        int writePosition;

        Chunk(int entries) {
            terms = new long[entries];
            offsets = new int[entries];
            lengths = new int[entries];
            kinds = new byte[entries];
        }
    }

    private final ArrayList<Chunk> chunks = new ArrayList<>();
    private final ArrayDeque<Chunk> pool = new ArrayDeque<>();
    private final boolean autoDurable;
    /** Entries per chunk: compaction ({@link #deleteBefore}) frees whole chunks. */
    private final int chunkEntries;
    private long chunkBaseIndex = 1;
    private long lastIndex;
    private long durableIndex;
    /** Term of the entry just below the first held one (known after compaction), else NULL. */
    private long compactedTerm = NULL_VALUE;

    public InMemoryLogStore() {
        this(true);
    }

    public InMemoryLogStore(boolean autoDurable) {
        this(autoDurable, CHUNK_ENTRIES);
    }

    /** {@code chunkEntries}: compaction granularity (the simulator uses small chunks to compact often). */
    public InMemoryLogStore(boolean autoDurable, int chunkEntries) {
        if (chunkEntries < 1) {
            throw new IllegalArgumentException("chunkEntries must be >= 1, got " + chunkEntries);
        }
        this.autoDurable = autoDurable;
        this.chunkEntries = chunkEntries;
    }

    @Override
    public long firstIndex() {
        return Math.max(chunkBaseIndex, 1);
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public long lastTerm() {
        return termAt(lastIndex);
    }

    @Override
    public long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index > lastIndex || index < chunkBaseIndex - 1) {
            return NULL_VALUE;
        }
        if (index == chunkBaseIndex - 1) {
            return compactedTerm;
        }
        final long rel = index - chunkBaseIndex;
        return chunks.get((int) (rel / chunkEntries)).terms[(int) (rel % chunkEntries)];
    }

    @Override
    public int payloadLength(long index) {
        if (index < chunkBaseIndex || index > lastIndex) {
            return -1;
        }
        final long rel = index - chunkBaseIndex;
        return chunks.get((int) (rel / chunkEntries)).lengths[(int) (rel % chunkEntries)];
    }

    @Override
    public void append(long index, long term, DirectBuffer src, int offset, int length) {
        append(index, term, KIND_DATA, src, offset, length);
    }

    @Override
    public int kindAt(long index) {
        if (index < chunkBaseIndex || index > lastIndex) {
            return KIND_DATA;
        }
        final long rel = index - chunkBaseIndex;
        return chunks.get((int) (rel / chunkEntries)).kinds[(int) (rel % chunkEntries)];
    }

    @Override
    public void append(long index, long term, int kind, DirectBuffer src, int offset, int length) {
        if (kind != KIND_DATA && kind != KIND_CONFIGURATION) {
            throw new IllegalArgumentException("unknown entry kind " + kind);
        }
        if (index != lastIndex + 1) {
            throw new IllegalStateException("append at index " + index + " but lastIndex is " + lastIndex);
        }
        if (lastIndex == 0 && chunks.isEmpty() && compactedTerm == NULL_VALUE) {
            chunkBaseIndex = 1;
        }
        final long rel = index - chunkBaseIndex;
        final int chunkNo = (int) (rel / chunkEntries);
        final int slot = (int) (rel % chunkEntries);
        if (chunkNo == chunks.size()) {
            chunks.add(newChunk());
        }
        final Chunk c = chunks.get(chunkNo);
        c.terms[slot] = term;
        c.offsets[slot] = c.writePosition;
        c.lengths[slot] = length;
        c.kinds[slot] = (byte) kind;
        c.data.putBytes(c.writePosition, src, offset, length);
        c.writePosition += length;
        lastIndex = index;
        if (autoDurable) {
            durableIndex = index;
        }
    }

    private Chunk newChunk() {
        final Chunk c = pool.pollFirst();
        if (c != null) {
            c.writePosition = 0;
            return c;
        }
        return new Chunk(chunkEntries);
    }

    @Override
    public void truncateFrom(long fromIndex) {
        if (fromIndex > lastIndex) {
            return;
        }
        if (fromIndex < chunkBaseIndex) {
            throw new IllegalStateException("truncateFrom(" + fromIndex + ") below first held index " + chunkBaseIndex);
        }
        final long rel = fromIndex - chunkBaseIndex;
        final int chunkNo = (int) (rel / chunkEntries);
        final int slot = (int) (rel % chunkEntries);
        while (chunks.size() > chunkNo + 1) {
            pool.addLast(chunks.remove(chunks.size() - 1));
        }
        final Chunk c = chunks.get(chunkNo);
        if (slot == 0) {
            pool.addLast(chunks.remove(chunkNo));
        } else {
            c.writePosition = c.offsets[slot];
        }
        lastIndex = fromIndex - 1;
        durableIndex = Math.min(durableIndex, lastIndex);
    }

    @Override
    public boolean read(long index, EntryReader reader) {
        if (index < chunkBaseIndex || index > lastIndex) {
            return false;
        }
        final long rel = index - chunkBaseIndex;
        final Chunk c = chunks.get((int) (rel / chunkEntries));
        final int slot = (int) (rel % chunkEntries);
        reader.onEntry(index, c.terms[slot], c.data, c.offsets[slot], c.lengths[slot]);
        return true;
    }

    @Override
    public long durableIndex() {
        return durableIndex;
    }

    /** Marks every entry up to {@code index} (capped at lastIndex) durable. */
    public void persistUpTo(long index) {
        durableIndex = Math.max(durableIndex, Math.min(index, lastIndex));
    }

    public void persistAll() {
        durableIndex = lastIndex;
    }

    /** Simulates a process crash: every entry that was not durable is gone. */
    public void crash() {
        if (durableIndex < lastIndex) {
            truncateFrom(Math.max(durableIndex + 1, chunkBaseIndex));
        }
    }

    @Override
    public void deleteBefore(long index) {
        while (chunks.size() > 1 && chunkBaseIndex + chunkEntries <= Math.min(index, lastIndex)) {
            final Chunk c = chunks.remove(0);
            compactedTerm = c.terms[chunkEntries - 1];
            pool.addLast(c);
            chunkBaseIndex += chunkEntries;
        }
    }

    /** Discards every entry; the log restarts after {@code index} (of {@code term}), durable at once. */
    @Override
    public void resetTo(long index, long term) {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("resetTo(" + index + ", " + term + "): index and term must be >= 1");
        }
        while (!chunks.isEmpty()) {
            pool.addLast(chunks.remove(chunks.size() - 1));
        }
        chunkBaseIndex = index + 1;
        lastIndex = index;
        compactedTerm = term;
        durableIndex = index;
    }

    @Override
    public void close() {
    }
}
