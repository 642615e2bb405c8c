package io.pontoon.sim;

/** Figures of one simulated seed. */
public record SimStats(long elections, long commits, long virtualNs, long events, long messages, long crashes,
                       long outcomesOk, long outcomesLeadershipLost, long outcomesTimeout,
                       long maxMessagesPer100ms, long aimedCrashes, long failStops, long snapshots, long installs,
                       long readsOk, long transfers, long membershipCommits) {
}
