package io.pontoon.sim;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.spi.Membership;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes (thesis §4), scripted in the simulator with every invariant on: growing, shrinking (the leader
 * too), replacing a failed node, changing during a partition, joint consensus, and the rule that a new leader commits
 * an entry of its own term before it changes the configuration. "No two disjoint quorums" and "one membership change
 * at a time" are checked on every configuration a leader appends.
 */
class MembershipScenariosTest {
    private static final long MS = 1_000_000L;

    private static Simulation cluster(int nodes, int spares) {
        final Simulation sim = Simulation.builder().seed(7).nodes(nodes).spares(spares)
            .config(RaftConfig.builder().electionTimeoutNs(100 * MS).heartbeatIntervalNs(20 * MS)
                .checkQuorum(true).preVote(true).proposalTimeoutNs(1_000 * MS).build())
            .build().start();
        sim.awaitLeader(2_000 * MS);
        commit(sim);
        return sim;
    }

    /** Commits one write through the current leader. */
    private static Proposal commit(Simulation sim) {
        assertTrue(sim.runUntil(() -> sim.leader() != 0, 3_000 * MS), "a leader\n" + sim.describeCluster());
        final Proposal p = sim.propose(sim.leader());
        assertTrue(sim.runUntil(() -> p.outcome() != null, 2_000 * MS), "an outcome: " + p);
        if (p.outcome() != ResultCode.OK) {
            return commit(sim); // lost to a leader change: try again with the new leader
        }
        return p;
    }

    /** The leader changes the configuration; runs until every up member has applied it. */
    private static Membership change(Simulation sim, java.util.function.UnaryOperator<Membership> change, String what) {
        assertTrue(sim.runUntil(() -> sim.leader() != 0, 3_000 * MS), "a leader");
        final long index = proposeUntilTaken(sim, sim.leader(), change, what);
        assertTrue(sim.runUntil(() -> sim.leader() != 0 && committedEverywhere(sim, index), 3_000 * MS),
            what + " committed and left joint\n" + sim.describeCluster() + sim.recentEvents());
        return sim.engine(sim.leader()).membership();
    }

    /**
     * Proposes on {@code id}; a new leader refuses until its first entry commits (MEMBERSHIP_CHANGE_PENDING), so a
     * refusal is retried a little later. Returns the index of the change's entry.
     */
    private static long proposeUntilTaken(Simulation sim, int id, java.util.function.UnaryOperator<Membership> change,
                                          String what) {
        for (int attempt = 0; attempt < 20; attempt++) {
            sim.changeMembership(sim.leader() == 0 ? id : sim.leader(), change, what);
            if (sim.lastMembershipResult > 0) {
                return sim.lastMembershipResult;
            }
            sim.runFor(20 * MS);
        }
        throw new AssertionError(what + " refused: " + (sim.lastMembershipResult < 0
            ? ResultCode.of((int) -sim.lastMembershipResult) : "skipped") + "\n" + sim.describeCluster());
    }

