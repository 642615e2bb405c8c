package io.pontoon.kv;

/** How {@link KvRequestHandler} serves a get. */
public enum KvReadMode {
    /** ReadIndex ({@code ReadPolicy.LINEARIZABLE}): a heartbeat round proves leadership first. The default. */
    READ_INDEX,
    /**
     * Lease reads ({@code ReadPolicy.LEASE}): the leader answers without a round while its lease holds. Needs
     * {@code RaftConfig.leaseReads}; linearizable only while clocks drift less than the configured bound.
     */
    LEASE,
    /**
     * Deliberately broken: the node answers from whatever state it has applied, with no check that it is up to date
     * (a follower, or a deposed leader, serves stale values). Not linearizable; it exists so that tests can show the
     * linearizability checker catching it. Never use it to serve real reads.
     */
    UNSAFE_LOCAL
}
