package io.pontoon.scenario;

import io.pontoon.Role;
import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.sim.MessageFilter;
import io.pontoon.sim.Proposal;
import io.pontoon.sim.SimNode;
import io.pontoon.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import static io.pontoon.scenario.Scenarios.MS;
import static io.pontoon.scenario.Scenarios.awaitLeader;
import static io.pontoon.scenario.Scenarios.awaitLeaderOtherThan;
import static io.pontoon.scenario.Scenarios.cluster;
import static io.pontoon.scenario.Scenarios.config;
import static io.pontoon.scenario.Scenarios.logsConvergedTo;
import static io.pontoon.scenario.Scenarios.preload;

/** The Raft paper's Figures 7 and 8, played out on the simulator. */
class PaperFiguresTest {

    /** Drops AppendEntries carrying any entry of a term above {@code maxTerm} to a node whose log has {@code index}. */
    private static MessageFilter dropEntriesAboveTerm(Simulation sim, long maxTerm, long index) {
        final AppendEntriesCodec codec = new AppendEntriesCodec();
        return (from, to, type, body, offset, length) -> {
            if (type != MessageType.APPEND_ENTRIES || sim.node(to).log().lastIndex() < index) {
                return false;
            }
            codec.wrap(body, offset, length);
            int pos = codec.firstEntryOffset();
            for (int i = 0; i < codec.entryCount(); i++) {
                if (codec.entryTerm(pos) > maxTerm) {
                    return true;
                }
                pos = codec.nextEntryOffset(pos);
            }
            return false;
        };
    }

    private static MessageFilter dropLeaderTrafficFrom(int... senders) {
        return (from, to, type, body, offset, length) ->
            (type == MessageType.APPEND_ENTRIES || type == MessageType.HEARTBEAT)
                && Arrays.stream(senders).anyMatch(s -> s == from);
    }

    private static void awaitDurable(Simulation sim, int id, long index) {
        sim.expect(sim.runUntil(() -> sim.node(id).log().durableIndex() >= index, 50 * MS),
            "n" + id + " makes index " + index + " durable");
    }

    /**
     * Figure 8: an entry of an earlier term stored on a majority is not committed by counting replicas,
     * because a later leader may still overwrite it; it is committed only with an entry of the leader's
     * own term (§5.4.2). maxBatchEntries = 1 lets us replicate the old entry without the new no-op.
     */
    @Test
    void leaderDoesNotCommitAnEntryOfAPreviousTermByCountingReplicas() {
        final Simulation sim = cluster(5, config().maxBatchEntries(1).build(),
            "PaperFiguresTest#leaderDoesNotCommitAnEntryOfAPreviousTermByCountingReplicas").build().start();
        final int s1 = awaitLeader(sim);
        sim.runFor(100 * MS);
        final long term1 = sim.engine(s1).term();
        final int s2 = s1 % 5 + 1;
        final int[] rest = IntStream.rangeClosed(1, 5).filter(i -> i != s1 && i != s2).toArray();

        // (a) S1 replicates entry X at index 2 to S2 only.
        final MessageFilter onlyToS2 = (from, to, type, body, offset, length) ->
            type == MessageType.APPEND_ENTRIES && from == s1 && to != s2;
        sim.network().addFilter(onlyToS2);
        final Proposal x = sim.propose(s1);
        sim.expect(x.index() == 2, "X is appended at index 2, after the first leader's no-op: " + x);
        sim.expect(sim.runUntil(() -> sim.node(s2).log().lastIndex() >= 2, 50 * MS), "S2 receives X");
        awaitDurable(sim, s1, 2);
        awaitDurable(sim, s2, 2);

        // (b) S1 crashes; with S2 cut off, one of the others (S5 in the paper) is elected and appends its
        // no-op at index 2, but nothing it sends gets out.
        sim.crash(s1);
        sim.network().heal().isolate(s2).addFilter(dropLeaderTrafficFrom(rest));
        final int s5 = awaitLeaderOtherThan(sim, term1, s1, s2);
        final long term2 = sim.engine(s5).term();
        sim.expect(sim.node(s5).log().termAt(2) == term2, "S5 holds its own no-op at index 2");
        awaitDurable(sim, s5, 2);
        sim.crash(s5);

        // (c) S1 restarts; S1 or S2 (both hold X) leads in a later term and replicates X to the others,
        // but the entries of its own term never reach anyone: X sits on a majority.
        sim.network().heal().addFilter(dropEntriesAboveTerm(sim, term2, 2));
        sim.restart(s1);
        final int s3 = awaitLeaderOtherThan(sim, term2, s5);
        final long term3 = sim.engine(s3).term();
        sim.expect(s3 == s1 || s3 == s2, "only a holder of X can win term " + term3);
        final int[] others = IntStream.rangeClosed(1, 5).filter(i -> i != s3 && i != s5).toArray();
        sim.expect(sim.runUntil(() -> Arrays.stream(others).allMatch(
                i -> sim.node(i).log().termAt(2) == term1 && sim.node(i).log().durableIndex() >= 2), 500 * MS),
            "X (index 2, term " + term1 + ") reaches every live node");
        sim.runFor(5 * Scenarios.ELECTION_TIMEOUT_NS / 2);
        sim.expect(sim.node(s3).role() == Role.LEADER && sim.engine(s3).term() == term3, "S" + s3 + " still leads");
        sim.expect(sim.engine(s3).commitIndex() == 1,
            "X is on 4 of 5 nodes but from term " + term1 + ": the leader of term " + term3
                + " must not commit it by counting (commitIndex " + sim.engine(s3).commitIndex() + ")");

        // (d) The leader crashes before its own-term entry spreads; S5 (last term term2 > term1) wins the
        // votes of the X holders and overwrites X. Had X been committed, this would lose it.
        sim.crash(s3);
        final int otherHolder = s3 == s1 ? s2 : s1;
        sim.crash(otherHolder);
        sim.network().heal();
        sim.restart(s5);
        final int s5again = awaitLeaderOtherThan(sim, term3, s3, otherHolder);
        sim.expect(s5again == s5, "S5, whose log ends in term " + term2 + ", wins");
        sim.expect(sim.runUntil(() -> Arrays.stream(rest).allMatch(i -> sim.node(i).log().termAt(2) == term2),
            500 * MS), "X is overwritten by S5's entry of term " + term2 + " on every live node");
        sim.expect(sim.runUntil(() -> sim.maxCommittedIndex() >= 2, 500 * MS), "S5 commits index 2");
        sim.expect(!x.committed() && sim.committedTerm(2) == term2,
            "index 2 is committed with S5's entry, never with X");

        // Everyone back: the logs converge on S5's.
        sim.restart(s3).restart(otherHolder);
        sim.expect(sim.runUntil(() -> logsConvergedTo(sim, s5), 10 * Scenarios.MAX_ELECTION_TIMEOUT_NS),
            "all logs converge to the leader's");
    }

