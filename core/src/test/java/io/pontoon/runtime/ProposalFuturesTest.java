package io.pontoon.runtime;

import io.pontoon.LocalCluster;
import io.pontoon.ProposalException;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.ResultCode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The futures of RaftNode.propose(byte[]) complete off the Raft thread (issue 8, item 5). */
class ProposalFuturesTest {
    @Test
    void aCallbackThatBlocksDoesNotStallTheRaftThread() throws Exception {
        // No check-quorum: the leader keeps leading while its followers are cut off, so the first proposal is
        // held uncommitted until the test has chained its callback (never complete before thenAccept).
        final RaftConfig config = RaftConfig.builder().checkQuorum(false).build();
        try (LocalCluster cluster = LocalCluster.start(3, config)) {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(30));
            final CountDownLatch secondApplied = new CountDownLatch(1);
            cluster.onCommit(leader, (lsn, term, data, offset, length) -> {
                if ("b".equals(data.getStringWithoutLengthAscii(offset, length))) {
                    secondApplied.countDown(); // runs on the leader's Raft thread
                }
            });
            final RaftNode node = cluster.node(leader);
            final int[] followers = {(leader + 1) % 3, (leader + 2) % 3};
            for (int f : followers) {
                cluster.disconnect(f);
            }
            final AtomicReference<String> completedOn = new AtomicReference<>();
            final AtomicBoolean sawSecond = new AtomicBoolean();
            final CompletableFuture<Void> first = node.propose(bytes("a")).thenAccept(lsn -> {
                completedOn.set(Thread.currentThread().getName());
                try {
                    // A user callback that blocks until a later proposal is applied: on the Raft thread this
                    // would wait for itself.
                    sawSecond.set(secondApplied.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            final CompletableFuture<Long> second = node.propose(bytes("b"));
            for (int f : followers) {
                cluster.reconnect(f);
            }
            first.get(60, TimeUnit.SECONDS);
            assertTrue(sawSecond.get(), "the second proposal was applied while the first one's callback blocked"
                + " (callback ran on " + completedOn.get() + ")");
            assertTrue(completedOn.get().startsWith("pontoon-completions-"), "completed on " + completedOn.get());
            assertTrue(second.get(60, TimeUnit.SECONDS) > 0);
        }
    }

    @Test
    void everyFutureCompletesWithItsOwnLsnAndCloseFailsTheRestWithClosed() throws Exception {
        final LocalCluster cluster = LocalCluster.start(1);
        final List<CompletableFuture<Long>> futures = new ArrayList<>();
        try {
            final RaftNode node = cluster.node(cluster.awaitLeader(Duration.ofSeconds(30)));
            for (int i = 0; i < 20_000; i++) {
                futures.add(node.propose(bytes("e" + i)));
            }
            long previous = 0;
            for (CompletableFuture<Long> f : futures) {
                final long lsn = f.get(60, TimeUnit.SECONDS);
                assertTrue(lsn > previous, "lsns rise in proposal order: " + lsn + " after " + previous);
                previous = lsn;
            }
            futures.clear();
            for (int i = 0; i < 1_000; i++) {
                futures.add(node.propose(bytes("late" + i)));
            }
        } finally {
            cluster.close();
        }
        for (CompletableFuture<Long> f : futures) {
            // committed before the close, or CLOSED: never left hanging
            try {
                assertTrue(f.get(60, TimeUnit.SECONDS) > 0);
            } catch (ExecutionException e) {
                assertEquals(ResultCode.CLOSED, assertInstanceOf(ProposalException.class, e.getCause()).code());
            }
        }
        final CompletableFuture<Long> afterClose = cluster.node(0).propose(bytes("x"));
        final ExecutionException e = assertThrows(ExecutionException.class, () -> afterClose.get(60, TimeUnit.SECONDS));
        assertEquals(ResultCode.CLOSED, assertInstanceOf(ProposalException.class, e.getCause()).code());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
