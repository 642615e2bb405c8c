package io.pontoon.scenario;

import io.pontoon.ResultCode;
import io.pontoon.sim.Proposal;
import io.pontoon.sim.SimNode;
import io.pontoon.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.pontoon.scenario.Scenarios.ELECTION_TIMEOUT_NS;
import static io.pontoon.scenario.Scenarios.MAX_ELECTION_TIMEOUT_NS;
import static io.pontoon.scenario.Scenarios.awaitAppliedEverywhere;
import static io.pontoon.scenario.Scenarios.awaitLeader;
import static io.pontoon.scenario.Scenarios.awaitLeaderOtherThan;
import static io.pontoon.scenario.Scenarios.cluster;
import static io.pontoon.scenario.Scenarios.config;
import static io.pontoon.scenario.Scenarios.logsConvergedTo;

/**
 * Crashes lose what was not durable, never what was committed: acknowledgements and the leader's own
 * vote count only durable entries. (The checker also verifies, at every commit, that the entry is
 * durable on a majority.)
 */
class CrashRecoveryScenariosTest {

    private static List<Proposal> proposeAndCommit(Simulation sim, int leader, int count) {
        final List<Proposal> proposals = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            proposals.add(sim.propose(leader));
        }
        sim.expect(sim.runUntil(() -> proposals.stream().allMatch(p -> p.outcome() == ResultCode.OK),
            ELECTION_TIMEOUT_NS), "all " + count + " proposals commit");
        return proposals;
    }

    private static void expectHoldsEveryCommittedEntry(Simulation sim, int id) {
        final SimNode n = sim.node(id);
        for (long i = 1; i <= sim.maxCommittedIndex(); i++) {
            sim.expect(n.log().termAt(i) == sim.committedTerm(i),
                "n" + id + " holds committed entry " + i + " (term " + sim.committedTerm(i) + ")");
        }
    }

    @Test
    void followerCrashAndRestartLosesNothingCommitted() {
        final Simulation sim = cluster(3, config().build(),
            "CrashRecoveryScenariosTest#followerCrashAndRestartLosesNothingCommitted").build().start();
        final int leader = awaitLeader(sim);
        final List<Proposal> before = proposeAndCommit(sim, leader, 20);
        final int follower = leader % 3 + 1;
        awaitAppliedEverywhere(sim, before.get(19).index());
        sim.crash(follower);
        final long durableAtCrash = sim.node(follower).log().lastIndex();
        final List<Proposal> during = proposeAndCommit(sim, leader, 20);
        sim.restart(follower);
        sim.expect(durableAtCrash >= before.get(19).index(), "the follower kept every entry it had acknowledged");
        awaitAppliedEverywhere(sim, during.get(19).index());
        expectHoldsEveryCommittedEntry(sim, follower);
        sim.expect(logsConvergedTo(sim, leader), "the restarted follower's log equals the leader's");
    }

    /** The follower's disk never completes: it must not acknowledge, so its crash costs nothing committed. */
    @Test
    void followerCrashLosingItsUnsyncedTailLosesNothingCommitted() {
        final Simulation sim = cluster(3, config().build(),
            "CrashRecoveryScenariosTest#followerCrashLosingItsUnsyncedTailLosesNothingCommitted").build().start();
        final int leader = awaitLeader(sim);
        proposeAndCommit(sim, leader, 5);
        final int slow = leader % 3 + 1;
        sim.holdDisk(slow);
        final List<Proposal> unsyncedThere = proposeAndCommit(sim, leader, 20);
        sim.expect(sim.node(slow).log().lastIndex() > sim.node(slow).log().durableIndex(),
            "the slow follower holds entries it has not made durable");
        sim.crash(slow);
        sim.releaseDisk(slow);
        sim.restart(slow);
        expectHoldsEveryCommittedEntry(sim, leader);
        awaitAppliedEverywhere(sim, unsyncedThere.get(19).index());
        sim.expect(logsConvergedTo(sim, leader), "the follower gets its lost tail back from the leader");
    }

    /**
     * The leader's disk never completes: it counts itself only at its durable index, so entries commit
     * on the two followers alone; when the leader crashes and loses its tail, nothing committed is lost.
     */
    @Test
    void leaderCrashBeforeItsDiskSyncsLosesNothingCommitted() {
        final Simulation sim = cluster(3, config().build(),
            "CrashRecoveryScenariosTest#leaderCrashBeforeItsDiskSyncsLosesNothingCommitted").build().start();
        final int leader = awaitLeader(sim);
        proposeAndCommit(sim, leader, 5);
        sim.holdDisk(leader);
        final List<Proposal> committed = proposeAndCommit(sim, leader, 20);
        sim.expect(sim.node(leader).log().durableIndex() < committed.get(0).index(),
            "the leader committed entries its own disk does not hold yet");
        sim.crash(leader);
        sim.releaseDisk(leader);
        final int next = awaitLeaderOtherThan(sim, 0, leader);
        expectHoldsEveryCommittedEntry(sim, next);
        sim.restart(leader);
        sim.expect(sim.runUntil(() -> logsConvergedTo(sim, next), 10 * MAX_ELECTION_TIMEOUT_NS),
            "the old leader gets the committed entries back");
        awaitAppliedEverywhere(sim, committed.get(19).index());
    }

    /** Everyone crashes at once: the durable logs and terms are enough to carry on with nothing lost. */
    @Test
    void wholeClusterRestartKeepsEveryCommittedEntry() {
        final Simulation sim = cluster(5, config().build(),
            "CrashRecoveryScenariosTest#wholeClusterRestartKeepsEveryCommittedEntry").build().start();
        final int leader = awaitLeader(sim);
        final List<Proposal> committed = proposeAndCommit(sim, leader, 30);
        for (int id = 1; id <= 5; id++) {
            sim.crash(id);
        }
        for (int id = 1; id <= 5; id++) {
            sim.restart(id);
        }
        final int next = awaitLeader(sim);
        expectHoldsEveryCommittedEntry(sim, next);
        final Proposal after = sim.propose(next);
        awaitAppliedEverywhere(sim, after.index());
        sim.expect(committed.stream().allMatch(Proposal::committed), "every proposal committed before stays committed");
    }
}
