package io.pontoon.scenario;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.sim.MessageFilter;
import io.pontoon.sim.Simulation;
import org.junit.jupiter.api.Test;

import static io.pontoon.scenario.Scenarios.MS;
import static io.pontoon.scenario.Scenarios.awaitLeader;
import static io.pontoon.scenario.Scenarios.cluster;
import static io.pontoon.scenario.Scenarios.config;

/**
 * How many AppendResponses a follower sends (issue 8, item 4): in steady state one per AppendEntries
 * batch, sent once the batch is durable, never one on receipt and another on durability.
 */
class ReplicationAckScenariosTest {

    /**
     * Counts, per follower, the AppendEntries the leader sends it (with entries, and empty ones: the
     * leader resends from nextIndex when a heartbeat answer shows entries in flight) and its answers.
     */
    private static final class AckCounter implements MessageFilter {
        final int leader;
        final long[] appendsWithEntries = new long[6];
        final long[] emptyAppends = new long[6];
        final long[] responses = new long[6];
        final long[] lastMatch = new long[6];
        final long[] nonAdvancing = new long[6];
        long failedResponses;
        private final AppendEntriesCodec append = new AppendEntriesCodec();
        private final AppendResponseCodec response = new AppendResponseCodec();

        AckCounter(int leader) {
            this.leader = leader;
        }

        @Override
        public boolean drop(int from, int to, int type, org.agrona.DirectBuffer body, int offset, int length) {
            if (type == MessageType.APPEND_ENTRIES && from == leader) {
                if (append.wrap(body, offset, length).entryCount() > 0) {
                    appendsWithEntries[to]++;
                } else {
                    emptyAppends[to]++;
                }
            } else if (type == MessageType.APPEND_RESPONSE && to == leader) {
                responses[from]++;
                response.wrap(body, offset);
                if (!response.success()) {
                    failedResponses++;
                } else if (response.matchIndex() <= lastMatch[from]) {
                    nonAdvancing[from]++; // acknowledges nothing newly durable: a receipt answer or an empty append's
                }
                lastMatch[from] = Math.max(lastMatch[from], response.matchIndex());
            }
            return false; // count only, drop nothing
        }
    }

    private static Simulation steadyCluster(String method) {
        final Simulation sim = cluster(3, config().build(), "ReplicationAckScenariosTest#" + method)
            .networkDelay(200_000L, 100_000L).diskDelay(100_000L, 100_000L).build();
        sim.network().fifo(true);
        sim.start();
        return sim;
    }

    private static void assertOneDurableAnswerPerBatch(Simulation sim, AckCounter c, int leader) {
        final long last = sim.node(leader).log().lastIndex();
        for (int f = 1; f <= 3; f++) {
            if (f == leader) {
                continue;
            }
            final long appends = c.appendsWithEntries[f] + c.emptyAppends[f];
            sim.expect(c.appendsWithEntries[f] > 0, "n" + f + " received AppendEntries");
            sim.expect(c.responses[f] <= appends, "n" + f + " sent " + c.responses[f] + " AppendResponses for "
                + c.appendsWithEntries[f] + " AppendEntries with entries and " + c.emptyAppends[f]
                + " empty ones: at most one per AppendEntries");
            sim.expect(c.nonAdvancing[f] <= c.emptyAppends[f], "n" + f + " sent " + c.nonAdvancing[f]
                + " answers that acknowledged nothing newly durable, for " + c.emptyAppends[f]
                + " empty AppendEntries: no receipt answers in steady state");
            sim.expect(c.lastMatch[f] == last, "n" + f + " acknowledged everything as durable: match "
                + c.lastMatch[f] + ", leader's last index " + last);
        }
        sim.expect(c.failedResponses == 0, "no AppendEntries was rejected on a clean FIFO network");
    }

