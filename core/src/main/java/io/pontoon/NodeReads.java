package io.pontoon;

import io.pontoon.runtime.InboundRing;

import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node side of reads and leadership transfers ({@link RaftNode#readIndex}, {@link RaftNode#read},
 * {@link RaftNode#transferLeadership}): the futures, the hand-over of a confirmed read to the thread that serves it,
 * and the refusals. The protocol is the engine's ({@code engine.Reads}, {@code RaftEngine.transferLeadership}).
 *
 * <p>Threads: {@link #start} and {@link #startTransfer} on any thread; the {@code on...} methods on the Raft thread;
 * {@link #close} on the closing thread once the Raft thread has stopped.
 */
final class NodeReads {
    private final int nodeId;
    private final InboundRing ring;
    private final Runnable wake;
    private final BooleanSupplier stopped;
    private final LongSupplier lastApplied;
    private final IntSupplier leaderId;
    /** The apply thread, or null for a node without a state machine (its reads are served on a thread of ours). */
    private final ApplyLoop applyLoop;
    /** Reads started and not yet handed to the thread that serves them, by read id. */
    private final ConcurrentHashMap<Long, ReadWaiter> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** Raft thread: confirmed reads waiting for the engine to apply their index. */
    private final PriorityQueue<ReadWaiter> toApply = new PriorityQueue<>(ReadWaiter.BY_INDEX);
    /** Raft thread: the last committed entry handed to the state machine and the listeners (or a restore's index). */
    private long lastHandedOver;
    /** Serves reads of a node without a state machine (started with the first such read). */
    private ExecutorService executor;
    /** Futures of leadership transfers under way, by target. */
    private final ConcurrentHashMap<Integer, List<CompletableFuture<Void>>> transfers = new ConcurrentHashMap<>();

    NodeReads(int nodeId, InboundRing ring, Runnable wake, BooleanSupplier stopped, LongSupplier lastApplied,
              IntSupplier leaderId, ApplyLoop applyLoop) {
        this.nodeId = nodeId;
        this.ring = ring;
        this.wake = wake;
        this.stopped = stopped;
        this.lastApplied = lastApplied;
        this.leaderId = leaderId;
        this.applyLoop = applyLoop;
    }

    /** Any thread: a read; its outcome completes {@code f}. */
    void start(ReadPolicy policy, CompletableFuture<Object> f, Supplier<?> query) {
        Objects.requireNonNull(policy, "policy");
        if (stopped.getAsBoolean()) {
            f.completeExceptionally(new ProposalException(ResultCode.CLOSED, -1, 0));
            return;
        }
        final long id = ids.incrementAndGet();
        pending.put(id, new ReadWaiter(id, f, query));
        if (!ring.offerReadRequest(id, policy == ReadPolicy.LEASE)) {
            fail(id, ResultCode.REJECTED_BUSY);
            return;
        }
        wake.run();
        if (stopped.getAsBoolean()) {
            fail(id, ResultCode.CLOSED); // raced with close(): the ring may never be read again
        }
    }

    /** Raft thread: the engine's answer for a read. */
    void onConfirmed(long id, ResultCode code, long index) {
        if (code != ResultCode.OK) {
            fail(id, code);
            return;
        }
        final ReadWaiter w = pending.get(id);
        if (w == null) {
            return;
        }
        w.index = index;
        if (lastApplied.getAsLong() >= index) {
            handOver(w);
        } else {
            toApply.add(w);
        }
    }

    /** Raft thread: a committed entry was handed to the state machine and listeners. */
    void onHandedOver(long lsn) {
        lastHandedOver = lsn;
    }

    /** Raft thread: a snapshot was installed; a read confirmed from now on waits for its restore too. */
    void onInstalled(long index) {
        lastHandedOver = Math.max(lastHandedOver, index);
    }

    /** Raft thread: the engine applied through {@code applied}; reads waiting for it move on. */
    void onApplied(long applied) {
        while (!toApply.isEmpty() && toApply.peek().index <= applied) {
            handOver(toApply.poll());
        }
    }

    /**
     * Raft thread: the engine has applied the read's index; with a state machine, the read waits on the apply thread
     * for the last entry handed over by now (every entry up to the index is among them); without one it is served.
     */
    private void handOver(ReadWaiter w) {
        pending.remove(w.id);
        if (applyLoop != null) {
            w.waitFor = lastHandedOver;
            applyLoop.addRead(w);
        } else {
            executor().execute(w::serve);
        }
    }

    /** Any thread: the read fails with {@code code}. */
    void fail(long id, ResultCode code) {
        final ReadWaiter w = pending.remove(id);
        if (w != null) {
            w.fail(new ProposalException(code, -1, leaderId.getAsInt()));
        }
    }

    private synchronized ExecutorService executor() {
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(r -> {
                final Thread t = new Thread(r, "pontoon-reads-" + nodeId);
                t.setDaemon(true);
                return t;
            });
        }
        return executor;
    }

    /** Any thread: a leadership transfer to {@code target}; its outcome completes the returned future. */
    CompletableFuture<Void> startTransfer(int target) {
        final CompletableFuture<Void> f = new CompletableFuture<>();
        if (stopped.getAsBoolean()) {
            f.completeExceptionally(new ProposalException(ResultCode.CLOSED, -1, 0));
            return f;
        }
        transfers.computeIfAbsent(target, t -> new CopyOnWriteArrayList<>()).add(f);
        if (!ring.offerTransferRequest(target)) {
            endTransfer(target, ResultCode.REJECTED_BUSY);
        } else {
            wake.run();
        }
        return f;
    }

    /** A transfer to {@code target} ended: done if {@code failed} is null. */
    void endTransfer(int target, ResultCode failed) {
        final List<CompletableFuture<Void>> waiting = transfers.remove(target);
        if (waiting == null) {
            return;
        }
        for (CompletableFuture<Void> f : waiting) {
            if (failed == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(new ProposalException(failed, -1, leaderId.getAsInt()));
            }
        }
    }

    /** The node closed: every read and transfer still waiting fails with CLOSED. */
    void close() {
        for (Long id : pending.keySet().toArray(new Long[0])) {
            fail(id, ResultCode.CLOSED);
        }
        for (Integer target : transfers.keySet().toArray(new Integer[0])) {
            endTransfer(target, ResultCode.CLOSED);
        }
        synchronized (this) {
            if (executor != null) {
                executor.shutdown();
            }
        }
    }
}
