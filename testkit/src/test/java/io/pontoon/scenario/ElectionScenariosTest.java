package io.pontoon.scenario;

import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.engine.RandomSource;
import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.sim.Proposal;
import io.pontoon.sim.SimNode;
import io.pontoon.sim.Simulation;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static io.pontoon.scenario.Scenarios.ELECTION_TIMEOUT_NS;
import static io.pontoon.scenario.Scenarios.MAX_ELECTION_TIMEOUT_NS;
import static io.pontoon.scenario.Scenarios.MS;
import static io.pontoon.scenario.Scenarios.awaitLeader;
import static io.pontoon.scenario.Scenarios.awaitLeaderOtherThan;
import static io.pontoon.scenario.Scenarios.cluster;
import static io.pontoon.scenario.Scenarios.config;
import static io.pontoon.scenario.Scenarios.logsConvergedTo;

/** Elections under partitions: split votes, stale leaders, minority leaders, pre-vote and check-quorum. */
class ElectionScenariosTest {

    /**
     * With identical timeouts every node campaigns at once and votes for itself, round after round;
     * once the timeouts are randomized again (§5.2) one node gets ahead and wins.
     */
    @Test
    void splitVotesResolveOnceElectionTimeoutsAreRandomized() {
        final boolean[] identicalTimeouts = {true};
        final Simulation sim = cluster(3, config().build(),
            "ElectionScenariosTest#splitVotesResolveOnceElectionTimeoutsAreRandomized")
            .alignedTicks(true)
            .networkDelay(1 * MS, 0)
            .randomSources((id, incarnation) -> {
                final RandomSource random = RandomSource.seeded(id * 1000L + incarnation);
                return bound -> identicalTimeouts[0] ? 0 : random.nextLong(bound);
            })
            .build().start();
        sim.runFor(8 * ELECTION_TIMEOUT_NS);
        final long splitTerm = maxTerm(sim);
        sim.expect(sim.leader() == 0 && splitTerm >= 3,
            "with identical timeouts the votes split every round: no leader after " + splitTerm + " terms");

        identicalTimeouts[0] = false;
        final int leader = awaitLeader(sim);
        sim.expect(sim.engine(leader).term() > splitTerm, "the winner's term is above the split terms");
        sim.runFor(3 * ELECTION_TIMEOUT_NS);
        sim.expect(sim.leader() == leader && countLeaders(sim) == 1, "exactly one leader, and it stays");
    }

    /** A leader cut off from everyone keeps its stale term; when it reconnects it learns the new term and follows. */
    @Test
    void staleLeaderRejoiningStepsDown() {
        final Simulation sim = cluster(5, config().checkQuorum(false).build(),
            "ElectionScenariosTest#staleLeaderRejoiningStepsDown").build().start();
        final int old = awaitLeader(sim);
        final long oldTerm = sim.engine(old).term();
        sim.network().isolate(old);
        final int next = awaitLeaderOtherThan(sim, oldTerm, old);
        final Proposal stale = sim.propose(old);
        sim.expect(stale.accepted() && sim.node(old).role() == Role.LEADER,
            "the isolated leader still believes it leads term " + oldTerm + " and accepts " + stale);
        final Proposal fresh = sim.propose(next);
        Scenarios.awaitAppliedEverywhere(sim, 0);

        sim.network().reconnect(old);
        sim.expect(sim.runUntil(() -> sim.node(old).role() == Role.FOLLOWER
                && sim.engine(old).term() == sim.engine(next).term(), 2 * ELECTION_TIMEOUT_NS),
            "the stale leader steps down to the new term");
        sim.expect(sim.runUntil(() -> sim.engine(old).leaderId() == next, ELECTION_TIMEOUT_NS), "it follows n" + next);
        Scenarios.commitPast(sim, next, stale.index());
        sim.expect(sim.runUntil(() -> stale.outcome() != null, ELECTION_TIMEOUT_NS),
            "once its index is committed it learns the fate of its proposal");
        sim.expect(stale.outcome() == ResultCode.LEADERSHIP_LOST && !stale.committed(),
            "its stale entry was overwritten: " + stale);
        sim.expect(sim.runUntil(() -> fresh.committed() && logsConvergedTo(sim, next), ELECTION_TIMEOUT_NS),
            "the new leader's entries reach everyone");
    }