    /**
     * Figure 7: followers (a)-(f) with missing, extra and conflicting entries all end up with the
     * leader's log; the leader backs up a term at a time using the conflict hints.
     */
    @Test
    void followerLogsFromFigure7ConvergeToTheLeaders() {
        final Simulation sim = cluster(7, config().build(),
            "PaperFiguresTest#followerLogsFromFigure7ConvergeToTheLeaders").build();
        preload(sim, 1, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6);         // the leader-to-be
        preload(sim, 2, 1, 1, 1, 4, 4, 5, 5, 6, 6);            // (a) missing one entry
        preload(sim, 3, 1, 1, 1, 4);                           // (b) missing many
        preload(sim, 4, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6);      // (c) one extra entry
        preload(sim, 5, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7);   // (d) extra entries of a later term
        preload(sim, 6, 1, 1, 1, 4, 4, 4, 4);                  // (e) missing, and extra of term 4
        preload(sim, 7, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3);      // (f) a leader of terms 2 and 3 that lost
        final Set<Long> rejectedByF = new HashSet<>();
        final AppendResponseCodec response = new AppendResponseCodec();
        sim.network().addFilter((from, to, type, body, offset, length) -> {
            if (from == 7 && type == MessageType.APPEND_RESPONSE && !response.wrap(body, offset).success()) {
                rejectedByF.add(response.rejectedIndex());
            }
            return false; // observe only
        });
        // Only the top node's clock runs, so it is the one that campaigns (the paper's leader).
        for (int id = 2; id <= 7; id++) {
            sim.pauseTicks(id);
        }
        sim.start();
        sim.expect(awaitLeader(sim) == 1, "the top log's node wins (votes from a, b, e, f)");
        for (int id = 2; id <= 7; id++) {
            sim.resumeTicks(id);
        }
        sim.expect(sim.runUntil(() -> logsConvergedTo(sim, 1), 10 * Scenarios.MAX_ELECTION_TIMEOUT_NS),
            "every follower's log converges to the leader's");
        final long[] expected = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, sim.engine(1).term()};
        for (SimNode n : sim.nodes()) {
            sim.expect(Arrays.equals(n.log().terms(), expected),
                "n" + n.id() + " holds terms " + Arrays.toString(expected) + ", has " + Arrays.toString(n.log().terms()));
        }
        // (f) conflicts from index 4 with terms 2 and 3: one rejection per conflicting term, not per entry.
        sim.expect(rejectedByF.size() <= 2, "the leader backs up a term at a time; (f) rejected at " + rejectedByF);
        final Proposal p = sim.propose(1);
        Scenarios.awaitAppliedEverywhere(sim, p.index());
    }
}
