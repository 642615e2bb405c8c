package io.pontoon.storage;

import io.pontoon.spi.LogStore;

/**
 * The Raft thread's in-memory view of the log: for each held index its term, payload length, where it sits in
 * the journal (Chronicle queue index, known once the journal thread reports it) and in the recent-entry cache.
 * termAt/lastIndex/payloadLength are O(1) array reads with no I/O.
 *
 * <p>Slots are addressed by {@code index & mask} in power-of-two arrays that double when the held range fills
 * them, so compaction is just moving {@link #firstIndex()} and steady-state append allocates nothing.
 *
 * <p>Owned by one thread (the Raft thread, or the opening thread during replay); not thread-safe.
 */
final class LogIndex {
    private static final int INITIAL_CAPACITY = 1024;

    private long[] terms;
    private long[] queueIndexes;
    private long[] appendSeqs;
    private long[] cachePositions;
    private int[] lengths;
    private int mask;

    private long firstIndex = 1;
    private long lastIndex;
    /** Term of the entry at firstIndex - 1 when known (after compaction in this session), else NULL_VALUE. */
    private long compactedTerm = LogStore.NULL_VALUE;

    LogIndex() {
        allocate(INITIAL_CAPACITY);
    }

    private void allocate(int capacity) {
        terms = new long[capacity];
        queueIndexes = new long[capacity];
        appendSeqs = new long[capacity];
        cachePositions = new long[capacity];
        lengths = new int[capacity];
        mask = capacity - 1;
    }

    long firstIndex() {
        return firstIndex;
    }

    long lastIndex() {
        return lastIndex;
    }

    boolean isEmpty() {
        return lastIndex < firstIndex;
    }

    boolean holds(long index) {
        return index >= firstIndex && index <= lastIndex;
    }

    long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (holds(index)) {
            return terms[slot(index)];
        }
        if (index == firstIndex - 1 && index <= lastIndex) {
            return compactedTerm;
        }
        return LogStore.NULL_VALUE;
    }

    int length(long index) {
        return lengths[slot(index)];
    }

    long queueIndex(long index) {
        return queueIndexes[slot(index)];
    }

    long appendSeq(long index) {
        return appendSeqs[slot(index)];
    }

    long cachePosition(long index) {
        return cachePositions[slot(index)];
    }

    void queueIndex(long index, long queueIndex) {
        queueIndexes[slot(index)] = queueIndex;
    }

    /**
     * Adds the entry after the last one. If the log is empty the entry may start anywhere (replay of a compacted
     * journal); otherwise {@code index} must be {@code lastIndex + 1}, which the caller checks.
     */
    void add(long index, long term, int length, long queueIndex, long appendSeq, long cachePosition) {
        if (isEmpty()) {
            firstIndex = index;
            compactedTerm = LogStore.NULL_VALUE;
        } else if (index - firstIndex >= terms.length) {
            grow();
        }
        final int slot = slot(index);
        terms[slot] = term;
        lengths[slot] = length;
        queueIndexes[slot] = queueIndex;
        appendSeqs[slot] = appendSeq;
        cachePositions[slot] = cachePosition;
        lastIndex = index;
    }

    /** Drops every entry {@code >= fromIndex}; if that is all of them the empty log restarts at fromIndex. */
    void truncateFrom(long fromIndex) {
        if (fromIndex > lastIndex) {
            return;
        }
        if (fromIndex < firstIndex) {
            // Only replay gets here (a TRUNCATE below the oldest retained file): the log restarts empty.
            firstIndex = fromIndex;
            compactedTerm = LogStore.NULL_VALUE;
        }
        lastIndex = fromIndex - 1;
    }

    /** Forgets entries below {@code newFirstIndex} (held, and at most lastIndex), remembering the term below. */
    void dropBefore(long newFirstIndex) {
        compactedTerm = terms[slot(newFirstIndex - 1)];
        firstIndex = newFirstIndex;
    }

    private void grow() {
        final long[] oldTerms = terms;
        final long[] oldQueue = queueIndexes;
        final long[] oldSeqs = appendSeqs;
        final long[] oldCache = cachePositions;
        final int[] oldLengths = lengths;
        final int oldMask = mask;
        allocate(terms.length * 2);
        for (long i = firstIndex; i <= lastIndex; i++) {
            final int from = (int) (i & oldMask);
            final int to = slot(i);
            terms[to] = oldTerms[from];
            queueIndexes[to] = oldQueue[from];
            appendSeqs[to] = oldSeqs[from];
            cachePositions[to] = oldCache[from];
            lengths[to] = oldLengths[from];
        }
    }

    private int slot(long index) {
        return (int) (index & mask);
    }
}
