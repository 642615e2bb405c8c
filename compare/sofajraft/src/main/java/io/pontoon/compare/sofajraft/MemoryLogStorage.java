package io.pontoon.compare.sofajraft;

import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;

import java.util.List;

/**
 * The log in heap memory, for {@code --durability NONE}: jraft 1.4.1 has no in-memory log storage of its
 * own. A ring of the last {@value #RETAINED_ENTRIES} entries indexed by log index; synchronized, since jraft's
 * log manager and replicators call it from several threads.
 *
 * <p>Older entries are forgotten so that a long run fits in the heap (the Pontoon runner compacts with the
 * same margin): a follower that far behind would need a snapshot, which a steady benchmark never does.
 */
final class MemoryLogStorage implements LogStorage {
    static final int RETAINED_ENTRIES = 1 << 19;
    private static final int MASK = RETAINED_ENTRIES - 1;

    private final LogEntry[] ring = new LogEntry[RETAINED_ENTRIES];
    private long firstIndex = 1;
    private long lastIndex;

    @Override
    public synchronized boolean init(LogStorageOptions opts) {
        return true;
    }

    @Override
    public synchronized void shutdown() {
        java.util.Arrays.fill(ring, null);
    }

    @Override
    public synchronized long getFirstLogIndex() {
        return firstIndex;
    }

    @Override
    public synchronized long getLastLogIndex() {
        return lastIndex;
    }

    @Override
    public synchronized LogEntry getEntry(long index) {
        return index < firstIndex || index > lastIndex ? null : ring[(int) (index & MASK)];
    }

    @Override
    public synchronized long getTerm(long index) {
        final LogEntry e = getEntry(index);
        return e == null ? 0 : e.getId().getTerm();
    }

    @Override
    public synchronized boolean appendEntry(LogEntry entry) {
        final long index = entry.getId().getIndex();
        if (lastIndex < firstIndex) {
            firstIndex = index; // empty: the first append (after reset) sets the start
        } else if (index != lastIndex + 1) {
            return false;
        }
        ring[(int) (index & MASK)] = entry;
        lastIndex = index;
        if (lastIndex - firstIndex + 1 > RETAINED_ENTRIES) {
            firstIndex = lastIndex - RETAINED_ENTRIES + 1;
        }
        return true;
    }

    @Override
    public synchronized int appendEntries(List<LogEntry> batch) {
        int appended = 0;
        for (LogEntry e : batch) {
            if (!appendEntry(e)) {
                break;
            }
            appended++;
        }
        return appended;
    }

    @Override
    public synchronized boolean truncatePrefix(long firstIndexKept) {
        for (long i = firstIndex; i < Math.min(firstIndexKept, lastIndex + 1); i++) {
            ring[(int) (i & MASK)] = null;
        }
        firstIndex = Math.max(firstIndex, firstIndexKept);
        if (firstIndex > lastIndex) {
            lastIndex = firstIndex - 1;
        }
        return true;
    }

    @Override
    public synchronized boolean truncateSuffix(long lastIndexKept) {
        for (long i = lastIndex; i > lastIndexKept && i >= firstIndex; i--) {
            ring[(int) (i & MASK)] = null;
        }
        lastIndex = Math.max(firstIndex - 1, Math.min(lastIndex, lastIndexKept));
        return true;
    }

    @Override
    public synchronized boolean reset(long nextLogIndex) {
        java.util.Arrays.fill(ring, null);
        firstIndex = nextLogIndex;
        lastIndex = nextLogIndex - 1;
        return true;
    }
}
