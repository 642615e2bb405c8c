package io.pontoon.sim;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads (ReadIndex on the leader and through a follower, lease reads) and leadership transfer, scripted in the
 * simulator: every read is checked against the writes acknowledged before it started ("linearizable reads").
 */
class ReadAndTransferScenariosTest {
    private static final long MS = 1_000_000L;
    private static final long ELECTION_TIMEOUT_NS = 100 * MS;

    private static Simulation cluster(boolean checkQuorum, boolean leaseReads) {
        final Simulation sim = Simulation.builder().seed(5).nodes(3)
            .config(RaftConfig.builder().electionTimeoutNs(ELECTION_TIMEOUT_NS).heartbeatIntervalNs(20 * MS)
                .checkQuorum(checkQuorum).preVote(true).leaseReads(leaseReads).maxClockDriftNs(10 * MS)
                .transferTimeoutNs(300 * MS).proposalTimeoutNs(500 * MS).build())
            .build().start();
        sim.awaitLeader(2_000 * MS);
        return sim;
    }

    private static Proposal commit(Simulation sim, int id) {
        final Proposal p = sim.propose(id);
        assertTrue(sim.runUntil(() -> p.outcome() == ResultCode.OK, 1_000 * MS), "committed: " + p);
        return p;
    }

    @Test
    void readsOnTheLeaderAndOnAFollowerSeeEveryWriteAcknowledgedBeforeThem() {
        final Simulation sim = cluster(true, false);
        final int leader = sim.leader();
        final int follower = leader % 3 + 1;
        commit(sim, leader);
        final long okBefore = sim.checker.readsOk;
        sim.read(leader, false);
        sim.read(follower, false);
        assertTrue(sim.runUntil(() -> sim.checker.readsOk == okBefore + 2, 500 * MS), "both reads answered");
        assertEquals(0, sim.checker.readsFailed);
    }

    @Test
    void aDeposedLeaderNeverAnswersAReadWhileTheNewLeaderTakesWrites() {
        final Simulation sim = cluster(false, false); // no check-quorum: the old leader keeps believing it leads
        final int old = sim.leader();
        commit(sim, old);
        sim.network().isolate(old);
        assertTrue(sim.runUntil(() -> sim.leader() != old && sim.leader() != 0, 2_000 * MS), "a new leader");
        commit(sim, sim.leader());
        assertEquals(Role.LEADER, sim.engine(old).role(), "the isolated node still believes it leads");
        final long okBefore = sim.checker.readsOk;
        sim.read(old, false);
        sim.runFor(600 * MS); // past proposalTimeout: the read fails, it is never answered OK
        assertEquals(okBefore, sim.checker.readsOk);
        assertEquals(1, sim.checker.readsFailed, "the read timed out");
    }

    @Test
    void theReadInvariantCatchesALeaderThatAnswersFromItsOwnCommitIndex() {
        final Simulation sim = cluster(false, false).mutantLocalReads();
        final int old = sim.leader();
        commit(sim, old);
        sim.network().isolate(old);
        assertTrue(sim.runUntil(() -> sim.leader() != old && sim.leader() != 0, 2_000 * MS), "a new leader");
        commit(sim, sim.leader());
        final SimulationFailure f = assertThrows(SimulationFailure.class, () -> sim.read(old, false));
        assertEquals("linearizable reads", f.invariant());
    }

    @Test
    void aLeaseReadIsAnsweredAtOnceAndRefusedOnceTheLeaseHasExpired() {
        final Simulation sim = cluster(true, true);
        final int leader = sim.leader();
        commit(sim, leader);
        sim.runFor(50 * MS); // heartbeat rounds answered: the lease holds
        final long okBefore = sim.checker.readsOk;
        sim.read(leader, true);
        assertEquals(okBefore + 1, sim.checker.readsOk, "answered in the same step, without a round");
        // The followers stop answering; before check-quorum deposes the leader, its lease runs out.
        for (int id = 1; id <= 3; id++) {
            if (id != leader) {
                sim.network().cut(id, leader);
            }
        }
        sim.runFor(ELECTION_TIMEOUT_NS);
        final long failedBefore = sim.checker.readsFailed;
        sim.read(leader, true);
        assertEquals(failedBefore + 1, sim.checker.readsFailed, "refused: LEASE_EXPIRED or NOT_LEADER");
        assertEquals(okBefore + 1, sim.checker.readsOk);
    }

