package io.pontoon;

import java.util.List;

/**
 * A point-in-time view of one node: the seed's DebugResponse. On a leader, {@link #followers} says how far each
 * follower's log matches its own (replication lag); elsewhere it is empty.
 */
public record RaftStatus(int nodeId, Role role, long term, int leaderId, long commitIndex, long lastApplied,
                         long lastLogIndex, long lastLogTerm, List<Follower> followers) {
    public RaftStatus {
        followers = List.copyOf(followers);
    }

    /** A status without follower details (a follower's, or a candidate's). */
    public RaftStatus(int nodeId, Role role, long term, int leaderId, long commitIndex, long lastApplied,
                      long lastLogIndex, long lastLogTerm) {
        this(nodeId, role, term, leaderId, commitIndex, lastApplied, lastLogIndex, lastLogTerm, List.of());
    }

    /**
     * The leader's view of one follower: the highest index known to match ({@code matchIndex}), the next index it
     * will send ({@code nextIndex}), how it replicates: PROBE (finding where the logs match), REPLICATE
     * (pipelining) or SNAPSHOT (being sent a snapshot), and whether it votes (false: a learner).
     */
    public record Follower(int nodeId, long matchIndex, long nextIndex, String state, boolean voter) {
        /** Entries the follower lacks of a leader log that ends at {@code leaderLastIndex}. */
        public long lag(long leaderLastIndex) {
            return Math.max(0, leaderLastIndex - matchIndex);
        }
    }
}