    /** A leader on the minority side of a partition accepts proposals but can never commit them. */
    @Test
    void minoritySideLeaderCannotCommit() {
        final Simulation sim = cluster(5, config().checkQuorum(false).build(),
            "ElectionScenariosTest#minoritySideLeaderCannotCommit").build().start();
        final int old = awaitLeader(sim);
        final long oldTerm = sim.engine(old).term();
        final int buddy = old % 5 + 1;
        final int[] majority = IntStream.rangeClosed(1, 5).filter(i -> i != old && i != buddy).toArray();
        sim.network().partition(new int[] {old, buddy}, majority);
        final long commitBefore = sim.engine(old).commitIndex();
        final Proposal[] minority = {sim.propose(old), sim.propose(old), sim.propose(old)};
        sim.runFor(10 * ELECTION_TIMEOUT_NS);
        sim.expect(sim.node(old).role() == Role.LEADER && sim.engine(old).term() == oldTerm,
            "without check-quorum the minority leader keeps leading term " + oldTerm);
        sim.expect(sim.engine(old).commitIndex() == commitBefore,
            "it commits nothing: commitIndex stays " + commitBefore + ", is " + sim.engine(old).commitIndex());
        sim.expect(sim.node(buddy).log().lastIndex() >= minority[2].index(), "its follower did receive the entries");
        final int next = awaitLeaderOtherThan(sim, oldTerm, old, buddy);
        final Proposal majorityProposal = sim.propose(next);
        sim.expect(sim.runUntil(majorityProposal::committed, ELECTION_TIMEOUT_NS), "the majority side commits");

        sim.network().heal();
        Scenarios.commitPast(sim, next, minority[2].index());
        sim.expect(sim.runUntil(() -> logsConvergedTo(sim, next) && minority[2].outcome() != null,
            10 * MAX_ELECTION_TIMEOUT_NS), "after healing the logs converge to the majority leader's");
        for (Proposal p : minority) {
            sim.expect(p.outcome() == ResultCode.LEADERSHIP_LOST && !p.committed(),
                "a minority-side proposal is reported lost and never committed: " + p);
        }
    }

    /**
     * Pre-vote (thesis §9.6): a node cut off from the cluster cannot win a pre-vote, so its term never
     * rises; when it comes back the leader is undisturbed.
     */
    @Test
    void preVoteKeepsARejoiningPartitionedNodeFromDisruptingTheLeader() {
        final Simulation sim = cluster(3, config().preVote(true).build(),
            "ElectionScenariosTest#preVoteKeepsARejoiningPartitionedNodeFromDisruptingTheLeader").build().start();
        final int leader = awaitLeader(sim);
        final long term = sim.engine(leader).term();
        final int loner = leader % 3 + 1;
        sim.network().isolate(loner);
        sim.runFor(10 * MAX_ELECTION_TIMEOUT_NS);
        sim.expect(sim.engine(loner).term() == term, "the isolated node's term stays " + term);
        sim.network().reconnect(loner);
        sim.runFor(5 * MAX_ELECTION_TIMEOUT_NS);
        sim.expect(sim.leader() == leader && sim.engine(leader).term() == term,
            "the leader and its term are unchanged after the node rejoins");
        sim.expect(sim.node(loner).role() == Role.FOLLOWER && sim.engine(loner).leaderId() == leader,
            "the rejoined node follows the leader");
    }

    /** The contrast: without pre-vote the isolated node's term climbs and its return deposes the leader. */
    @Test
    void withoutPreVoteARejoiningPartitionedNodeForcesANewElection() {
        final Simulation sim = cluster(3, config().preVote(false).checkQuorum(false).build(),
            "ElectionScenariosTest#withoutPreVoteARejoiningPartitionedNodeForcesANewElection").build().start();
        final int leader = awaitLeader(sim);
        final long term = sim.engine(leader).term();
        final int loner = leader % 3 + 1;
        sim.network().isolate(loner);
        sim.runFor(10 * MAX_ELECTION_TIMEOUT_NS);
        sim.expect(sim.engine(loner).term() > term + 3, "the isolated node campaigns again and again");
        sim.network().reconnect(loner);
        sim.runFor(5 * MAX_ELECTION_TIMEOUT_NS);
        final int after = awaitLeader(sim);
        sim.expect(sim.engine(after).term() > term, "the cluster had to elect a leader in a higher term");
    }

