package io.pontoon.engine;

import io.pontoon.RaftConfig;
import io.pontoon.Role;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import org.agrona.DirectBuffer;

/** STUB: API only; implementation in progress. */
public final class RaftEngine {
    public RaftEngine(int nodeId, int[] memberIds, RaftConfig config, LogStore log, MetaStore meta,
                      Outbox outbox, RandomSource random, EngineListener listener, long nowNs) {
        throw new UnsupportedOperationException("stub");
    }
    /** Advances time: election and heartbeat timers, check-quorum, proposal timeouts. Returns work done. */
    public int onTick(long nowNs) { return 0; }
    /** Handles one peer message. Returns null if handled, else why it was rejected as malformed. */
    public String onMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length) { return null; }
    /**
     * Leader: appends the entry and returns its index (> 0). Otherwise returns {@code -code.ordinal()} of a
     * {@link io.pontoon.ResultCode} (NOT_LEADER, REJECTED_BUSY, INVALID); nothing appended then.
     */
    public long propose(DirectBuffer data, int offset, int length, long tag) { return 0; }
    /** Reads the log's durable index; a follower acknowledges, a leader may commit. Returns work done. */
    public int onDurable() { return 0; }
    /** End of a duty cycle: sends pending AppendEntries to followers (batched, pipelined). */
    public int flush() { return 0; }
    /** Delivers up to {@code maxEntries} committed entries to the listener. Returns entries applied. */
    public int applyCommitted(int maxEntries) { return 0; }
    public int nodeId() { return 0; }
    public Role role() { return null; }
    public long term() { return 0; }
    public int votedFor() { return 0; }
    public int leaderId() { return 0; }
    public long commitIndex() { return 0; }
    public long lastApplied() { return 0; }
    public LogStore log() { return null; }
}
