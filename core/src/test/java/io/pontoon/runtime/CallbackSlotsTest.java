package io.pontoon.runtime;

import io.pontoon.LocalCluster;
import io.pontoon.ProposalCallback;
import io.pontoon.RaftNode;
import io.pontoon.ResultCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9: every distinct ProposalCallback (one per client connection) took a callback slot for the node's
 * lifetime; after 65,535 of them every propose failed. Released slots are reused, and only once every proposal
 * made with them has its result, so no result reaches the next owner.
 */
class CallbackSlotsTest {
    @Test
    void hundredThousandShortLivedCallbacksKeepTheSlotCountFlatAndGetOnlyTheirOwnResults() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            final RaftNode node = cluster.node(cluster.awaitLeader(Duration.ofSeconds(30)));
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[] {1, 2, 3});
            final AtomicInteger misrouted = new AtomicInteger();
            final AtomicInteger failed = new AtomicInteger();
            final int batch = 500;
            int maxInUse = 0;
            long correlation = 0;
            for (int round = 0; round < 200; round++) {
                final CountDownLatch answered = new CountDownLatch(batch);
                final Owner[] owners = new Owner[batch];
                for (int i = 0; i < batch; i++) {
                    owners[i] = new Owner(++correlation, answered, misrouted, failed);
                    // A proposal still in flight when the owner releases: its result must still reach this owner.
                    while (!node.propose(payload, 0, payload.capacity(), owners[i].correlationId, owners[i])) {
                        LockSupport.parkNanos(100_000);
                    }
                    while (!node.release(owners[i])) {
                        LockSupport.parkNanos(100_000);
                    }
                }
                assertTrue(answered.await(60, TimeUnit.SECONDS), "round " + round + " answered");
                maxInUse = Math.max(maxInUse, node.callbackSlotsInUse());
            }
            assertEquals(0, misrouted.get(), "results that reached another owner");
            assertEquals(0, failed.get(), "proposals that did not commit");
            assertTrue(maxInUse <= 2 * batch + 1, "slots in use stayed bounded: at most " + maxInUse);
            // 100,000 callbacks went through, far past the old limit of 65,535.
            assertEquals(100_000, correlation);
        }
    }

    private static final class Owner implements ProposalCallback {
        final long correlationId;
        final CountDownLatch answered;
        final AtomicInteger misrouted;
        final AtomicInteger failed;

        Owner(long correlationId, CountDownLatch answered, AtomicInteger misrouted, AtomicInteger failed) {
            this.correlationId = correlationId;
            this.answered = answered;
            this.misrouted = misrouted;
            this.failed = failed;
        }

        @Override
        public void onResult(long id, ResultCode code, long lsn, int leaderId) {
            if (id != correlationId) {
                misrouted.incrementAndGet();
            }
            if (code != ResultCode.OK) {
                failed.incrementAndGet();
            }
            answered.countDown();
        }
    }
}
