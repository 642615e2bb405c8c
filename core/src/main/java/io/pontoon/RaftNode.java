package io.pontoon;

import org.agrona.DirectBuffer;

import java.util.concurrent.CompletableFuture;

/** STUB: API only; implementation in progress. */
public final class RaftNode implements AutoCloseable {
    /** Proposes {@code data}; completes with its LSN once committed, or exceptionally with {@link ProposalException}. Any thread. */
    public CompletableFuture<Long> propose(byte[] data) { return null; }
    /**
     * Allocation-free propose: copies the bytes into the node's inbound ring; {@code callback} is told the
     * outcome on the Raft thread. Returns false (callback not called) if the ring is full: retry.
     */
    public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback) { return false; }
    /** Adds a commit listener (the seed's CommitCh). */
    public void onCommit(CommitListener listener) { }
    /** The seed's DebugEvent: a consistent snapshot taken on the Raft thread. */
    public RaftStatus status() { return null; }
    public int nodeId() { return 0; }
    @Override
    public void close() { }
}
