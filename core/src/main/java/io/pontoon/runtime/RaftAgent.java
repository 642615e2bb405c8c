package io.pontoon.runtime;

import io.pontoon.CommitListener;
import io.pontoon.ProposalCallback;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.engine.EngineListener;
import io.pontoon.engine.RaftEngine;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The Raft thread (an Agrona {@link Agent}): each {@link #doWork()} is one {@link RaftEngine#doWork}
 * with the clock and the inbound ring as its inbox; the order of a duty cycle lives in the engine. This
 * class only decodes the ring ({@link InboundRing}) into engine calls and routes the engine's outputs to
 * proposal callbacks, commit listeners and status requests. Owns the {@link RaftEngine}; nothing else
 * touches it.
 */
public final class RaftAgent implements Agent, EngineListener, InboundRing.Handler, RaftEngine.Inbox {
    private static final int MAX_RING_MESSAGES_PER_CYCLE = 16_384;

    private final RaftEngine engine;
    private final InboundRing inbound;
    /** Proposals and slot releases, apart from peer traffic: a flood of proposals never crowds out a heartbeat. */
    private InboundRing proposals;
    private final NanoClock clock;
    private final IntFunction<ProposalCallback> callbacks;
    private final Supplier<CommitListener[]> listeners;
    private final StatusSink statusSink;
    private final String roleName;
    /** The log store's failure, read every duty cycle (LogStore.failure()). */
    private final Supplier<Throwable> storeFailure;
    /** Snapshots the state machine's apply thread committed (polled each cycle; null when there is none). */
    private Supplier<io.pontoon.spi.SnapshotMeta> snapshotsTaken = () -> null;
    /** Told once, on this thread, when the node must stop; the status is the engine's last. */
    private final FailureSink failureSink;
    /** Set on the first failure: no duty cycle runs again (the node is closing). */
    private boolean failed;
    /** Per callback slot: proposals taken by the engine and not yet answered. */
    private int[] outstanding = new int[8];
    /** Per callback slot: released by its owner, waiting for its outstanding proposals' results. */
    private boolean[] releasing = new boolean[8];
    /** Slots whose release completed this duty cycle; handed to {@link #slotFreed} after the batch ends. */
    private int[] freedSlots = new int[8];
    private int freedCount;
    private java.util.function.IntConsumer slotFreed = slot -> { };
    /** Callback slots that got a result in this duty cycle (each once), for {@link ProposalCallback#onBatchEnd}. */
    private int[] batchSlots = new int[8];
    private boolean[] inBatch = new boolean[8];
    private int batchSlotCount;
    /** What reports and meters read, published once per duty cycle that did work (issue 13). */
    private final NodeCounters counters = new NodeCounters();
    private io.pontoon.Role seenRole;
    private int seenLeader;
    private long seenTerm;
    private long seenElections;
    private ChangeSink changeSink = (role, leader, term, election) -> { };

    /**
     * Told on the Raft thread, after the duty cycle in which it happened, that the role, the known leader or the term
     * changed, or an election started: {@code previous*} are the values before. Must be cheap and not block.
     */
    public interface ChangeSink {
        void onChange(io.pontoon.Role previousRole, int previousLeader, long previousTerm, boolean electionStarted);
    }

    /** Called once, before the thread starts. */
    public void changeSink(ChangeSink sink) {
        this.changeSink = sink;
    }

    /** The counters this agent publishes (read from any thread). */
    public NodeCounters counters() {
        return counters;
    }

    private void publish() {
        counters.publish(engine);
        final io.pontoon.Role role = engine.role();
        final int leader = engine.leaderId();
        final long term = engine.term();
        final long elections = engine.electionsStarted();
        if (role != seenRole || leader != seenLeader || term != seenTerm || elections != seenElections) {
            final io.pontoon.Role was = seenRole;
            final int wasLeader = seenLeader;
            final long wasTerm = seenTerm;
            final boolean election = elections != seenElections;
            seenRole = role;
            seenLeader = leader;
            seenTerm = term;
            seenElections = elections;
            changeSink.onChange(was, wasLeader, wasTerm, election);
        }
    }

    /** Where status answers go (the seed's DebugResponse). */
    public interface StatusSink {
        void onStatus(long requestId, RaftStatus status);
    }

    /** Where reads and transfers the engine refused at once go (Raft thread). */
    public interface RefusalSink {
        void onReadRefused(long readId, ResultCode code);

        void onTransferRefused(int target, ResultCode code);
    }

    private RefusalSink refusals = new RefusalSink() {
        @Override
        public void onReadRefused(long readId, ResultCode code) {
        }

        @Override
        public void onTransferRefused(int target, ResultCode code) {
        }
    };

    /** Called once, before the thread starts: where refused reads and transfers are reported. */
    public void refusals(RefusalSink sink) {
        this.refusals = sink;
    }

    @Override
    public void onReadRequest(long readId, boolean lease) {
        final int r = engine.requestRead(readId, lease);
        if (r < 0) {
            refusals.onReadRefused(readId, ResultCode.of(-r));
        }
    }

    @Override
    public void onTransferRequest(int target) {
        final int r = engine.transferLeadership(target);
        if (r < 0) {
            refusals.onTransferRefused(target, ResultCode.of(-r));
        }
    }

    @Override
    public void onMembershipRequest(long tag, long expectedIndex, DirectBuffer config, int offset, int length) {
        final int slot = (int) (tag >>> 48);
        final long r;
        if (expectedIndex >= 0 && expectedIndex != engine.membershipIndex()) {
            r = -ResultCode.MEMBERSHIP_CHANGE_PENDING.ordinal(); // computed from a configuration no longer in effect
        } else {
            r = engine.proposeMembership(io.pontoon.spi.Membership.decode(config, offset, length), tag);
        }
        if (r < 0) {
            resultFor(slot).onResult(tag & InboundRing.CORRELATION_MASK, ResultCode.of((int) -r), -1,
                engine.leaderId());
        }
    }

    /** Where a fail-stop goes: the cause and the last status. Called on the Raft thread, once. */
    public interface FailureSink {
        void onFailure(Throwable cause, RaftStatus lastStatus);
    }

    /**
     * @param engine an engine whose {@link io.pontoon.engine.Outbox} sends through the node's transport
     *               (its {@code flush()} flushes the transport once per duty cycle)
     */
    public RaftAgent(RaftEngine engine, InboundRing inbound, NanoClock clock,
                     IntFunction<ProposalCallback> callbacks, Supplier<CommitListener[]> listeners,
                     StatusSink statusSink) {
        this(engine, inbound, clock, callbacks, listeners, statusSink, () -> null, (cause, last) -> {
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        });
    }

    /**
     * @param storeFailure non-null once the log store can no longer make entries durable (checked every cycle)
     * @param failureSink  told when the node must stop: a store failure, or any throwable from a duty cycle
     *                     (a failed MetaStore save, an Error); after it, {@link #doWork()} does nothing
     */
    public RaftAgent(RaftEngine engine, InboundRing inbound, NanoClock clock,
                     IntFunction<ProposalCallback> callbacks, Supplier<CommitListener[]> listeners,
                     StatusSink statusSink, Supplier<Throwable> storeFailure, FailureSink failureSink) {
        this.storeFailure = storeFailure;
        this.failureSink = failureSink;
        this.engine = engine;
        this.inbound = inbound;
        this.clock = clock;
        this.callbacks = callbacks;
        this.listeners = listeners;
        this.statusSink = statusSink;
        this.roleName = "pontoon-raft-" + engine.nodeId();
        counters.publish(engine);
        this.seenRole = engine.role();
        this.seenLeader = engine.leaderId();
        this.seenTerm = engine.term();
        this.seenElections = engine.electionsStarted();
    }

    /** Where this agent learns of snapshots taken off the Raft thread (set before the agent starts). */
    public void snapshotsTaken(Supplier<io.pontoon.spi.SnapshotMeta> poll) {
        this.snapshotsTaken = poll;
    }

    /**
     * One duty cycle. Fail-stop: a log store that reports a failure, or any throwable from the cycle, ends the
     * node's work for good (the failure sink closes the node). Agrona's AgentRunner would otherwise log the
     * throwable and call again, forever: a zombie that still claims to lead (issue 9).
     */
    @Override
    public int doWork() {
        if (failed) {
            return 0;
        }
        try {
            final Throwable storeFailed = storeFailure.get();
            if (storeFailed != null) {
                throw storeFailed;
            }
            final io.pontoon.spi.SnapshotMeta taken = snapshotsTaken.get();
            if (taken != null) {
                engine.onSnapshotTaken(taken);
            }
            final int work = engine.doWork(clock.nanoTime(), this);
            endBatch();
            handOverFreedSlots();
            if (work > 0) {
                publish();
            }
            return work;
        } catch (Throwable t) {
            failed = true;
            RaftStatus last;
            try {
                last = status();
            } catch (Throwable unreadable) {
                last = null;
            }
            failureSink.onFailure(t, last);
            return 0;
        }
    }

    /** Once per duty cycle: tells each callback that got results that its batch is complete. */
    private void endBatch() {
        final int count = batchSlotCount;
        if (count == 0) {
            return;
        }
        batchSlotCount = 0;
        for (int i = 0; i < count; i++) {
            inBatch[batchSlots[i]] = false; // first, so a callback that throws cannot leave a slot marked
        }
        for (int i = 0; i < count; i++) {
            callbacks.apply(batchSlots[i]).onBatchEnd();
        }
    }

    /** Notes that {@code slot} got a result in this cycle; grows only when a new callback appears. */
    private ProposalCallback resultFor(int slot) {
        if (slot >= inBatch.length) {
            inBatch = java.util.Arrays.copyOf(inBatch, Math.max(slot + 1, inBatch.length * 2));
        }
        if (!inBatch[slot]) {
            inBatch[slot] = true;
            if (batchSlotCount == batchSlots.length) {
                batchSlots = java.util.Arrays.copyOf(batchSlots, batchSlots.length * 2);
            }
            batchSlots[batchSlotCount++] = slot;
        }
        return callbacks.apply(slot);
    }

    /**
     * Called once, before the thread starts: proposals come from this ring instead of the peers' one (issue 9: a
     * flood of proposals filled the shared ring, peer messages found no room, and the leader lost its followers).
     */
    public void proposalRing(InboundRing ring) {
        this.proposals = ring;
    }

    /**
     * The engine's inbox for this cycle: peer traffic first, then proposals, each bounded per cycle so timers and
     * acks keep running.
     */
    @Override
    public int drainTo(RaftEngine e) {
        final int peers = inbound.read(this, MAX_RING_MESSAGES_PER_CYCLE);
        return proposals == null ? peers : peers + proposals.read(this, MAX_RING_MESSAGES_PER_CYCLE);
    }

    @Override
    public void onPeerMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length) {
        engine.onMessage(fromNodeId, type, body, offset, length);
    }

    @Override
    public void onProposal(int callbackSlot, long correlationId, DirectBuffer data, int offset, int length) {
        final long tag = ((long) callbackSlot << 48) | (correlationId & InboundRing.CORRELATION_MASK);
        final long result = engine.propose(data, offset, length, tag);
        if (result <= 0) {
            final ResultCode code = ResultCode.of((int) -result);
            counters.onProposalOutcome(code);
            resultFor(callbackSlot).onResult(correlationId, code, -1, engine.leaderId());
        } else {
            counters.onAppended(length);
            ensureSlot(callbackSlot);
            outstanding[callbackSlot]++;
        }
    }

    /**
     * Called once, before the thread starts: told each callback slot whose owner released it and whose last
     * proposal has its result, so it can be given to a new owner (after the duty cycle's onBatchEnd calls).
     */
    public void onSlotFreed(java.util.function.IntConsumer slotFreed) {
        this.slotFreed = slotFreed;
    }

    @Override
    public void onReleaseSlot(int callbackSlot) {
        ensureSlot(callbackSlot);
        if (outstanding[callbackSlot] == 0) {
            freeSlot(callbackSlot);
        } else {
            releasing[callbackSlot] = true;
        }
    }

    private void freeSlot(int slot) {
        releasing[slot] = false;
        if (freedCount == freedSlots.length) {
            freedSlots = java.util.Arrays.copyOf(freedSlots, freedCount * 2);
        }
        freedSlots[freedCount++] = slot;
    }

    private void handOverFreedSlots() {
        for (int i = 0; i < freedCount; i++) {
            slotFreed.accept(freedSlots[i]);
        }
        freedCount = 0;
    }

    private void ensureSlot(int slot) {
        if (slot >= outstanding.length) {
            final int size = Math.max(slot + 1, outstanding.length * 2);
            outstanding = java.util.Arrays.copyOf(outstanding, size);
            releasing = java.util.Arrays.copyOf(releasing, size);
        }
    }

    @Override
    public void onStatusRequest(long requestId) {
        statusSink.onStatus(requestId, status());
    }

    RaftStatus status() {
        java.util.List<RaftStatus.Follower> followers = java.util.List.of();
        if (engine.role() == io.pontoon.Role.LEADER) {
            final RaftStatus.Follower[] f = new RaftStatus.Follower[engine.followerCount()];
            for (int i = 0; i < f.length; i++) {
                f[i] = new RaftStatus.Follower(engine.followerId(i), engine.followerMatchIndex(i),
                    engine.followerNextIndex(i), engine.followerState(i), engine.followerVoter(i));
            }
            followers = java.util.List.of(f);
        }
        return new RaftStatus(engine.nodeId(), engine.role(), engine.term(), engine.leaderId(),
            engine.commitIndex(), engine.lastApplied(), engine.log().lastIndex(), engine.log().lastTerm(), followers);
    }

    @Override
    public void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
        counters.onCommit();
        for (CommitListener l : listeners.get()) {
            l.onCommit(lsn, term, data, offset, length);
        }
    }

    @Override
    public void onProposalResult(long tag, ResultCode code, long index) {
        final int slot = (int) (tag >>> 48);
        counters.onProposalOutcome(code);
        resultFor(slot).onResult(tag & InboundRing.CORRELATION_MASK, code, index, engine.leaderId());
        if (slot < outstanding.length && outstanding[slot] > 0 && --outstanding[slot] == 0 && releasing[slot]) {
            freeSlot(slot);
        }
    }

    @Override
    public void onClose() {
        try {
            engine.abandonPending();
        } catch (RuntimeException afterFailure) {
            // a failed node's engine may be mid-cycle; the callbacks still hear CLOSED from RaftNode.close
        }
        // Proposals still in a ring never reached the engine; status requests are answered by the node.
        final InboundRing.Handler closing = new InboundRing.Handler() {
            @Override
            public void onPeerMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length) {
            }

            @Override
            public void onProposal(int slot, long correlationId, DirectBuffer data, int offset, int length) {
                resultFor(slot).onResult(correlationId, ResultCode.CLOSED, -1, 0);
            }

            @Override
            public void onStatusRequest(long requestId) {
            }
        };
        inbound.drain(closing);
        if (proposals != null) {
            proposals.drain(closing);
        }
        endBatch();
    }

    @Override
    public String roleName() {
        return roleName;
    }
}
