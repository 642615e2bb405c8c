package io.pontoon.runtime;

import io.pontoon.ProposalCallback;
import io.pontoon.ProposalException;
import io.pontoon.ResultCode;
import io.pontoon.util.WakeableIdleStrategy;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Completes the futures of {@code RaftNode.propose(byte[])} on a thread of their own, never on the Raft thread
 * (issue 8, batched completions): the Raft thread only encodes each outcome into a ring, allocation-free, and
 * wakes this thread once per duty cycle ({@link #onBatchEnd()}); this thread removes each future from the
 * table and completes it. What a caller chains on such a future ({@code thenApply}, {@code join} in a callback,
 * a slow listener) therefore runs here, and cannot stall replication, elections or the other proposals' commit.
 *
 * <p>The thread ({@code pontoon-completions-<node id>}, daemon) starts with the first future and stops in
 * {@link #close()}, which first completes every outcome already handed over, with its real result.
 */
public final class FutureCompletions implements ProposalCallback {
    /** Per outcome: correlation id (8), lsn (8), result code ordinal (4), leader id (4). */
    private static final int RESULT_LENGTH = 24;
    private static final int MSG_RESULT = 1;
    /** About 40,000 outcomes (with the ring's 8-byte record headers); more wait in the overflow queue. */
    private static final int RING_BYTES = 1 << 20;
    private static final ResultCode[] CODES = ResultCode.values();

    private final int nodeId;
    private final ConcurrentHashMap<Long, CompletableFuture<Long>> futures = new ConcurrentHashMap<>();
    private final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    /** Outcomes that found the ring full (allocated, rare: a completion thread far behind). */
    private final ManyToOneConcurrentLinkedQueue<long[]> overflow = new ManyToOneConcurrentLinkedQueue<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[RESULT_LENGTH]);
    private final WakeableIdleStrategy idle = new WakeableIdleStrategy(20, 0, 10_000_000L,
        () -> ring.size() > 0 || !overflow.isEmpty());
    private final MessageHandler complete = this::complete;
    private volatile AgentRunner runner;
    private boolean closed;

    public FutureCompletions(int nodeId) {
        this.nodeId = nodeId;
    }

    /** Any thread: registers the future of proposal {@code correlationId}, starting the thread on first use. */
    public void register(long correlationId, CompletableFuture<Long> future) {
        futures.put(correlationId, future);
        if (runner == null) {
            start();
        }
    }

    /** Any thread: the proposal was never handed to the node; its future is completed by the caller. */
    public CompletableFuture<Long> unregister(long correlationId) {
        return futures.remove(correlationId);
    }

    private synchronized void start() {
        if (runner != null || closed) {
            return;
        }
        final AgentRunner r = new AgentRunner(idle, t -> System.getLogger("io.pontoon.RaftNode").log(
            System.Logger.Level.ERROR, "pontoon node " + nodeId + ": error completing proposal futures", t),
            null, new Agent() {
                @Override
                public int doWork() {
                    return drain();
                }

                @Override
                public void onClose() {
                    while (drain() > 0) {
                        // every outcome handed over before close gets its real result
                    }
                }

                @Override
                public String roleName() {
                    return "pontoon-completions-" + nodeId;
                }
            });
        AgentRunner.startOnThread(r, task -> {
            final Thread t = new Thread(task);
            t.setDaemon(true);
            return t;
        });
        runner = r;
    }

    /** Raft thread: one outcome, encoded into the ring (or, if full, queued). */
    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        final UnsafeBuffer b = scratch;
        b.putLong(0, correlationId);
        b.putLong(8, lsn);
        b.putInt(16, code.ordinal());
        b.putInt(20, leaderId);
        if (!ring.write(MSG_RESULT, b, 0, RESULT_LENGTH)) {
            overflow.offer(new long[] {correlationId, lsn, code.ordinal(), leaderId});
        }
    }

    /** Raft thread, after the duty cycle's outcomes: one wake-up for all of them. */
    @Override
    public void onBatchEnd() {
        idle.wake();
    }

    /** Completion thread. */
    private int drain() {
        // Two reads: one stops at the end of the ring's memory, the second takes what wrapped to the start.
        int done = ring.read(complete) + ring.read(complete);
        long[] spilled;
        while ((spilled = overflow.poll()) != null) {
            complete(spilled[0], CODES[(int) spilled[2]], spilled[1], (int) spilled[3]);
            done++;
        }
        return done;
    }

    private void complete(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        complete(buffer.getLong(index), CODES[buffer.getInt(index + 16)], buffer.getLong(index + 8),
            buffer.getInt(index + 20));
    }

    private void complete(long correlationId, ResultCode code, long lsn, int leaderId) {
        final CompletableFuture<Long> f = futures.remove(correlationId);
        if (f == null) {
            return;
        }
        if (code == ResultCode.OK) {
            f.complete(lsn);
        } else {
            f.completeExceptionally(new ProposalException(code, lsn, leaderId));
        }
    }

    /**
     * After the Raft thread stopped: completes what it handed over, stops the thread, then fails every future
     * still waiting with CLOSED. The calling thread runs what is chained on those last futures.
     */
    public void close() {
        final AgentRunner r;
        synchronized (this) {
            closed = true;
            r = runner;
        }
        if (r != null) {
            r.close();
        } else {
            drain();
        }
        drain(); // outcomes a failing Raft thread may have added while the runner stopped
        for (Long id : futures.keySet()) {
            complete(id, ResultCode.CLOSED, -1, 0);
        }
    }
}
