package io.pontoon.engine;

/**
 * Proposals accepted by this node as leader whose outcome is not yet known, in index order
 * (a FIFO of parallel primitive arrays: no allocation once grown).
 */
final class PendingProposals {
    private long[] index = new long[64];
    private long[] term = new long[64];
    private long[] tag = new long[64];
    private long[] deadlineNs = new long[64];
    private int[] length = new int[64];
    private int head;
    private int size;
    private long bytes;

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    void add(long entryIndex, long entryTerm, long proposalTag, long deadline, int entryLength) {
        if (size == index.length) {
            grow();
        }
        final int slot = (head + size) & (index.length - 1);
        index[slot] = entryIndex;
        term[slot] = entryTerm;
        tag[slot] = proposalTag;
        deadlineNs[slot] = deadline;
        length[slot] = entryLength;
        size++;
        bytes += entryLength;
    }

    long headIndex() {
        return index[head];
    }

    long headTerm() {
        return term[head];
    }

    long headTag() {
        return tag[head];
    }

    long headDeadlineNs() {
        return deadlineNs[head];
    }

    void removeHead() {
        bytes -= length[head];
        head = (head + 1) & (index.length - 1);
        size--;
    }

    long tailIndex() {
        return index[(head + size - 1) & (index.length - 1)];
    }

    long tailTag() {
        return tag[(head + size - 1) & (index.length - 1)];
    }

    void removeTail() {
        bytes -= length[(head + size - 1) & (index.length - 1)];
        size--;
    }

    private void grow() {
        final int n = index.length * 2;
        final long[] i2 = new long[n];
        final long[] t2 = new long[n];
        final long[] g2 = new long[n];
        final long[] d2 = new long[n];
        final int[] l2 = new int[n];
        for (int k = 0; k < size; k++) {
            final int s = (head + k) & (index.length - 1);
            i2[k] = index[s];
            t2[k] = term[s];
            g2[k] = tag[s];
            d2[k] = deadlineNs[s];
            l2[k] = length[s];
        }
        index = i2;
        term = t2;
        tag = g2;
        deadlineNs = d2;
        length = l2;
        head = 0;
    }
}
