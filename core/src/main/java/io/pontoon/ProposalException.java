package io.pontoon;

/** Completes a proposal future exceptionally when the outcome is not {@link ResultCode#OK}. */
public final class ProposalException extends RuntimeException {
    private final ResultCode code;
    private final int leaderId;
    private final long lsn;

    public ProposalException(ResultCode code, long lsn, int leaderId) {
        super(message(code, lsn, leaderId));
        this.code = code;
        this.leaderId = leaderId;
        this.lsn = lsn;
    }

    private static String message(ResultCode code, long lsn, int leaderId) {
        switch (code) {
            case NOT_LEADER: return "NOT_LEADER: this node is not the leader; leader is " + (leaderId == 0 ? "unknown" : "node " + leaderId);
            case REJECTED_BUSY: return "REJECTED_BUSY: too many pending proposals or uncommitted bytes; retry later";
            case LEADERSHIP_LOST: return "LEADERSHIP_LOST: entry at lsn " + lsn + " was overwritten by a new leader; not committed";
            case TIMEOUT: return "TIMEOUT: outcome of entry at lsn " + lsn + " unknown after proposalTimeoutNs";
            case INVALID: return "INVALID: payload is empty or larger than maxEntryBytes";
            case CLOSED: return "CLOSED: node closed before the outcome was known";
            default: return code.name();
        }
    }

    public ResultCode code() {
        return code;
    }

    public int leaderId() {
        return leaderId;
    }

    public long lsn() {
        return lsn;
    }
}