    @Test
    void aTransferToALaggingMemberWaitsForItToCatchUpThenHandsOver() {
        final Simulation sim = cluster(true, false);
        final int leader = sim.leader();
        final int target = leader % 3 + 1;
        sim.network().isolate(target);
        for (int i = 0; i < 20; i++) {
            sim.propose(leader);
        }
        commit(sim, leader);
        final long term = sim.engine(leader).term();
        sim.network().reconnect(target);
        sim.transferLeadership(leader, target);
        final Proposal refused = sim.propose(leader);
        assertEquals(ResultCode.LEADERSHIP_TRANSFER, refused.rejection(), "no proposals during the transfer");
        assertTrue(sim.runUntil(() -> sim.leader() == target, 2 * ELECTION_TIMEOUT_NS),
            "the target leads: " + sim.describeCluster());
        assertEquals(term + 1, sim.engine(target).term(), "one election, no pre-vote round lost");
        commit(sim, target);
    }

    @Test
    void aLearnerReceivesEveryEntryButNeverCountsTowardACommitNorLeads() {
        final Simulation sim = Simulation.builder().seed(9).nodes(3).learners(1)
            .config(RaftConfig.builder().electionTimeoutNs(ELECTION_TIMEOUT_NS).heartbeatIntervalNs(20 * MS).build())
            .build().start();
        final int leader = sim.awaitLeader(2_000 * MS);
        final int learner = 3;
        assertNotEquals(learner, leader);
        final Proposal first = commit(sim, leader);
        assertTrue(sim.runUntil(() -> sim.engine(learner).lastApplied() >= first.index(), 500 * MS),
            "the learner applies what the voters commit");
        assertEquals(ResultCode.INVALID.ordinal(), -sim.engine(leader).transferLeadership(learner),
            "a learner cannot be handed leadership");
        // The leader and the learner are two of three members, but one of the two voters: nothing commits.
        sim.network().isolate(leader == 1 ? 2 : 1);
        final Proposal stuck = sim.propose(leader);
        sim.runFor(3 * ELECTION_TIMEOUT_NS);
        assertEquals(null, stuck.outcome(), "committed with the learner's help: " + stuck);
        assertEquals(Role.FOLLOWER, sim.engine(learner).role(), "a learner never campaigns");
        sim.network().heal();
        assertTrue(sim.runUntil(() -> sim.leader() != 0 && sim.leader() != learner, 2_000 * MS));
        commit(sim, sim.leader());
    }

    @Test
    void leadershipMovesBackToThePreferredLeaderOnceItIsBackAndCaughtUp() {
        final Simulation sim = Simulation.builder().seed(13).nodes(3)
            .config(RaftConfig.builder().electionTimeoutNs(ELECTION_TIMEOUT_NS).heartbeatIntervalNs(20 * MS)
                .preferredLeader(1).build())
            .build().start();
        assertTrue(sim.runUntil(() -> sim.leader() == 1, 3_000 * MS), "node 1 leads: " + sim.describeCluster());
        sim.network().isolate(1);
        assertTrue(sim.runUntil(() -> sim.leader() != 0 && sim.leader() != 1, 2_000 * MS), "another leader");
        final int interim = sim.leader();
        for (int i = 0; i < 10; i++) {
            sim.propose(interim);
        }
        commit(sim, interim);
        sim.network().reconnect(1);
        // Node 1 catches up, then the interim leader hands over: one transfer, no proposal lost on the way.
        assertTrue(sim.runUntil(() -> sim.leader() == 1, 3_000 * MS), "back to node 1: " + sim.describeCluster());
        commit(sim, 1);
    }

    @Test
    void aTransferThatCannotCompleteTimesOutAndTheLeaderTakesProposalsAgain() {
        final Simulation sim = cluster(true, false);
        final int leader = sim.leader();
        final int target = leader % 3 + 1;
        sim.network().cut(leader, target); // the target never hears from the leader
        sim.transferLeadership(leader, target);
        assertEquals(ResultCode.LEADERSHIP_TRANSFER, sim.propose(leader).rejection());
        sim.runFor(350 * MS); // past transferTimeout
        assertEquals(leader, sim.leader());
        assertNotEquals(ResultCode.LEADERSHIP_TRANSFER, sim.propose(leader).rejection());
        assertEquals(0, sim.engine(leader).transferTarget());
    }
}
