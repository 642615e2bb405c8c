package io.pontoon.compare.harness;

/**
 * How a {@link ReplicatedSystem} reports the outcome of one submitted entry. Exactly one of the two
 * methods is called once per accepted submission, on any thread (a Raft thread, a callback executor, a
 * gRPC thread); both are cheap and never block.
 */
public interface Completion {
    /** The entry submitted with {@code startNs} is committed (and applied on the node that accepted it). */
    void onCommitted(long startNs);

    /** The entry submitted with {@code startNs} failed; {@code reason} is a short word such as NOT_LEADER. */
    void onFailed(long startNs, String reason);
}
