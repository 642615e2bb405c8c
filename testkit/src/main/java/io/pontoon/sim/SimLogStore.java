package io.pontoon.sim;

import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.spi.LogStore;
import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * The simulated disk of one node: an {@link InMemoryLogStore} that is never auto-durable, plus what the
 * checker needs to see without reading payloads back: per index the payload hash, the proposal id and the
 * append sequence number (which "write" produced the entry, for the disk model), and a count of
 * truncations that removed entries (for the leader append-only check).
 *
 * <p>Disk model: every append is a write queued to the disk; {@link #persistWritesUpTo(long)} makes the
 * writes up to a sequence number durable, in order, never an entry written after them (a truncation
 * followed by a re-append is a new write). {@link #crash()} loses what was not durable.
 */
public final class SimLogStore implements LogStore {
    /** Receives every append, before it is visible; used for the incremental log matching check. */
    interface AppendObserver {
        void onAppend(int nodeId, long index, long term, long prevTerm, long hash, long proposalId);

        /** Called before entries {@code fromIndex..lastIndex} are removed (not called for a crash). */
        void onTruncate(int nodeId, long fromIndex, long lastIndex);

        /** Called before a configuration entry is appended (and before {@link #onAppend} for it). */
        default void onConfigurationAppend(int nodeId, long index, long term, io.pontoon.spi.Membership next) {
        }
    }

    /** Small chunks, so compaction after a snapshot frees entries even in short runs. */
    private final InMemoryLogStore store = new InMemoryLogStore(false, 4);
    private final int nodeId;
    private final AppendObserver observer;
    private long[] hashes = new long[64];
    private long[] ids = new long[64];
    private long[] writeSeqs = new long[64];
    private long writeSeq;
    private long truncations;
    private long resets;
    /** Mutant for checker tests: reports every written entry as durable, as a journal that skips its sync. */
    boolean lieAboutDurability;

    SimLogStore(int nodeId, AppendObserver observer) {
        this.nodeId = nodeId;
        this.observer = observer;
    }

    @Override
    public long firstIndex() {
        return store.firstIndex();
    }

    @Override
    public long lastIndex() {
        return store.lastIndex();
    }

    @Override
    public long lastTerm() {
        return store.lastTerm();
    }

    @Override
    public long termAt(long index) {
        return store.termAt(index);
    }

    @Override
    public int payloadLength(long index) {
        return store.payloadLength(index);
    }

    @Override
    public void append(long index, long term, DirectBuffer src, int offset, int length) {
        append(index, term, KIND_DATA, src, offset, length);
    }

    @Override
    public int kindAt(long index) {
        return store.kindAt(index);
    }

    @Override
    public void append(long index, long term, int kind, DirectBuffer src, int offset, int length) {
        final long prevTerm = store.termAt(index - 1);
        if (kind == KIND_CONFIGURATION && observer != null) {
            observer.onConfigurationAppend(nodeId, index, term, io.pontoon.spi.Membership.decode(src, offset, length));
        }
        store.append(index, term, kind, src, offset, length);
        final int i = (int) index;
        if (i >= hashes.length) {
            final int size = Math.max(i + 1, hashes.length * 2);
            hashes = Arrays.copyOf(hashes, size);
            ids = Arrays.copyOf(ids, size);
            writeSeqs = Arrays.copyOf(writeSeqs, size);
        }
        final long hash = Payloads.hash(src, offset, length);
        final long id = kind == KIND_CONFIGURATION ? Payloads.CONFIGURATION_ID : Payloads.idOf(src, offset, length);
        hashes[i] = hash;
        ids[i] = id;
        writeSeqs[i] = ++writeSeq;
        if (observer != null) {
            observer.onAppend(nodeId, index, term, prevTerm, hash, id);
        }
    }

    @Override
    public void truncateFrom(long fromIndex) {
        if (fromIndex <= store.lastIndex()) {
            truncations++;
            if (observer != null) {
                observer.onTruncate(nodeId, fromIndex, store.lastIndex());
            }
        }
        store.truncateFrom(fromIndex);
    }

    @Override
    public boolean read(long index, EntryReader reader) {
        return store.read(index, reader);
    }

    /** What the engine is told is durable; the truth, for the checker, is {@link #durableOnDisk()}. */
    @Override
    public long durableIndex() {
        return lieAboutDurability ? store.lastIndex() : store.durableIndex();
    }

    /** Highest index that is really on the disk (survives a crash), whatever the store reports. */
    public long durableOnDisk() {
        return store.durableIndex();
    }

    @Override
    public void deleteBefore(long index) {
        store.deleteBefore(index);
    }

    /** Snapshot install or start-up: entries from {@code index} on (if held) are reported as removed. */
    @Override
    public void resetTo(long index, long term) {
        final long last = store.lastIndex();
        final long from = Math.max(index, store.firstIndex());
        if (from <= last && observer != null) {
            observer.onTruncate(nodeId, from, last);
        }
        store.resetTo(index, term);
        resets++;
    }

    /** Times the log was reset after a snapshot. */
    long resets() {
        return resets;
    }

    @Override
    public void close() {
    }

    /** Hash of the payload at {@code index}, or 0 if this log holds no entry there. */
    public long hashAt(long index) {
        return index >= store.firstIndex() && index <= store.lastIndex() ? hashes[(int) index] : 0;
    }

    /** Proposal id of the entry at {@code index} (see {@link Payloads#idOf}); meaningful only if held. */
    public long proposalIdAt(long index) {
        return ids[(int) index];
    }

    /** Sequence number of the latest write (append); writes up to it may still be in flight to the disk. */
    long writeSeq() {
        return writeSeq;
    }

    /** Truncations that removed at least one entry, ever. */
    long truncations() {
        return truncations;
    }

    /** The disk finished the writes up to {@code seq}: entries written by them become durable, in order. */
    boolean persistWritesUpTo(long seq) {
        long durable = store.durableIndex();
        final long last = store.lastIndex();
        final long before = durable;
        while (durable < last && writeSeqs[(int) (durable + 1)] <= seq) {
            durable++;
        }
        if (durable > before) {
            store.persistUpTo(durable);
            return true;
        }
        return false;
    }

    /** Every entry becomes durable (a test preloading a log). */
    public void persistAll() {
        store.persistAll();
    }

    /** Process crash: entries not durable are gone. */
    void crash() {
        store.crash();
    }

    /**
     * Process crash that tears the unsynced tail: the first {@code survivors} entries after the durable index
     * happened to reach the disk (page-cache writeback, or a kill that keeps the page cache), the rest are
     * lost, as a journal recovering to its last whole record would find them. 0 is {@link #crash()}.
     */
    void crashKeeping(long survivors) {
        final long keep = Math.min(store.lastIndex(), store.durableIndex() + Math.max(0, survivors));
        if (keep > store.durableIndex()) {
            store.persistUpTo(keep);
        }
        store.crash();
    }

    /** Entries written but not yet durable on the disk. */
    long unsyncedCount() {
        return store.lastIndex() - store.durableIndex();
    }

    /** A faulty disk for checker tests: loses entries from {@code fromIndex} on even if durable. */
    void crashLosingEverythingFrom(long fromIndex) {
        store.truncateFrom(fromIndex);
    }

    /** Appends a preloaded entry (see {@link Payloads#preloaded}), as a test building Figure 7 does. */
    public void appendPreloaded(long term) {
        final byte[] bytes = Payloads.preloaded(store.lastIndex() + 1, term);
        append(store.lastIndex() + 1, term, new org.agrona.concurrent.UnsafeBuffer(bytes), 0, bytes.length);
    }

    /** Terms of entries 1..lastIndex, for assertions and reports. */
    public long[] terms() {
        final long[] terms = new long[(int) store.lastIndex()];
        for (int i = 0; i < terms.length; i++) {
            terms[i] = store.termAt(i + 1);
        }
        return terms;
    }
}
