package io.pontoon;

/** How a read proves it is up to date (thesis §6.4). */
public enum ReadPolicy {
    /**
     * ReadIndex: the leader confirms it still leads with a heartbeat round (one round serves every read queued
     * behind it) and the read sees every write acknowledged before it started. On a follower the leader is asked
     * for the index and the follower serves the read once it has applied it (follower reads).
     */
    LINEARIZABLE,
    /**
     * Lease read: the leader answers without a round while its lease holds (a majority answered a round it sent
     * less than {@code electionTimeout - maxClockDrift} ago). Needs {@code RaftConfig.leaseReads}; linearizable
     * only while clocks drift less than the stated bound. Refused with {@link ResultCode#LEASE_EXPIRED} once the
     * lease has expired, and with NOT_LEADER on a follower.
     */
    LEASE
}
