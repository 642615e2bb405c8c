package io.pontoon.engine;

import io.pontoon.ResultCode;
import io.pontoon.Role;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.pontoon.engine.EngineFixture.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** RaftEngine.propose and the outcome reported for each accepted proposal. */
class ProposalsTest {

    private static long code(ResultCode c) {
        return -c.ordinal();
    }

    @Test
    void proposalOnAFollowerReturnsNotLeader() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        f.appendEntries(2, 1, 0, 0, 0);
        assertEquals(code(ResultCode.NOT_LEADER), f.propose(8));
        assertEquals(2, f.engine.leaderId(), "the caller can redirect to node 2");
        assertEquals(0, f.log.lastIndex());
    }

    @Test
    void emptyOrOversizedProposalIsInvalid() {
        final EngineFixture f = new EngineFixture(3, true, EngineFixture.config().maxEntryBytes(100).build()).start();
        f.electSelf();
        assertEquals(code(ResultCode.INVALID), f.propose(0));
        assertEquals(code(ResultCode.INVALID), f.propose(101));
        assertEquals(2, f.propose(100));
    }

    @Test
    void proposalIsReportedOkOnceCommittedAndApplied() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf();
        final long index = f.propose(8);
        assertEquals(2, index);
        assertEquals(List.of(), f.outcomes, "no outcome before a majority has it");
        f.appendSuccess(2, term, 2);
        assertEquals(List.of(new EngineFixture.Outcome(1001, ResultCode.OK, 2)), f.outcomes);
        assertEquals(List.of(2L), f.committedLsns);
    }

    @Test
    void overwrittenProposalIsReportedLeadershipLostOnceTheReplacingEntryCommits() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf();
        assertEquals(2, f.propose(8));
        f.appendEntries(2, term + 1, 1, term, 0, term + 1);
        assertEquals(Role.FOLLOWER, f.engine.role());
        assertEquals(List.of(), f.outcomes,
            "our copy is gone, but another node may still hold the entry and a later leader commit it");
        f.appendEntries(2, term + 1, 2, term + 1, 2);
        assertEquals(List.of(new EngineFixture.Outcome(1001, ResultCode.LEADERSHIP_LOST, 2)), f.outcomes,
            "index 2 is committed with the new leader's entry: ours definitely is not");
    }

    /** Simulation seed 102147: the proposer's copy is overwritten, yet the entry survives and commits. */
    @Test
    void proposalWhoseEntrySurvivesElsewhereIsReportedOkWhenALaterLeaderCommitsIt() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf();
        assertEquals(2, f.propose(8));
        f.appendEntries(2, term + 1, 1, term, 0, term + 1); // node 2 (term+1) overwrites our index 2
        f.appendEntries(3, term + 2, 1, term, 0, term, term + 2); // node 3 (term+2) still had ours at 2
        f.appendEntries(3, term + 2, 3, term + 2, 3);
        assertEquals(List.of(new EngineFixture.Outcome(1001, ResultCode.OK, 2)), f.outcomes,
            "our entry came back and was committed: OK, never LEADERSHIP_LOST");
    }

    @Test
    void onlyProposalsWhoseEntriesAreReplacedAreReportedLost() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf();
        assertEquals(2, f.propose(8));
        assertEquals(3, f.propose(8));
        f.appendEntries(2, term + 1, 2, term, 0, term + 1);
        f.appendEntries(2, term + 1, 3, term + 1, 3);
        assertEquals(List.of(new EngineFixture.Outcome(1001, ResultCode.OK, 2),
                new EngineFixture.Outcome(1002, ResultCode.LEADERSHIP_LOST, 3)), f.outcomes,
            "the new leader kept index 2 and replaced index 3");
    }

    /**
     * Reported by the simulation work: orphaned proposals beyond the log of a node that leads again must not
     * hold up the index-ordered outcome queue behind them (a new proposal's OK would wait for their timeout).
     */
    @Test
    void reElectedLeaderReportsOrphansItNoLongerHoldsAsUnknownAndAnswersNewProposalsPromptly() {
        final EngineFixture f = EngineFixture.threeNodes().start();
        final long term = f.electSelf();
        assertEquals(2, f.propose(8));
        assertEquals(3, f.propose(8));
        assertEquals(4, f.propose(8));
        f.appendEntries(2, term + 1, 1, term, 0, term + 1); // node 2 (term+1) overwrites from index 2: we keep [1, 2]
        assertEquals(List.of(), f.outcomes);
        f.electSelf();
        assertEquals(List.of(new EngineFixture.Outcome(1003, ResultCode.TIMEOUT, 4),
                new EngineFixture.Outcome(1002, ResultCode.TIMEOUT, 3)), f.outcomes,
            "entries 3 and 4 are gone from our log: outcome unknown, reported at once");
        f.outcomes.clear();
        assertEquals(4, f.propose(8)); // index 3 is the new term's no-op
        f.appendSuccess(2, f.engine.term(), 4);
        assertEquals(List.of(new EngineFixture.Outcome(1001, ResultCode.LEADERSHIP_LOST, 2),
                new EngineFixture.Outcome(1003, ResultCode.OK, 4)), f.outcomes);
    }

    @Test
    void proposalWithoutOutcomeTimesOut() {
        final EngineFixture f = new EngineFixture(3, true,
            EngineFixture.config().checkQuorum(false).proposalTimeoutNs(500 * MS).build()).start();
        f.electSelf();
        final long proposedAt = f.nowNs;
        f.propose(8);
        f.tickTo(proposedAt + 500 * MS - 1);
        assertEquals(List.of(), f.outcomes);
        f.tickTo(proposedAt + 500 * MS);
        assertEquals(List.of(new EngineFixture.Outcome(1001, ResultCode.TIMEOUT, 2)), f.outcomes);
    }

    @Test
    void proposalsBeyondThePendingCapAreRejectedBusy() {
        final EngineFixture f = new EngineFixture(3, true, EngineFixture.config().maxPendingProposals(2).build()).start();
        f.electSelf();
        assertEquals(2, f.propose(8));
        assertEquals(3, f.propose(8));
        assertEquals(code(ResultCode.REJECTED_BUSY), f.propose(8));
        assertEquals(3, f.log.lastIndex(), "nothing appended for a refused proposal");
    }
}
