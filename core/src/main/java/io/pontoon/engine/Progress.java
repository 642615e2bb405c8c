package io.pontoon.engine;

/**
 * The leader's view of one follower (etcd raft's tracker.Progress). In {@link #PROBE} the leader sends
 * one AppendEntries and waits for its answer; in {@link #REPLICATE} it pipelines AppendEntries with an
 * optimistic {@link #nextIndex}, bounded by an in-flight window of messages and bytes; in {@link #SNAPSHOT}
 * the follower needs entries the leader compacted away, and gets the leader's snapshot in chunks instead.
 */
final class Progress {
    static final int PROBE = 0;
    static final int REPLICATE = 1;
    static final int SNAPSHOT = 2;

    final int nodeId;
    /** A voting member (incoming or outgoing); a learner receives the log but never counts toward a quorum. */
    boolean voter;
    /** Counts toward the incoming (or only) voters' majority / the outgoing voters' majority of a joint configuration. */
    boolean incoming;
    boolean outgoing;
    /** Candidate / pre-candidate: this member's answer in the current election, 0 none, 1 granted, 2 refused. */
    byte vote;
    long matchIndex;
    long nextIndex;
    int state = PROBE;
    /** PROBE: an AppendEntries is outstanding; cleared by its answer or a heartbeat answer. */
    boolean probeSent;
    /** Heard from since the last check-quorum round. */
    boolean recentActive;
    /** The latest heartbeat round this follower answered in this leadership (ReadIndex), and when it was sent. */
    long roundAcked;
    long roundAckedSentNs = Long.MIN_VALUE;

    // SNAPSHOT state: the snapshot being sent, the content bytes sent and acknowledged, and when it last moved.
    io.pontoon.spi.SnapshotMeta snapshotMeta;
    io.pontoon.spi.SnapshotStore.SnapshotSource snapshotSource;
    long snapshotSent;
    long snapshotAcked;
    long snapshotProgressNs;
    /** Throttle (maxSnapshotBytesPerSecond): the next chunk may not leave before this time. */
    long snapshotNextSendNs;
    /** Rewound after a refused chunk; further refusals are ignored until the follower acknowledges progress. */
    boolean snapshotRewound;

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

    Progress(int nodeId, boolean voter, int maxInflightMessages, long maxInflightBytes) {
        this.nodeId = nodeId;
        this.voter = voter;
        this.inflightLastIndex = new long[maxInflightMessages];
        this.inflightBytes = new long[maxInflightMessages];
        this.maxInflightBytes = maxInflightBytes;
        this.windowMessages = maxInflightMessages;
    }

    void reset(long nextIndex) {
        closeSnapshot();
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
        closeSnapshot();
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

    /** Starts sending {@code meta} (open as {@code source}) from its first byte. */
    void becomeSnapshot(io.pontoon.spi.SnapshotMeta meta, io.pontoon.spi.SnapshotStore.SnapshotSource source,
                        long nowNs) {
        closeSnapshot();
        state = SNAPSHOT;
        probeSent = false;
        clearInflights();
        snapshotMeta = meta;
        snapshotSource = source;
        snapshotSent = 0;
        snapshotAcked = 0;
        snapshotProgressNs = nowNs;
        snapshotNextSendNs = nowNs;
        snapshotRewound = false;
    }

    /** Lets go of the snapshot being sent, if any (the leader stepped down, or the transfer ended). */
    void closeSnapshot() {
        final io.pontoon.spi.SnapshotStore.SnapshotSource source = snapshotSource;
        snapshotSource = null;
        snapshotMeta = null;
        if (source != null) {
            source.close();
        }
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
