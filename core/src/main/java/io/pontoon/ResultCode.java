package io.pontoon;

/**
 * Outcome of a proposal or a read. Protocol outcomes are codes, not exceptions (see STYLE.md). The ordinals are
 * part of the wire protocol (docs/PROTOCOL.md): new codes go at the end.
 */
public enum ResultCode {
    /** Committed; the LSN is the entry's log index. */
    OK,
    /** This node is not the leader; the known leader id (or 0) comes with it. Nothing was appended. */
    NOT_LEADER,
    /** Back-pressure: too many pending proposals or uncommitted bytes, or the inbound ring is full. Nothing was appended. */
    REJECTED_BUSY,
    /** Another entry was committed at the proposal's index: it is definitely not committed. */
    LEADERSHIP_LOST,
    /**
     * Outcome unknown: none within proposalTimeoutNs, or the accepting node became leader again after its
     * copy of the entry was overwritten. The entry may or may not commit later: do not assume either.
     */
    TIMEOUT,
    /** Empty or oversized payload, or otherwise invalid input. Nothing was appended. */
    INVALID,
    /** The node was closed before the outcome was known. */
    CLOSED,
    /**
     * The leader is handing leadership to another member (a leadership transfer) and takes no proposal until it
     * ends: retry at the new leader, whose id comes with it when known. Nothing was appended.
     */
    LEADERSHIP_TRANSFER,
    /** A lease read on a leader whose lease has expired (or with lease reads off): read through ReadIndex instead. */
    LEASE_EXPIRED,
    /**
     * A membership change was refused because another is not finished: its entry is not committed yet, a joint
     * configuration has not been left yet, or a new leader has not yet committed an entry of its own term (thesis
     * §4.1 errata). Retry once it is.
     */
    MEMBERSHIP_CHANGE_PENDING;

    private static final ResultCode[] VALUES = values();

    public static ResultCode of(int code) {
        return VALUES[code];
    }
}
