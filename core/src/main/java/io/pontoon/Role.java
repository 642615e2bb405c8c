package io.pontoon;

/**
 * Raft role of a node. PRE_CANDIDATE is the pre-vote phase (thesis §9.6). FAILED: the node fail-stopped (a store
 * failed, or an error escaped its Raft thread) and is closed; {@code RaftNode.failure()} holds the cause.
 */
public enum Role { FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER, FAILED }
