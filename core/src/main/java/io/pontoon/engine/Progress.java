package io.pontoon.engine;

/**
 * The leader's view of one follower (etcd raft's tracker.Progress). In {@link #PROBE} the leader sends
 * one AppendEntries and waits for its answer; in {@link #REPLICATE} it pipelines AppendEntries with an
 * optimistic {@link #nextIndex}, bounded by an in-flight window of messages and bytes.
 */
final class Progress {
    static final int PROBE = 0;
    static final int REPLICATE = 1;

    final int nodeId;
    long matchIndex;
    long nextIndex;
    int state = PROBE;
    /** PROBE: an AppendEntries is outstanding; cleared by its answer or a heartbeat answer. */
    boolean probeSent;
    /** Heard from since the last check-quorum round. */
    boolean recentActive;

    // In-flight window: ring of (last index, bytes) per unacknowledged AppendEntries.
    private final long[] inflightLastIndex;
    private final long[] inflightBytes;
    private int inflightHead;
    private int inflightCount;
    private long inflightTotalBytes;
    private final long maxInflightBytes;
    /**
     * Current message window, at most the configured maximum: halved when a pipelined AppendEntries is
     * rejected (a gap: lost or reordered), grown by one per acknowledged message. On an ordered, lossless
     * link it stays at the maximum; on a reordering one it shrinks instead of resending whole windows
     * that arrive out of order again (simulation seed 783173).
     */
    private int windowMessages;

    Progress(int nodeId, int maxInflightMessages, long maxInflightBytes) {
        this.nodeId = nodeId;
        this.inflightLastIndex = new long[maxInflightMessages];
        this.inflightBytes = new long[maxInflightMessages];
        this.maxInflightBytes = maxInflightBytes;
        this.windowMessages = maxInflightMessages;
    }

    void reset(long nextIndex) {
        this.matchIndex = 0;
        this.nextIndex = nextIndex;
        this.state = PROBE;
        this.probeSent = false;
        this.recentActive = false;
        this.windowMessages = inflightLastIndex.length;
        clearInflights();
    }

    /** A pipelined message was rejected: multiplicative decrease of the window. */
    void shrinkWindow() {
        windowMessages = Math.max(1, windowMessages / 2);
    }

    /** A message was acknowledged: additive increase of the window. */
    void growWindow() {
        if (windowMessages < inflightLastIndex.length) {
            windowMessages++;
        }
    }

    int windowMessages() {
        return windowMessages;
    }

    void becomeProbe(long next) {
        state = PROBE;
        nextIndex = next;
        probeSent = false;
        clearInflights();
    }

    void becomeReplicate() {
        state = REPLICATE;
        nextIndex = Math.max(nextIndex, matchIndex + 1);
        probeSent = false;
        clearInflights();
    }

    boolean inflightFull() {
        return inflightCount >= windowMessages || inflightTotalBytes >= maxInflightBytes;
    }

    void addInflight(long lastIndex, long bytes) {
        final int slot = (inflightHead + inflightCount) % inflightLastIndex.length;
        inflightLastIndex[slot] = lastIndex;
        inflightBytes[slot] = bytes;
        inflightCount++;
        inflightTotalBytes += bytes;
    }

    /** Frees every in-flight message whose last index is at or below {@code index}. */
    void freeInflightsTo(long index) {
        while (inflightCount > 0 && inflightLastIndex[inflightHead] <= index) {
            freeFirstInflight();
        }
    }

    void freeFirstInflight() {
        if (inflightCount > 0) {
            inflightTotalBytes -= inflightBytes[inflightHead];
            inflightHead = (inflightHead + 1) % inflightLastIndex.length;
            inflightCount--;
        }
    }

    int inflightCount() {
        return inflightCount;
    }

    private void clearInflights() {
        inflightHead = 0;
        inflightCount = 0;
        inflightTotalBytes = 0;
    }
}
