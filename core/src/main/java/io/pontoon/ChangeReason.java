package io.pontoon;

/**
 * Why a node's term or known leader changed, as reported in {@link NodeReport}, in the role-change log line and
 * as the {@code reason} tag of the metrics.
 */
public enum ChangeReason {
    /** Nothing changed yet. */
    NONE("none"),
    /** The election timer fired: no leader was heard from (§5.2). */
    TIMEOUT("timeout"),
    /** A leader that could not reach a majority within an election timeout stepped down (thesis §6.2). */
    CHECK_QUORUM("check-quorum"),
    /** A leadership transfer: the leader sent TimeoutNow (thesis §3.10). */
    TRANSFER("transfer"),
    /** A message: a newer term, a new leader's AppendEntries or heartbeat, or a won vote. */
    MESSAGE("message");

    private final String label;

    ChangeReason(String label) {
        this.label = label;
    }

    /** The lower-case name used in logs and metric tags. */
    public String label() {
        return label;
    }
}
