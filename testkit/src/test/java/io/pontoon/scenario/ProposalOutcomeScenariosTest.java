package io.pontoon.scenario;

import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.sim.Proposal;
import io.pontoon.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static io.pontoon.scenario.Scenarios.ELECTION_TIMEOUT_NS;
import static io.pontoon.scenario.Scenarios.MS;
import static io.pontoon.scenario.Scenarios.awaitLeader;
import static io.pontoon.scenario.Scenarios.awaitLeaderOtherThan;
import static io.pontoon.scenario.Scenarios.cluster;
import static io.pontoon.scenario.Scenarios.config;

/** What a client learns about its proposal: at once when refused, exactly once and honestly when accepted. */
class ProposalOutcomeScenariosTest {

    @Test
    void proposalOnAFollowerFailsWithNotLeaderAndTheFollowerNamesTheLeader() {
        final Simulation sim = cluster(3, config().build(),
            "ProposalOutcomeScenariosTest#proposalOnAFollowerFailsWithNotLeaderAndTheFollowerNamesTheLeader")
            .build().start();
        final int leader = awaitLeader(sim);
        sim.runFor(ELECTION_TIMEOUT_NS);
        final int follower = leader % 3 + 1;
        final Proposal p = sim.propose(follower);
        sim.expect(p.rejection() == ResultCode.NOT_LEADER, "a follower refuses at once: " + p);
        sim.expect(sim.engine(follower).leaderId() == leader, "and names n" + leader + " as the leader");
        sim.runFor(ELECTION_TIMEOUT_NS);
        sim.expect(p.outcome() == null && sim.node(follower).log().lastIndex() == sim.node(leader).log().lastIndex(),
            "nothing was appended and no outcome follows a refusal");
    }

    @Test
    void proposalOnACandidateFailsWithNotLeaderAndNoKnownLeader() {
        final Simulation sim = cluster(3, config().preVote(false).build(),
            "ProposalOutcomeScenariosTest#proposalOnACandidateFailsWithNotLeaderAndNoKnownLeader").build().start();
        final int leader = awaitLeader(sim);
        final int loner = leader % 3 + 1;
        sim.network().isolate(loner);
        sim.expect(sim.runUntil(() -> sim.node(loner).role() == Role.CANDIDATE, 4 * ELECTION_TIMEOUT_NS),
            "the isolated node becomes a candidate");
        final Proposal p = sim.propose(loner);
        sim.expect(p.rejection() == ResultCode.NOT_LEADER && sim.engine(loner).leaderId() == 0,
            "a candidate refuses with NOT_LEADER and knows no leader: " + p);
    }

    @Test
    void emptyProposalIsRefusedAsInvalid() {
        final Simulation sim = cluster(3, config().build(),
            "ProposalOutcomeScenariosTest#emptyProposalIsRefusedAsInvalid").build().start();
        final int leader = awaitLeader(sim);
        final long last = sim.node(leader).log().lastIndex();
        final Proposal p = sim.proposeEmpty(leader);
        sim.expect(p.rejection() == ResultCode.INVALID && sim.node(leader).log().lastIndex() == last,
            "an empty payload is INVALID and nothing is appended: " + p);
    }

    @Test
    void proposalsBeyondThePendingCapAreRefusedAsBusy() {
        final Simulation sim = cluster(3, config().maxPendingProposals(4).build(),
            "ProposalOutcomeScenariosTest#proposalsBeyondThePendingCapAreRefusedAsBusy").build().start();
        final int leader = awaitLeader(sim);
        for (int i = 0; i < 4; i++) {
            sim.expect(sim.propose(leader).accepted(), "proposal " + (i + 1) + " of 4 is accepted");
        }
        final Proposal fifth = sim.propose(leader);
        sim.expect(fifth.rejection() == ResultCode.REJECTED_BUSY, "the fifth waits for room: " + fifth);
        sim.runFor(ELECTION_TIMEOUT_NS);
        sim.expect(sim.propose(leader).accepted(), "once the first four commit there is room again");
    }

    /**
     * A leader loses leadership with proposals in flight (cut off at a different moment on each seed):
     * once the new leader commits past them, each proposal either committed and is reported OK, or was
     * replaced and is reported LEADERSHIP_LOST; never both, and never no answer (long before its timeout).
     */
    @Test
    void proposalOnALeaderThatLosesLeadershipEitherCommitsOrFailsNeverBothNeverHangs() {
        final Map<ResultCode, Integer> seen = new EnumMap<>(ResultCode.class);
        for (long seed = 1; seed <= 30; seed++) {
            final Simulation sim = cluster(5, config().proposalTimeoutNs(5_000 * MS).build(),
                "ProposalOutcomeScenariosTest#proposalOnALeaderThatLosesLeadershipEitherCommitsOrFailsNeverBothNeverHangs")
                .seed(seed).build().start();
            final int old = awaitLeader(sim);
            sim.runFor(ELECTION_TIMEOUT_NS);
            final List<Proposal> inFlight = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                inFlight.add(sim.propose(old));
                sim.runFor(seed % 4 * 100_000L);
            }
            sim.runFor(seed % 5 * 300_000L);
            sim.network().isolate(old);
            final int next = awaitLeaderOtherThan(sim, sim.engine(old).term(), old);
            sim.propose(next);
            sim.runFor(ELECTION_TIMEOUT_NS);
            sim.network().heal();
            Scenarios.commitPast(sim, next, inFlight.get(inFlight.size() - 1).index());
            final long deadline = 2 * Scenarios.MAX_ELECTION_TIMEOUT_NS;
            sim.expect(sim.runUntil(() -> inFlight.stream().allMatch(p -> p.outcome() != null), deadline),
                "seed " + seed + ": every accepted proposal gets an outcome, long before its timeout: " + inFlight);
            for (Proposal p : inFlight) {
                sim.expect(p.outcome() == ResultCode.OK ? p.committed()
                        : p.outcome() == ResultCode.LEADERSHIP_LOST && !p.committed(),
                    "seed " + seed + ": OK means committed, LEADERSHIP_LOST means never committed: " + p);
                seen.merge(p.outcome(), 1, Integer::sum);
            }
        }
        if (!seen.containsKey(ResultCode.OK) || !seen.containsKey(ResultCode.LEADERSHIP_LOST)) {
            throw new AssertionError("the seeds should exercise both outcomes, saw " + seen);
        }
    }

    /** Cut off for good, a leader's proposal can neither commit nor be overwritten: it times out. */
    @Test
    void proposalWithNoKnownOutcomeTimesOutAfterProposalTimeout() {
        final long timeoutNs = 1_000 * MS;
        final Simulation sim = cluster(3, config().checkQuorum(false).proposalTimeoutNs(timeoutNs).build(),
            "ProposalOutcomeScenariosTest#proposalWithNoKnownOutcomeTimesOutAfterProposalTimeout").build().start();
        final int leader = awaitLeader(sim);
        sim.network().isolate(leader);
        final Proposal p = sim.propose(leader);
        sim.runFor(timeoutNs - 2 * MS);
        sim.expect(p.outcome() == null, "no outcome before proposalTimeoutNs");
        sim.runFor(4 * MS);
        sim.expect(p.outcome() == ResultCode.TIMEOUT && !p.committed(), "TIMEOUT once it elapses: " + p);
    }
}
