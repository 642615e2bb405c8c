package io.pontoon;

/** Raft role of a node. PRE_CANDIDATE is the pre-vote phase (thesis §9.6). */
public enum Role { FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER }
