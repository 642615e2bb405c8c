package io.pontoon.sim;

import io.pontoon.ResultCode;

/** One client proposal made through the simulator, and what became of it. */
public final class Proposal {
    /** Also the engine's tag and the first 8 payload bytes. */
    public final long id;
    public final int nodeId;
    final int incarnation;
    final long hash;
    final int length;
    public final long proposedAtNs;
    long result;
    ResultCode outcome;
    long outcomeIndex;
    long outcomeAtNs;
    /** Index at which the entry was seen committed, 0 if not (yet). */
    long committedIndex;
    /** The node crashed before telling the outcome. */
    boolean abandoned;

    Proposal(long id, int nodeId, int incarnation, long hash, int length, long proposedAtNs) {
        this.id = id;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.hash = hash;
        this.length = length;
        this.proposedAtNs = proposedAtNs;
    }

    /** What {@code propose} returned: the entry's index (> 0) or {@code -ResultCode.ordinal()}. */
    public long result() {
        return result;
    }

    public boolean accepted() {
        return result > 0;
    }

    /** Index the leader appended the entry at; only if {@link #accepted()}. */
    public long index() {
        return accepted() ? result : -1;
    }

    /** Why propose refused it, or null if it was accepted. */
    public ResultCode rejection() {
        return accepted() ? null : ResultCode.of((int) -result);
    }

    /** The outcome reported through onProposalResult, or null if none (yet). */
    public ResultCode outcome() {
        return outcome;
    }

    public long outcomeAtNs() {
        return outcomeAtNs;
    }

    /** True once the checker saw this entry committed (by any node). */
    public boolean committed() {
        return committedIndex > 0;
    }

    public boolean abandoned() {
        return abandoned;
    }

    @Override
    public String toString() {
        return "proposal#" + id + "@n" + nodeId + (accepted() ? " index=" + result : " rejected=" + rejection())
            + " outcome=" + outcome + (committed() ? " committed@" + committedIndex : "")
            + (abandoned ? " abandoned" : "");
    }
}
