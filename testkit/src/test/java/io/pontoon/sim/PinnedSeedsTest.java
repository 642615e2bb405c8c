package io.pontoon.sim;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

/**
 * Seeds that once found a bug, replayed on every build so the bug stays fixed (STYLE.md rule 11: every
 * fix comes with its failing scenario). Add a seed here, with the bug it found, as soon as the simulator
 * finds it, before the fix.
 */
class PinnedSeedsTest {
    /**
     * A seed, its cluster size, what went wrong on it, and the faults it ran with: the first five were found
     * before storage faults existed and replay their classic history ({@link RandomizedRun.Faults#CLASSIC}).
     */
    record Pinned(long seed, int nodes, String bug, RandomizedRun.Faults faults) {
        Pinned(long seed, int nodes, String bug) {
            this(seed, nodes, bug, RandomizedRun.Faults.CLASSIC);
        }
    }

    static final List<Pinned> PINNED = List.of(
        new Pinned(102147, 5, "LEADERSHIP_LOST reported when the proposer's copy was truncated, "
            + "but another node still held the entry and a later leader committed it (proposal honesty)"),
        new Pinned(1247, 3, "message storm: a delay spike on a FIFO link released a burst of responses; each "
            + "success reaching a PROBE follower moved it to REPLICATE and resent the whole window (1.4M "
            + "AppendEntries in 0.35 s of virtual time)"),
        new Pinned(110081, 5, "checker false positive: a follower still in term 2 truncated an entry committed "
            + "in term 3 on the word of a stale but legitimately elected term-2 leader (allowed by Raft)"),
        new Pinned(783173, 5, "message storm: on a reordering network every out-of-order AppendEntries was "
            + "rejected as a gap, the follower fell back to PROBE and, once probed, got a full window again"),
        new Pinned(795590, 3, "liveness: with a window of one message the leader waited for each entry to "
            + "be durable on the follower before sending the next, so catch-up fell behind the offered load"),
        new Pinned(1002461, 5, "snapshots: a snapshot whose commit was delayed (index 98) was committed after a newer "
            + "one (99); the in-memory store dropped every snapshot at or above the committed index, so the engine's "
            + "latest snapshot was gone and the leader failed opening it for InstallSnapshot", RandomizedRun.Faults.STORAGE_BY_SEED),
        new Pinned(2019854, 3, "wire format: a follower answered a delayed AppendEntries of term 2 with its current term 3; "
            + "the leader of term 3 took the answer's index beyond its log as malformed (it is stale, and now ignored)",
            RandomizedRun.Faults.STORAGE_BY_SEED),
        new Pinned(902, 3, "reads: a follower restarted in the same term numbered its READ_INDEX requests from 1 "
            + "again and took the leader's late answer to its previous incarnation's request for its own: a read "
            + "that started after the leader fixed that index was served with it (a stale read)",
            RandomizedRun.Faults.READS_BY_SEED),
        new Pinned(11015732, 3, "lease reads: a leader abandoned a transfer after it had sent TimeoutNow; the late "
            + "TimeoutNow made the target campaign and win (a transfer's election is granted whatever the lease), while "
            + "the old leader, cut off, still served lease reads from its lease: a stale read",
            RandomizedRun.Faults.LEARNERS_BY_SEED),
        new Pinned(394, 3, "membership: leader n2 of voters {1, 2} appended its own removal and crashed before n1 had "
            + "it; n2, the longest log, no longer campaigned (not a voter of its newest configuration) and refused n1 "
            + "its vote (n1's log was behind): no leader ever again. A node whose newest configuration is uncommitted "
            + "now campaigns if it votes in the committed one", RandomizedRun.Faults.BY_SEED),
        new Pinned(18138, 3, "membership, harness: the liveness probe was proposed on a leader that then removed "
            + "itself; a removed node hears no commits, so its proposal waited for its whole timeout and the run "
            + "reported a false liveness failure. The probe now moves to the leader of the configuration",
            RandomizedRun.Faults.BY_SEED),
        new Pinned(1084761, 5, "membership, no pre-vote: n2, removed without hearing of it, and n3 kept campaigning; "
            + "each higher-term vote request reset the timer of n1, whose log was ahead of theirs (so it refused them), "
            + "and n1 never campaigned: no leader ever again. Only a leader's AppendEntries or a granted vote resets "
            + "the election timer now (Figure 2)", RandomizedRun.Faults.BY_SEED),
        new Pinned(2093624, 3, "membership: leader n3 of voters {2, 3} appended its own removal, crashed and restarted "
            + "not knowing its commit index; the rule of seed 394 looked for the configuration at that (lost) index "
            + "and found none it voted in, so the longest log never campaigned again. It now takes the configuration "
            + "before the newest one from the log", RandomizedRun.Faults.BY_SEED),
        new Pinned(2098602, 3, "membership: a snapshot recording voters {1, 2, 3}, the starting members, was read as "
            + "the starting configuration (in which n3 was a learner): n3, promoted since, restarted as a learner and "
            + "the cluster could not elect a leader", RandomizedRun.Faults.BY_SEED)
    );

    @TestFactory
    Stream<DynamicTest> pinnedSeedsStayFixed() {
        return PINNED.stream().map(p -> DynamicTest.dynamicTest(
            "seed " + p.seed() + " (" + p.nodes() + " nodes): " + p.bug(),
            () -> RandomizedRun.run(p.seed(), p.nodes(), p.faults())));
    }
}
