package io.pontoon.transport;

import io.pontoon.ProposalCallback;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.ProposalException;
import io.pontoon.spi.Membership;
import org.agrona.DirectBuffer;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in node: as leader it "commits" every proposal at the next LSN, answering on its own
 * "Raft thread"; as follower it answers NOT_LEADER naming {@code leaderId}. It can refuse the first
 * proposals (ring full) to exercise client retries. Leadership transfers stay pending until the test
 * completes them (from its own thread: the transport must answer from whichever thread completes them).
 * Membership changes apply to {@link #membership} at once on a leader; the next {@code changePendingNext} are refused
 * MEMBERSHIP_CHANGE_PENDING first.
 */
public final class FakeClientService implements ClientService, AutoCloseable {
    public final int nodeId;
    public volatile boolean leader;
    public volatile int leaderId;
    public final AtomicInteger refuseNext = new AtomicInteger();
    public final AtomicInteger busyNext = new AtomicInteger();
    /** The next proposals are refused LEADERSHIP_TRANSFER (a transfer under way), naming {@code leaderId}. */
    public final AtomicInteger transferringNext = new AtomicInteger();
    public final List<String> committed = new CopyOnWriteArrayList<>();
    public final AtomicInteger proposals = new AtomicInteger();
    /** Every leadership transfer asked for, oldest first, with its target; none completes by itself. */
    public final BlockingQueue<Transfer> transfers = new LinkedBlockingQueue<>();
    /** The configuration in effect; changes replace it. */
    public volatile Membership membership = Membership.of(new int[] {1, 2, 3}, new int[0]);
    public final AtomicInteger changePendingNext = new AtomicInteger();
    /** Every membership change asked for, as "op id", oldest first. */
    public final List<String> changes = new CopyOnWriteArrayList<>();
    private final ExecutorService raftThread;
    private long lastIndex;

    public FakeClientService(int nodeId, boolean leader, int leaderId) {
        this.nodeId = nodeId;
        this.leader = leader;
        this.leaderId = leaderId;
        this.raftThread = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "fake-raft-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback) {
        proposals.incrementAndGet();
        if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return false; // ring full: the transport answers REJECTED_BUSY
        }
        final String payload = buffer.getStringWithoutLengthAscii(offset, length); // copy during the call
        raftThread.execute(() -> {
            if (busyNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                callback.onResult(correlationId, ResultCode.REJECTED_BUSY, -1, nodeId);
            } else if (transferringNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                callback.onResult(correlationId, ResultCode.LEADERSHIP_TRANSFER, -1, leaderId);
            } else if (!leader) {
                callback.onResult(correlationId, ResultCode.NOT_LEADER, -1, leaderId);
            } else if (payload.isEmpty()) {
                callback.onResult(correlationId, ResultCode.INVALID, -1, nodeId);
            } else {
                committed.add(payload);
                callback.onResult(correlationId, ResultCode.OK, ++lastIndex, nodeId);
            }
            callback.onBatchEnd(); // as the Raft thread does after each duty cycle's results
        });
        return true;
    }

    @Override
    public RaftStatus status() {
        return new RaftStatus(nodeId, leader ? Role.LEADER : Role.FOLLOWER, 3, leaderId, 10, 9, 11, 3);
    }

    @Override
    public CompletableFuture<Void> transferLeadership(int target) {
        final Transfer t = new Transfer(target, new CompletableFuture<>());
        transfers.add(t);
        return t.outcome();
    }

    @Override
    public Membership membership() {
        return membership;
    }

    @Override
    public CompletableFuture<Membership> addLearner(int id, String address) {
        return change("addLearner " + id, m -> m.withLearner(id, address));
    }

    @Override
    public CompletableFuture<Membership> addVoter(int id, String address) {
        return change("addVoter " + id, m -> m.withVoter(id, address));
    }

    @Override
    public CompletableFuture<Membership> promote(int id) {
        return change("promote " + id, m -> {
            if (!m.isLearner(id)) {
                throw new IllegalArgumentException("node " + id + " is not a learner (" + m.describe() + ")");
            }
            return m.withVoter(id, null);
        });
    }

    @Override
    public CompletableFuture<Membership> removeMember(int id) {
        return change("removeMember " + id, m -> m.without(id));
    }

    private synchronized CompletableFuture<Membership> change(String what, java.util.function.UnaryOperator<Membership> op) {
        changes.add(what);
        if (changePendingNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return CompletableFuture.failedFuture(new ProposalException(ResultCode.MEMBERSHIP_CHANGE_PENDING, -1, nodeId));
        }
        if (!leader) {
            return CompletableFuture.failedFuture(new ProposalException(ResultCode.NOT_LEADER, -1, leaderId));
        }
        try {
            membership = op.apply(membership);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(membership);
    }

    /** One transfer request: the test completes {@code outcome}. */
    public record Transfer(int target, CompletableFuture<Void> outcome) {
    }

    @Override
    public void close() {
        raftThread.shutdownNow();
    }
}