    /** Check-quorum: a leader that hears from no majority for an election timeout steps down. */
    @Test
    void checkQuorumMakesAnIsolatedLeaderStepDown() {
        final Simulation sim = cluster(3, config().checkQuorum(true).build(),
            "ElectionScenariosTest#checkQuorumMakesAnIsolatedLeaderStepDown").build().start();
        final int leader = awaitLeader(sim);
        sim.runFor(ELECTION_TIMEOUT_NS);
        sim.network().isolate(leader);
        final long isolatedAt = sim.nowNs();
        sim.expect(sim.runUntil(() -> sim.node(leader).role() != Role.LEADER, 3 * ELECTION_TIMEOUT_NS),
            "the isolated leader steps down");
        sim.expect(sim.nowNs() - isolatedAt <= 2 * ELECTION_TIMEOUT_NS + 2 * MS,
            "within two check-quorum rounds (it stepped down after " + (sim.nowNs() - isolatedAt) / MS + " ms)");
        final Proposal refused = sim.propose(leader);
        sim.expect(refused.rejection() == ResultCode.NOT_LEADER, "it refuses proposals: " + refused);
    }

    /** Without check-quorum the same isolated leader never notices. */
    @Test
    void withoutCheckQuorumAnIsolatedLeaderKeepsLeading() {
        final Simulation sim = cluster(3, config().checkQuorum(false).build(),
            "ElectionScenariosTest#withoutCheckQuorumAnIsolatedLeaderKeepsLeading").build().start();
        final int leader = awaitLeader(sim);
        sim.network().isolate(leader);
        sim.runFor(10 * ELECTION_TIMEOUT_NS);
        sim.expect(sim.node(leader).role() == Role.LEADER, "the isolated leader still leads its stale term");
    }

    private static long maxTerm(Simulation sim) {
        long max = 0;
        for (SimNode n : sim.nodes()) {
            max = Math.max(max, n.engine().term());
        }
        return max;
    }

    private static int countLeaders(Simulation sim) {
        int count = 0;
        for (SimNode n : sim.nodes()) {
            if (n.isUp() && n.role() == Role.LEADER) {
                count++;
            }
        }
        return count;
    }

    /**
     * Issue 9: a peer that sends a term no correct peer could (Long.MAX_VALUE, or 2^40 above ours) used to have it
     * persisted, and the next election's term + 1 overflowed. Now the message is refused and nothing changes:
     * the leader keeps leading in its term and proposals keep committing.
     */
    @Test
    void absurdTermsFromAFaultyPeerChangeNothingAndTheClusterKeepsItsLeader() {
        final Simulation sim = cluster(3, config().build(),
            "ElectionScenariosTest#absurdTermsFromAFaultyPeerChangeNothingAndTheClusterKeepsItsLeader").build().start();
        final int leader = awaitLeader(sim);
        final long term = sim.engine(leader).term();
        final int follower = leader % 3 + 1;
        final int other = 6 - leader - follower;
        for (long absurd : new long[] {Long.MAX_VALUE, term + (1L << 40)}) {
            final byte[] heartbeat = new byte[64];
            final int hbLength = HeartbeatCodec.encode(new UnsafeBuffer(heartbeat),
                0, absurd, 0);
            final byte[] append = new byte[64];
            final int aeLength = new AppendEntriesCodec()
                .encode(new UnsafeBuffer(append), 0, absurd, 0, 0, 0).length();
            for (int to : new int[] {leader, other}) {
                sim.expect(sim.deliverForged(follower, to, MessageType.HEARTBEAT,
                    Arrays.copyOf(heartbeat, hbLength)) != null, "n" + to + " refuses HEARTBEAT term " + absurd);
                sim.expect(sim.deliverForged(follower, to, MessageType.APPEND_ENTRIES,
                    Arrays.copyOf(append, aeLength)) != null, "n" + to + " refuses AppendEntries term " + absurd);
            }
        }
        final Proposal p = sim.propose(leader);
        sim.runFor(10 * MAX_ELECTION_TIMEOUT_NS);
        sim.expect(sim.leader() == leader && sim.engine(leader).term() == term, "n" + leader + " still leads term " + term);
        for (int id = 1; id <= 3; id++) {
            sim.expect(sim.engine(id).term() == term, "n" + id + " is still in term " + term);
        }
        sim.expect(p.outcome() == ResultCode.OK, "a proposal after the forged messages commits");
    }
}