    /** Every up member's configuration is committed at or after {@code index}, and not joint. */
    private static boolean committedEverywhere(Simulation sim, long index) {
        final int leader = sim.leader();
        final Membership m = sim.engine(leader).membership();
        if (m.isJoint() || sim.engine(leader).membershipIndex() < index
            || sim.engine(leader).commitIndex() < sim.engine(leader).membershipIndex()) {
            return false;
        }
        for (int id : m.members()) {
            final SimNode n = sim.node(id);
            if (n.engine != null && !n.engine.membership().sameMembers(m)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void growThreeToFiveThroughLearnersThenSurviveTheLossOfTwo() {
        final Simulation sim = cluster(5, 2);
        change(sim, m -> m.withLearner(4, null), "add learner 4");
        change(sim, m -> m.withLearner(5, null), "add learner 5");
        final Proposal before = commit(sim);
        assertTrue(sim.runUntil(() -> sim.engine(4).lastApplied() >= before.result()
            && sim.engine(5).lastApplied() >= before.result(), 2_000 * MS), "the learners caught up");
        change(sim, m -> m.withVoter(4, null), "promote 4");
        final Membership five = change(sim, m -> m.withVoter(5, null), "promote 5");
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, five.voters());
        // Five voters: two of the original three down, and the cluster still commits (3 of 5).
        final int leader = sim.leader();
        int crashed = 0;
        for (int id = 1; id <= 3 && crashed < 2; id++) {
            if (id != leader) {
                sim.crash(id);
                crashed++;
            }
        }
        commit(sim);
    }

    @Test
    void shrinkFiveToThreeRemovingTheLeaderWhichStepsDown() {
        final Simulation sim = cluster(5, 0);
        final int old = sim.leader();
        final Membership four = change(sim, m -> m.without(old), "remove the leader n" + old);
        assertFalse(four.isMember(old));
        assertTrue(sim.runUntil(() -> sim.leader() != 0 && sim.leader() != old, 2_000 * MS), "a new leader");
        assertNotEquals(Role.LEADER, sim.engine(old).role(), "the removed leader stepped down");
        final int other = Arrays.stream(four.voters()).filter(id -> id != sim.leader()).findFirst().orElseThrow();
        final Membership three = change(sim, m -> m.without(other), "remove n" + other);
        assertEquals(3, three.voters().length);
        commit(sim);
        // The removed nodes never campaign again: run on and check nobody outside the configuration leads.
        sim.runFor(2_000 * MS);
        assertTrue(three.isVoter(sim.leader()), "the leader is a member: n" + sim.leader());
    }

    @Test
    void replaceAFailedNodeWithANewOneThatInstallsTheSnapshotAndKeepsItsConfigurationAcrossARestart() {
        final Simulation sim = cluster(4, 1);
        final int leader = sim.leader();
        final int failed = leader % 3 + 1;
        sim.crash(failed);
        for (int i = 0; i < 5; i++) {
            commit(sim);
        }
        // Compact the leader's log twice, so the new member needs the snapshot (which carries the configuration).
        sim.takeSnapshot(sim.leader());
        commit(sim);
        sim.takeSnapshot(sim.leader());
        change(sim, m -> m.withLearner(4, null), "add learner 4");
        final Proposal p = commit(sim);
        assertTrue(sim.runUntil(() -> sim.engine(4).lastApplied() >= p.result(), 2_000 * MS), "n4 caught up");
        assertTrue(sim.node(4).snapshotsInstalled > 0, "n4 installed the leader's snapshot");
        change(sim, m -> m.withVoter(4, null), "promote 4");
        final Membership replaced = change(sim, m -> m.without(failed), "remove failed n" + failed);
        assertEquals(3, replaced.members().length, replaced.describe());
        assertEquals(3, replaced.voters().length);
        assertTrue(replaced.isVoter(4));
        // n4 restarts: its configuration comes back from its snapshot and log, not from its start-up one.
        sim.crash(4);
        sim.restart(4);
        assertTrue(sim.engine(4).membership().sameMembers(replaced), "n4 after restart: "
            + sim.engine(4).membership().describe());
        // One of the two old voters fails too: the two left (n4 among them) still commit.
        final int survivor = sim.leader();
        final int other = Arrays.stream(replaced.voters()).filter(id -> id != survivor && id != 4).findFirst()
            .orElseThrow();
        sim.crash(other);
        commit(sim);
    }

    @Test
    void aChangeOnAMinorityLeaderNeverCommitsAndTheMajoritysChangeWins() {
        final Simulation sim = cluster(5, 0);
        final int old = sim.leader();
        final int buddy = old % 5 + 1;
        // The old leader and one follower are cut off from the other three.
        final int[] rest = Arrays.stream(new int[] {1, 2, 3, 4, 5}).filter(id -> id != old && id != buddy).toArray();
        sim.network().partition(new int[] {old, buddy}, rest);
        sim.changeMembership(old, m -> m.without(buddy), "minority: remove n" + buddy);
        assertTrue(sim.lastMembershipResult > 0, "the isolated leader appended its change");
        final long minorityIndex = sim.lastMembershipResult;
        assertTrue(sim.runUntil(() -> sim.leader() != 0 && sim.leader() != old, 3_000 * MS), "a majority leader");
        // The majority removes the old leader (a change it can commit: three of the four left are on its side).
        final int newLeader = sim.leader();
        final long majorityIndex = proposeUntilTaken(sim, newLeader, m -> m.without(old), "majority: remove n" + old);
        assertTrue(majorityIndex > 0, "the majority's leader took the change");
        assertTrue(sim.runUntil(() -> sim.engine(newLeader).commitIndex() >= majorityIndex, 2_000 * MS),
            "the majority committed its change while n" + buddy + " is cut off");
        final Membership majority = sim.engine(newLeader).membership();
        sim.network().heal();
        commit(sim);
        assertTrue(sim.runUntil(() -> sim.engine(buddy).membership().sameMembers(majority), 3_000 * MS),
            "the minority's follower dropped the uncommitted change for the majority's: "
                + sim.engine(buddy).membership().describe());
        assertTrue(majority.isVoter(buddy), "the minority's change never took effect");
        assertTrue(sim.committedTerm(minorityIndex) != sim.engine(old).log().termAt(minorityIndex)
            || sim.maxCommittedIndex() < minorityIndex, "the minority's entry was never committed");
        // The removed old leader hears from nobody; it never leads again (pre-vote keeps it from disrupting).
        sim.runFor(2_000 * MS);
        assertNotEquals(old, sim.leader());
        commit(sim);
    }

    @Test
    void replacingTwoVotersAtOnceGoesThroughJointConsensus() {
        final Simulation sim = cluster(5, 2);
        change(sim, m -> m.withLearner(4, null).withLearner(5, null), "add learners 4 and 5");
        final int keep = sim.leader();
        final int[] goners = Arrays.stream(new int[] {1, 2, 3}).filter(id -> id != keep).toArray();
        final Membership target = Membership.of(new int[] {keep, 4, 5}, new int[0]);
        sim.changeMembership(keep, m -> target, "replace " + Arrays.toString(goners) + " by 4 and 5");
        assertTrue(sim.lastMembershipResult > 0, "taken");
        final long jointIndex = sim.lastMembershipResult;
        assertTrue(sim.engine(keep).membership().isJoint(), "the first entry is the joint configuration: "
            + sim.engine(keep).membership().describe());
        assertEquals(ResultCode.MEMBERSHIP_CHANGE_PENDING.ordinal(), -(int) proposeNow(sim, keep,
            m -> Membership.of(new int[] {keep, 4}, new int[0])), "no second change while joint");
        assertTrue(sim.runUntil(() -> committedEverywhere(sim, jointIndex), 3_000 * MS), "left joint");
        assertArrayEquals(new int[] {keep, 4, 5}, sim.engine(sim.leader()).membership().voters());
        // The removed voters no longer count: crash both, the new three still commit.
        for (int id : goners) {
            sim.crash(id);
        }
        commit(sim);
    }

    @Test
    void aNewLeaderChangesNothingBeforeAnEntryOfItsOwnTermIsCommitted() {
        final Simulation sim = cluster(3, 0);
        final int old = sim.leader();
        sim.crash(old);
        // Step to the exact moment a new leader appears: its no-op is not committed yet.
        assertTrue(sim.runUntil(() -> sim.leader() != 0, 3_000 * MS), "a new leader");
        final int leader = sim.leader();
        assertTrue(sim.engine(leader).commitIndex() < sim.engine(leader).log().lastIndex(), "no-op not committed");
        assertEquals(ResultCode.MEMBERSHIP_CHANGE_PENDING.ordinal(), -(int) proposeNow(sim, leader,
            m -> m.without(old)));
        commit(sim);
        change(sim, m -> m.without(old), "remove crashed n" + old);
    }

    /** The checker's "no two disjoint quorums" can fail: two voters swapped at once, without joint consensus. */
    @Test
    void theQuorumCheckFlagsAChangeOfTwoVotersWithoutJointConsensus() {
        final Membership three = Membership.of(new int[] {1, 2, 3}, new int[0]);
        assertFalse(SafetyChecker.quorumsOverlap(three, Membership.of(new int[] {1, 4, 5}, new int[0])));
        assertFalse(SafetyChecker.quorumsOverlap(Membership.of(new int[] {1, 2, 3, 4}, new int[0]),
            Membership.of(new int[] {1, 2, 3, 5, 6}, new int[0])), "thesis §4.1 errata: two uncommitted single steps");
        assertTrue(SafetyChecker.quorumsOverlap(three, Membership.of(new int[] {1, 2, 3, 4}, new int[0])));
        assertTrue(SafetyChecker.quorumsOverlap(three, Membership.of(new int[] {1, 2}, new int[] {3})));
        final Membership joint = three.jointTo(Membership.of(new int[] {1, 4, 5}, new int[0]));
        assertTrue(SafetyChecker.quorumsOverlap(three, joint));
        assertTrue(SafetyChecker.quorumsOverlap(joint, joint.leaveJoint()));
    }

    /** Proposes a change on {@code id} in the current step and returns what the engine said. */
    private static long proposeNow(Simulation sim, int id, java.util.function.UnaryOperator<Membership> change) {
        sim.changeMembership(id, change, "probe");
        return sim.lastMembershipResult;
    }
}
