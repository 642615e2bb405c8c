package io.pontoon;

/** A point-in-time view of one node: the seed's DebugResponse. */
public record RaftStatus(int nodeId, Role role, long term, int leaderId, long commitIndex, long lastApplied,
                         long lastLogIndex, long lastLogTerm) {
}
