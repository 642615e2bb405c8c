package io.pontoon.runtime;

import io.pontoon.ChangeReason;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.engine.RaftEngine;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the Raft thread publishes for reports and metrics (issue 13): the engine's counters and the leader's view of
 * its followers, copied by {@link #publish} once per duty cycle that did work (ordered stores, no allocation while
 * the follower set stays the same), read from any thread. Each field is read on its own: a report is a consistent
 * view of each value, not of all of them at one instant.
 *
 * <p>Counted here on the Raft thread, per event, as plain increments: proposal outcomes and commits.
 */
public final class NodeCounters {
    // Scalar slots.
    public static final int ROLE = 0;
    public static final int TERM = 1;
    public static final int LEADER = 2;
    public static final int COMMIT_INDEX = 3;
    public static final int LAST_APPLIED = 4;
    public static final int LAST_LOG_INDEX = 5;
    public static final int COMMITS = 6;
    public static final int ELECTIONS = 7;
    public static final int TERM_CHANGES = 8;
    public static final int LEADER_CHANGES = 9;
    public static final int TERM_REASON = 10;
    public static final int LEADER_REASON = 11;
    public static final int INSTALL_RECEIVED = 12;
    public static final int INSTALL_TOTAL = 13;
    public static final int ROLE_REASON = 14;
    private static final int PROPOSALS = 15;
    private static final int SLOTS = PROPOSALS + ResultCode.values().length;

    /** Per follower, in {@link #followers()}: id, match index, lag in entries, lag in bytes (estimate), in flight. */
    public static final int F_ID = 0;
    public static final int F_MATCH = 1;
    public static final int F_LAG_ENTRIES = 2;
    public static final int F_LAG_BYTES = 3;
    public static final int F_INFLIGHT = 4;
    public static final int F_FIELDS = 5;

    private static final Role[] ROLES = Role.values();
    private static final ChangeReason[] REASONS = ChangeReason.values();

    private final AtomicLongArray published = new AtomicLongArray(SLOTS);
    /** Replaced (a new array) when the follower set changes or this node stops leading (then empty). */
    private volatile AtomicLongArray followers = new AtomicLongArray(0);

    // Raft thread only: counted per event.
    private long commits;
    private final long[] proposals = new long[ResultCode.values().length];
    /** Bytes and entries this node appended as leader: their ratio estimates a follower's lag in bytes. */
    private long proposedBytes;
    private long proposedEntries;

    /** Raft thread: a proposal's outcome (OK when it committed). */
    public void onProposalOutcome(ResultCode code) {
        proposals[code.ordinal()]++;
    }

    /** Raft thread: a proposal of {@code length} bytes was appended to the leader's log. */
    public void onAppended(int length) {
        proposedBytes += length;
        proposedEntries++;
    }

    /** Raft thread: one entry committed. */
    public void onCommit() {
        commits++;
    }

    /** Raft thread, once per duty cycle that did work: copies what reports and meters read. */
    public void publish(RaftEngine engine) {
        final AtomicLongArray p = published;
        p.lazySet(ROLE, engine.role().ordinal());
        p.lazySet(TERM, engine.term());
        p.lazySet(LEADER, engine.leaderId());
        p.lazySet(COMMIT_INDEX, engine.commitIndex());
        p.lazySet(LAST_APPLIED, engine.lastApplied());
        final long last = engine.log().lastIndex();
        p.lazySet(LAST_LOG_INDEX, last);
        p.lazySet(COMMITS, commits);
        p.lazySet(ELECTIONS, engine.electionsStarted());
        p.lazySet(TERM_CHANGES, engine.termChanges());
        p.lazySet(LEADER_CHANGES, engine.leaderChanges());
        p.lazySet(TERM_REASON, engine.lastTermChangeReason().ordinal());
        p.lazySet(LEADER_REASON, engine.lastLeaderChangeReason().ordinal());
        p.lazySet(ROLE_REASON, engine.roleReason().ordinal());
        p.lazySet(INSTALL_RECEIVED, engine.installReceivedBytes());
        p.lazySet(INSTALL_TOTAL, engine.installTotalBytes());
        for (int i = 0; i < proposals.length; i++) {
            p.lazySet(PROPOSALS + i, proposals[i]);
        }
        publishFollowers(engine, last);
    }

    private void publishFollowers(RaftEngine engine, long last) {
        final int n = engine.role() == Role.LEADER ? engine.followerCount() : 0;
        AtomicLongArray f = followers;
        if (f.length() != n * F_FIELDS || !sameFollowers(f, engine, n)) {
            f = new AtomicLongArray(n * F_FIELDS); // membership or leadership changed: rare
            for (int i = 0; i < n; i++) {
                f.set(i * F_FIELDS + F_ID, engine.followerId(i));
            }
            followers = f;
        }
        final long avgBytes = proposedEntries == 0 ? 0 : proposedBytes / proposedEntries;
        for (int i = 0; i < n; i++) {
            final int base = i * F_FIELDS;
            final long match = engine.followerMatchIndex(i);
            final long lag = Math.max(0, last - match);
            f.lazySet(base + F_MATCH, match);
            f.lazySet(base + F_LAG_ENTRIES, lag);
            f.lazySet(base + F_LAG_BYTES, lag * avgBytes);
            f.lazySet(base + F_INFLIGHT, engine.followerInflight(i));
        }
    }

    private static boolean sameFollowers(AtomicLongArray f, RaftEngine engine, int n) {
        for (int i = 0; i < n; i++) {
            if (f.get(i * F_FIELDS + F_ID) != engine.followerId(i)) {
                return false;
            }
        }
        return true;
    }

    /** Any thread: a published scalar (one of the slot constants). */
    public long get(int slot) {
        return published.get(slot);
    }

    public Role role() {
        return ROLES[(int) published.get(ROLE)];
    }

    public ChangeReason reason(int slot) {
        return REASONS[(int) published.get(slot)];
    }

    /** Any thread: proposals that ended with {@code code}. */
    public long proposals(ResultCode code) {
        return published.get(PROPOSALS + code.ordinal());
    }

    /** Any thread: the followers as last published ({@link #F_FIELDS} slots each; empty unless leading). */
    public AtomicLongArray followers() {
        return followers;
    }
}
