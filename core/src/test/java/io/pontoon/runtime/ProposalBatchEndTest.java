package io.pontoon.runtime;

import io.pontoon.LocalCluster;
import io.pontoon.ProposalCallback;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.ResultCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batched completions (issue 8, item 5): the Raft thread ends each batch of results with one
 * {@link ProposalCallback#onBatchEnd()}, so a caller pays its per-batch work (a flush, a wake-up) once
 * per duty cycle rather than once per entry.
 */
class ProposalBatchEndTest {
    private static final int PROPOSALS = 20_000;
    private static final int IN_FLIGHT = 256;

    /** Records on the Raft thread only; the main thread reads after the latch. */
    private static final class Recorder implements ProposalCallback {
        final Semaphore window = new Semaphore(IN_FLIGHT);
        final CountDownLatch allEnded = new CountDownLatch(1);
        long results;
        long ok;
        final long[] byCode = new long[ResultCode.values().length];
        long batchEnds;
        long resultsSinceBatchEnd;
        long emptyBatchEnds;
        long maxBatch;

        @Override
        public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
            results++;
            byCode[code.ordinal()]++;
            if (code == ResultCode.OK) {
                ok++;
            }
            resultsSinceBatchEnd++;
            window.release();
        }

        @Override
        public void onBatchEnd() {
            batchEnds++;
            if (resultsSinceBatchEnd == 0) {
                emptyBatchEnds++;
            }
            maxBatch = Math.max(maxBatch, resultsSinceBatchEnd);
            resultsSinceBatchEnd = 0;
            if (results == PROPOSALS) {
                allEnded.countDown();
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyBatchOfResultsEndsWithOneBatchEnd() throws Exception {
        // A long election timeout: a Raft thread descheduled on a busy machine should not change the
        // leader. If it does anyway, every proposal still gets exactly one result (NOT_LEADER, TIMEOUT...)
        // and what is checked here still holds.
        final RaftConfig config = RaftConfig.builder().electionTimeoutNs(2_000_000_000L)
            .heartbeatIntervalNs(50_000_000L).proposalTimeoutNs(5_000_000_000L).build();
        try (LocalCluster cluster = LocalCluster.start(3, config)) {
            final RaftNode leader = cluster.node(cluster.awaitLeader(Duration.ofSeconds(30)));
            final Recorder r = new Recorder();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            for (int i = 0; i < PROPOSALS; i++) {
                r.window.acquire();
                while (!leader.propose(payload, 0, payload.capacity(), i, r)) {
                    Thread.onSpinWait(); // ring full: back-pressure, retry
                }
            }
            assertTrue(r.allEnded.await(60, TimeUnit.SECONDS), "every result arrived and its batch ended");
            assertEquals(PROPOSALS, r.results);
            assertEquals(0, r.emptyBatchEnds, "a batch end only follows results");
            assertEquals(0, r.resultsSinceBatchEnd, "no result is left without its batch end");
            System.out.printf("ProposalBatchEndTest: %d results (%d OK; by code %s) in %d batches (%.1f per batch,"
                + " largest %d)%n", r.results, r.ok, java.util.Arrays.toString(r.byCode), r.batchEnds,
                (double) r.results / r.batchEnds, r.maxBatch);
        }
    }
}
