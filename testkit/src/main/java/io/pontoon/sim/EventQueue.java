package io.pontoon.sim;

import java.util.Arrays;

/** A binary min-heap of events ordered by (time, sequence number): the simulator's only clock. */
final class EventQueue {
    private SimEvent[] heap = new SimEvent[1024];
    private int size;

    void add(SimEvent e) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0) {
            final int parent = (i - 1) >>> 1;
            final SimEvent p = heap[parent];
            if (!before(e, p)) {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = e;
    }

    SimEvent peek() {
        return size == 0 ? null : heap[0];
    }

    SimEvent poll() {
        if (size == 0) {
            return null;
        }
        final SimEvent top = heap[0];
        final SimEvent last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            int i = 0;
            final int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                SimEvent c = heap[child];
                final int right = child + 1;
                if (right < size && before(heap[right], c)) {
                    child = right;
                    c = heap[child];
                }
                if (!before(c, last)) {
                    break;
                }
                heap[i] = c;
                i = child;
            }
            heap[i] = last;
        }
        return top;
    }

    int size() {
        return size;
    }

    private static boolean before(SimEvent a, SimEvent b) {
        return a.timeNs < b.timeNs || (a.timeNs == b.timeNs && a.seq < b.seq);
    }
}