    /** One proposal at a time: each batch is durable before the next arrives. */
    @Test
    void followerSendsOneAckPerAppendEntriesWhenProposalsComeOneAtATime() {
        final Simulation sim = steadyCluster("followerSendsOneAckPerAppendEntriesWhenProposalsComeOneAtATime");
        final int leader = awaitLeader(sim);
        sim.runFor(100 * MS);
        final AckCounter c = new AckCounter(leader);
        sim.network().addFilter(c);
        for (int i = 0; i < 200; i++) {
            sim.propose(leader);
            sim.runFor(2 * MS);
        }
        sim.runFor(20 * MS);
        assertOneDurableAnswerPerBatch(sim, c, leader);
    }

    /**
     * Several AppendEntries arrive while the follower's disk is busy (held here, then released as one
     * group commit): one answer covers all that became durable, not one per AppendEntries.
     */
    @Test
    void followerCoalescesAnswersForBatchesThatBecomeDurableTogether() {
        final Simulation sim = cluster(3, config().receiptAckDelayNs(50 * MS).build(),
            "ReplicationAckScenariosTest#followerCoalescesAnswersForBatchesThatBecomeDurableTogether")
            .networkDelay(200_000L, 100_000L).diskDelay(100_000L, 100_000L).build();
        sim.network().fifo(true);
        sim.start();
        final int leader = awaitLeader(sim);
        sim.runFor(100 * MS);
        final int follower = leader % 3 + 1;
        final AckCounter c = new AckCounter(leader);
        sim.network().addFilter(c);
        sim.holdDisk(follower);
        for (int i = 0; i < 10; i++) {
            sim.propose(leader);
            sim.runFor(MS);
        }
        sim.expect(c.appendsWithEntries[follower] == 10, "n" + follower + " received " + c.appendsWithEntries[follower]
            + " AppendEntries, one per proposal");
        sim.expect(c.responses[follower] == 0, "n" + follower + " answered nothing while its disk held the entries");
        sim.releaseDisk(follower);
        sim.runFor(5 * MS);
        sim.expect(c.responses[follower] == 1, "n" + follower + " answered the 10 AppendEntries with "
            + c.responses[follower] + " AppendResponses; one covers them all");
        sim.expect(c.lastMatch[follower] == sim.node(leader).log().lastIndex(), "and acknowledged all of them");
    }

    /**
     * A follower whose disk is slower than receiptAckDelayNs answers on receipt, so the leader's in-flight
     * window keeps moving (what the receipt answer of commit 19ebffe bought; simulation seed 795590), and
     * acknowledges as durable only what is.
     */
    @Test
    void followerWithASlowDiskAnswersOnReceiptAfterTheDelay() {
        final Simulation sim = cluster(3, config().receiptAckDelayNs(2 * MS).maxInflightMessages(1).build(),
            "ReplicationAckScenariosTest#followerWithASlowDiskAnswersOnReceiptAfterTheDelay")
            .networkDelay(200_000L, 100_000L).diskDelay(100_000L, 100_000L).build();
        sim.network().fifo(true);
        sim.start();
        final int leader = awaitLeader(sim);
        sim.runFor(100 * MS);
        final int follower = leader % 3 + 1;
        final long durableBefore = sim.node(follower).log().durableIndex();
        final AckCounter c = new AckCounter(leader);
        sim.network().addFilter(c);
        sim.holdDisk(follower);
        for (int i = 0; i < 5; i++) {
            sim.propose(leader);
        }
        sim.runFor(50 * MS);
        sim.expect(c.appendsWithEntries[follower] >= 2, "with a window of one AppendEntries the leader kept "
            + "sending while the follower's disk was held: " + c.appendsWithEntries[follower] + " sent");
        sim.expect(c.responses[follower] > 0 && c.lastMatch[follower] <= durableBefore,
            "receipt answers acknowledged nothing that is not durable: match " + c.lastMatch[follower]);
        sim.expect(sim.node(follower).log().lastIndex() == sim.node(leader).log().lastIndex(),
            "the follower received every entry while its disk was held");
    }
}
