package io.pontoon.engine;

import io.pontoon.spi.Membership;

import java.util.ArrayList;

/**
 * The configurations a node knows (thesis §4.1): a base, in effect from {@code baseIndex} (0 for the configuration
 * the cluster was started with, else the index of the snapshot that recorded it), and every configuration entry the
 * log holds above it, in index order. The newest is in effect as soon as it is in the log, committed or not; a
 * truncation that removes it brings the previous one back.
 */
final class Configurations {
    private Membership base;
    private long baseIndex;
    private final ArrayList<Membership> memberships = new ArrayList<>();
    private long[] indices = new long[8];

    Configurations(Membership base, long baseIndex) {
        this.base = base;
        this.baseIndex = baseIndex;
    }

    /** The configuration in effect: the newest in the log, else the base. */
    Membership current() {
        return memberships.isEmpty() ? base : memberships.get(memberships.size() - 1);
    }

    /** Index of the entry that holds {@link #current()} ({@code baseIndex} for the base). */
    long currentIndex() {
        return memberships.isEmpty() ? baseIndex : indices[memberships.size() - 1];
    }

    /** The configuration in effect at {@code index}: the newest held at or below it. */
    Membership at(long index) {
        for (int i = memberships.size() - 1; i >= 0; i--) {
            if (indices[i] <= index) {
                return memberships.get(i);
            }
        }
        return base;
    }

    /** The configuration entry at {@code index} is now in the log (above every one held). */
    void add(long index, Membership m) {
        if (index <= currentIndex()) {
            throw new IllegalStateException("configuration entry at " + index + " is not above the newest, at "
                + currentIndex());
        }
        final int n = memberships.size();
        if (n == indices.length) {
            indices = java.util.Arrays.copyOf(indices, n * 2);
        }
        indices[n] = index;
        memberships.add(m);
    }

    /** Entries from {@code fromIndex} on left the log. Returns true if the configuration in effect changed. */
    boolean truncateFrom(long fromIndex) {
        boolean changed = false;
        while (!memberships.isEmpty() && indices[memberships.size() - 1] >= fromIndex) {
            memberships.remove(memberships.size() - 1);
            changed = true;
        }
        return changed;
    }

    /**
     * A snapshot at {@code index} recorded {@code m}: it becomes the base; configuration entries at or below the
     * snapshot are dropped (the log may lose them), those above stay.
     */
    void rebase(long index, Membership m) {
        int drop = 0;
        while (drop < memberships.size() && indices[drop] <= index) {
            drop++;
        }
        if (drop > 0) {
            memberships.subList(0, drop).clear();
            System.arraycopy(indices, drop, indices, 0, memberships.size());
        }
        base = m;
        baseIndex = index;
    }

    /** The log restarts after a snapshot at {@code index}: {@code m} is the only configuration known. */
    void reset(long index, Membership m) {
        memberships.clear();
        base = m;
        baseIndex = index;
    }
}
