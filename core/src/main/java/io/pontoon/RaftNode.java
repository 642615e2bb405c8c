package io.pontoon;

import io.pontoon.engine.RaftEngine;
import io.pontoon.engine.RandomSource;
import io.pontoon.engine.Outbox;
import io.pontoon.runtime.FutureCompletions;
import io.pontoon.runtime.InboundRing;
import io.pontoon.runtime.RaftAgent;
import io.pontoon.runtime.SharedThreads;
import io.pontoon.util.WakeableIdleStrategy;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.Membership;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Raft member: a {@link RaftEngine} driven by its own Raft thread (an Agrona {@code AgentRunner}), or by a
 * shared one ({@link Builder#raftThreads}), fed through a {@code ManyToOneRingBuffer} that carries proposals, peer
 * messages and control events.
 *
 * <p>Every public method is thread-safe. Callbacks ({@link CommitListener}, {@link ProposalCallback})
 * run on the Raft thread and must not block. The node owns its log store, meta store and transport and
 * closes them in {@link #close()}.
 */
public final class RaftNode implements AutoCloseable {
    /** The largest correlation id a proposal can carry: ids are in [0, 2^48). */
    public static final long MAX_CORRELATION_ID = InboundRing.CORRELATION_MASK;
    /** JDK platform logging (core has no logging dependency); the application routes it to SLF4J or JUL. */
    private static final System.Logger LOG = System.getLogger("io.pontoon.RaftNode");
    private static final long STATUS_TIMEOUT_MS = 5_000;

    private final int nodeId;
    private final RaftConfig config;
    private final InboundRing inbound;
    /** Proposals and callback-slot releases (in order), apart from peer messages and status requests. */
    private final InboundRing proposals;
    private final WakeableIdleStrategy wakeable;
    /** This node's own Raft thread; null when it runs on a shared one ({@link #member}). */
    private final AgentRunner runner;
    /** Its place on a shared Raft thread; null when it has its own ({@link #runner}). */
    private final SharedThreads.Member member;
    private final Transport transport;
    private final LogStore log;
    private final MetaStore meta;
    private final AtomicLong futureIds = new AtomicLong();
    /** Reads and leadership transfers: their futures and the hand-over of confirmed reads. */
    private final NodeReads reads;
    private final NodeMembership membership;
    private final AtomicLong statusIds = new AtomicLong();
    /** Completes the futures of {@link #propose(byte[])} off the Raft thread; its callback slot is 0. */
    private final FutureCompletions completions;
    private final ConcurrentHashMap<Long, CompletableFuture<RaftStatus>> statusRequests = new ConcurrentHashMap<>();
    /** Callback by slot (copy on write); a free slot holds null. Slot 0 is the futures' {@link #completions}. */
    private volatile ProposalCallback[] callbacks;
    /** Slots given back whose proposals all have results: reused before the array grows. Guarded by this. */
    private final java.util.ArrayDeque<Integer> freeSlots = new java.util.ArrayDeque<>();
    private volatile CommitListener[] listeners = new CommitListener[0];
    private volatile RaftStatus lastStatus;
    private volatile boolean closed;
    /** The first cause of a fail-stop, or null. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Consumer<Throwable> failureHandler;
    /** With a state machine: its apply thread; else null. */
    private final ApplyLoop applyLoop;
    private final io.pontoon.spi.SnapshotStore snapshots;
    private final RaftEngine engine;
    /** Reports, report listeners, role-change logs and JFR events (issue 13). */
    private final NodeReports reports;

    private RaftNode(Builder b) {
        this.nodeId = b.nodeId;
        this.config = b.config;
        this.transport = b.transport;
        this.log = b.logStore;
        this.meta = b.metaStore;
        this.failureHandler = b.failureHandler;
        this.completions = new FutureCompletions(b.nodeId);
        this.callbacks = new ProposalCallback[]{completions};
        listeners = b.listeners.toArray(new CommitListener[0]);
        final int capacity = config.inboundRingBytes + RingBufferDescriptor.TRAILER_LENGTH;
        this.inbound = new InboundRing(new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity))));
        this.proposals = new InboundRing(new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity))));
        if (b.raftThreads != null) {
            // Shared mode: every wake source of this node wakes the shared thread, whose idle check covers this
            // node's ring along with the other members'.
            this.member = b.raftThreads.shared().newMember("pontoon-raft-" + nodeId);
            this.wakeable = member.wakeable();
        } else {
            this.member = null;
            this.wakeable = new WakeableIdleStrategy(100, 20, 1_000_000L,
                () -> inbound.size() > 0 || proposals.size() > 0);
        }
        final RaftAgent[] agentRef = new RaftAgent[1];
        final Transport t = transport;
        final Outbox outbox = new Outbox() {
            @Override
            public boolean send(int toNodeId, int type, DirectBuffer body, int offset, int length) {
                return t.send(toNodeId, type, body, offset, length);
            }

            @Override
            public void flush() {
                t.flush();
            }
        };
        // A state machine starts from the latest snapshot, restored here, on the starting thread.
        this.snapshots = b.snapshotStore;
        final io.pontoon.spi.SnapshotMeta restored = b.stateMachine != null ? b.snapshotStore.latest() : null;
        if (restored != null) {
            try (io.pontoon.spi.SnapshotStore.SnapshotSource source = b.snapshotStore.open(restored)) {
                b.stateMachine.restore(new SnapshotReader(source));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("node " + nodeId + ": restoring the state machine from "
                    + restored + " failed", e);
            }
        }
        final WakeableIdleStrategy raftWake = wakeable;
        final Membership bootstrap = b.bootstrap();
        this.applyLoop = b.stateMachine == null ? null : new ApplyLoop(nodeId, b.stateMachine, b.snapshotStore,
            restored != null ? restored.membership() : bootstrap, config, restored, cause -> failStop(cause, lastStatus),
            raftWake::wake);
        this.membership = new NodeMembership(nodeId, proposals, wakeable::wake, bootstrap);
        this.membership.slot(register(membership));
        final NodeMembership changes = membership;
        final ApplyLoop apply = applyLoop;
        final RaftEngine[] engineRef = new RaftEngine[1];
        final NodeReports[] reportsRef = new NodeReports[1];
        this.reads = new NodeReads(nodeId, proposals, wakeable::wake, () -> closed || failure.get() != null,
            () -> engineRef[0].lastApplied(), () -> engineRef[0].leaderId(), applyLoop);
        this.engine = new RaftEngine(nodeId, bootstrap, config, log, meta, b.snapshotStore, restored,
            outbox, RandomSource.seeded(b.randomSeed), new io.pontoon.engine.EngineListener() {
                @Override
                public void onMembershipChanged(Membership m) {
                    changes.onChanged(m, engineRef[0] == null ? 0 : engineRef[0].membershipIndex());
                    t.onMembershipChanged(changes.reachable());
                }

                @Override
                public void onMembershipApplied(long index, long term, Membership m) {
                    if (apply != null) {
                        apply.offerMembership(index, term, m);
                    }
                    changes.onApplied(m);
                    t.onMembershipChanged(changes.reachable());
                }

                @Override
                public void onProposalResult(long tag, ResultCode code, long index) {
                    agentRef[0].onProposalResult(tag, code, index);
                }

                @Override
                public void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
                    if (apply != null) {
                        apply.offer(lsn, term, data, offset, length);
                    }
                    reads.onHandedOver(lsn);
                    agentRef[0].onCommit(lsn, term, data, offset, length);
                }

                @Override
                public void onReadIndex(long tag, ResultCode code, long index) {
                    reads.onConfirmed(tag, code, index);
                }

                @Override
                public void onApplied(long lastApplied) {
                    reads.onApplied(lastApplied);
                }

                @Override
                public void onTransferEnded(int target, boolean done) {
                    reads.endTransfer(target, done ? null : ResultCode.TIMEOUT);
                }

                @Override
                public boolean canApply(int length) {
                    return apply == null || apply.canApply(length);
                }

                @Override
                public void onSnapshotInstalled(io.pontoon.spi.SnapshotMeta installed) {
                    LOG.log(System.Logger.Level.INFO, "pontoon node " + nodeId + " installed the leader's " + installed);
                    reportsRef[0].onSnapshotInstalled(installed);
                    if (apply != null) {
                        apply.offerRestore(installed);
                    }
                    // A read confirmed from now on waits for the restore too: the state machine's index jumps to it.
                    reads.onInstalled(installed.index());
                }
            }, SystemNanoClock.INSTANCE.nanoTime());
        engineRef[0] = engine;
        membership.onChanged(engine.membership(), engine.membershipIndex());
        membership.onApplied(engine.membershipAt(engine.commitIndex()));
        transport.onMembershipChanged(membership.reachable());
        final LogStore store = log;
        final RaftAgent agent = new RaftAgent(engine, inbound, SystemNanoClock.INSTANCE,
            slot -> callbacks[slot], () -> listeners, this::onStatus, () -> {
                // A failure found off the Raft thread (the state machine's apply thread) stops its cycles too.
                final Throwable stopped = failure.get();
                return stopped != null ? stopped : store.failure();
            }, this::failStop);
        agentRef[0] = agent;
        final ApplyLoop loop = applyLoop;
        this.reports = new NodeReports(nodeId, agent.counters(), inbound, proposals, 2L * config.inboundRingBytes,
            log instanceof io.pontoon.spi.LogStoreStats stats ? stats : null,
            () -> loop == null ? 0 : loop.snapshotsTaken(), () -> loop == null ? 0 : loop.lastSnapshotNs(),
            () -> loop == null ? 0 : loop.lastSnapshotBytes());
        reportsRef[0] = reports;
        final NodeReports nodeReports = reports;
        agent.changeSink((role, leader, term, election) -> nodeReports.onChange(role, leader, term, election, null));
        agent.refusals(new RaftAgent.RefusalSink() {
            @Override
            public void onReadRefused(long readId, ResultCode code) {
                reads.fail(readId, code);
            }

            @Override
            public void onTransferRefused(int target, ResultCode code) {
                reads.endTransfer(target, code);
            }
        });
        if (applyLoop != null) {
            agent.snapshotsTaken(applyLoop::pollTaken);
            applyLoop.start();
        }
        agent.proposalRing(proposals);
        agent.onSlotFreed(this::onSlotFreed);
        log.durableIndexWakeup(wakeable::wake);
        transport.start(nodeId, this::onTransportMessage);
        if (member != null) {
            this.runner = null;
            member.start(agent, () -> inbound.size() > 0 || proposals.size() > 0, this::onSharedAgentError);
        } else {
            final IdleStrategy idle;
            switch (config.idleMode) {
                case BUSY_SPIN: idle = new BusySpinIdleStrategy(); break;
                case SLEEP: idle = new SleepingMillisIdleStrategy(1); break;
                default: idle = wakeable; break;
            }
            this.runner = new AgentRunner(idle, this::onAgentError, null, agent);
            AgentRunner.startOnThread(runner);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int nodeId() {
        return nodeId;
    }

    public RaftConfig config() {
        return config;
    }

    private boolean onTransportMessage(int from, int type, DirectBuffer body, int offset, int length) {
        if (!inbound.offerPeerMessage(from, type, body, offset, length)) {
            return false;
        }
        wakeable.wake();
        return true;
    }

    /**
     * Proposes {@code data} (the seed's ClientAppendEvent). Completes with the entry's LSN (log index)
     * once committed and applied on this node, or exceptionally with a {@link ProposalException} naming
     * the {@link ResultCode}. Any thread. The future completes on this node's completion thread
     * ({@code pontoon-completions-<id>}), never on the Raft thread: what is chained on it cannot stall
     * the node, though a slow callback delays the completion of later futures.
     */
    public CompletableFuture<Long> propose(byte[] data) {
        Objects.requireNonNull(data, "data");
        final CompletableFuture<Long> f = new CompletableFuture<>();
        final long id = futureIds.incrementAndGet() & InboundRing.CORRELATION_MASK;
        completions.register(id, f);
        if (!offer(new UnsafeBuffer(data), 0, data.length, id, 0)) {
            completions.unregister(id);
            f.completeExceptionally(new ProposalException(closed || failure.get() != null ? ResultCode.CLOSED
                : ResultCode.REJECTED_BUSY, -1, 0));
        }
        return f;
    }

    /**
     * Allocation-free propose: copies the bytes into the inbound ring; {@code callback} learns the outcome
     * on the Raft thread, exactly once. Returns false (and the callback is not called) if the ring is full
     * or the node is closed: retry later. {@code correlationId} must be in [0, 2^48).
     */
    public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback) {
        if (correlationId < 0 || correlationId > InboundRing.CORRELATION_MASK) {
            throw new IllegalArgumentException("correlationId must be in [0, 2^48), got " + correlationId);
        }
        return offer(buffer, offset, length, correlationId, slotOf(Objects.requireNonNull(callback, "callback")));
    }

    /**
     * {@link #propose(DirectBuffer, int, int, long, ProposalCallback)} with the slot {@link #register} returned:
     * no lookup. Any thread.
     */
    public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, int slot) {
        if (slot < 0 || slot >= callbacks.length || callbacks[slot] == null) {
            throw new IllegalArgumentException("callback slot " + slot + " is not registered (register() returns one)");
        }
        if (correlationId < 0 || correlationId > InboundRing.CORRELATION_MASK) {
            throw new IllegalArgumentException("correlationId must be in [0, 2^48), got " + correlationId);
        }
        return offer(buffer, offset, length, correlationId, slot);
    }

    private boolean offer(DirectBuffer buffer, int offset, int length, long correlationId, int slot) {
        if (closed || failure.get() != null) {
            return false;
        }
        if (!proposals.offerProposal(slot, correlationId, buffer, offset, length)) {
            return false;
        }
        wakeable.wake();
        return true;
    }

    /** The slot of {@code callback}: a lock-free identity scan, registering it the first time. */
    private int slotOf(ProposalCallback callback) {
        final int known = find(callbacks, callback);
        return known >= 0 ? known : register(callback);
    }

    private static int find(ProposalCallback[] array, ProposalCallback callback) {
        for (int i = 0; i < array.length; i++) {
            if (array[i] == callback) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Registers {@code callback} for the allocation-free propose and returns its slot, for
     * {@link #propose(DirectBuffer, int, int, long, int)}, which skips the lookup that the overload taking the
     * callback makes on every call (a scan of the registered callbacks). A released slot is reused. Any thread.
     *
     * @throws IllegalStateException if 65,535 callbacks are registered and unreleased at once
     */
    public synchronized int register(ProposalCallback callback) {
        Objects.requireNonNull(callback, "callback");
        final ProposalCallback[] now = callbacks;
        final int known = find(now, callback);
        if (known >= 0) {
            return known;
        }
        final Integer free = freeSlots.poll();
        final int slot;
        final ProposalCallback[] next;
        if (free != null) {
            slot = free;
            next = now.clone();
        } else {
            if (now.length == 65_535) {
                throw new IllegalStateException("65,535 ProposalCallback instances registered at once: release() the "
                    + "ones whose owner is gone, or reuse one per caller");
            }
            slot = now.length;
            next = Arrays.copyOf(now, now.length + 1);
        }
        next[slot] = callback;
        callbacks = next;
        return slot;
    }

    /**
     * Gives back the callback slot of {@code callback} (for example when the client connection it answers
     * closed). Call it after the owner's last propose, from the same thread: the slot is reused only once every
     * proposal made with it has its result, which still goes to {@code callback}. Without it each distinct
     * callback keeps a slot for the node's lifetime, and after 65,535 of them every propose fails. Returns false
     * if the inbound ring is full: call again later. Any thread.
     */
    public boolean release(ProposalCallback callback) {
        final int slot = find(callbacks, callback);
        if (slot <= 0 || closed || failure.get() != null) {
            return true; // not registered, the futures' own slot, or a node that takes nothing more
        }
        if (!proposals.offerReleaseSlot(slot)) {
            return false;
        }
        wakeable.wake();
        return true;
    }

    /** Raft thread: a released slot has no proposal left in flight; a new callback may take it. */
    private void onSlotFreed(int slot) {
        synchronized (this) {
            final ProposalCallback[] next = callbacks.clone();
            next[slot] = null;
            callbacks = next;
            freeSlots.add(slot);
        }
    }

    /** Callback slots in use (registered and not yet freed); for tests and metrics. Any thread. */
    public synchronized int callbackSlotsInUse() {
        return callbacks.length - freeSlots.size();
    }

    /**
     * Adds a commit listener (the seed's CommitCh), called on the Raft thread. It sees entries applied after it is
     * added; add it through {@link Builder#addCommitListener} to see every entry from the start.
     */
    public void addCommitListener(CommitListener listener) {
        onCommit(listener);
    }

    /** The seed's name for {@link #addCommitListener}. */
    public void onCommit(CommitListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            final CommitListener[] grown = Arrays.copyOf(listeners, listeners.length + 1);
            grown[listeners.length] = listener;
            listeners = grown;
        }
    }

    /** The seed's DebugEvent: a consistent snapshot taken on the Raft thread. After close, the last one. */
    public RaftStatus status() {
        try {
            return statusAsync().get(STATUS_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for node " + nodeId + " status", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("node " + nodeId + " did not answer a status request within "
                + STATUS_TIMEOUT_MS + " ms", e);
        }
    }

    /**
     * A point-in-time report of this node: counters, replication lag per follower, journal, inbound ring, snapshots
     * (issue 13). Built from what the node's threads publish, without a round trip to the Raft thread; cheap enough
     * to call per metrics scrape. Any thread.
     */
    public NodeReport report() {
        return reports.report(failure.get() != null ? Role.FAILED : null);
    }

    /**
     * {@code listener} receives a {@link NodeReport} on every role change of this node, on the Raft thread, after the
     * duty cycle in which the change happened: it must be quick and must not block or call back into this node's
     * blocking methods. A listener that throws is logged and kept.
     */
    public void addReportListener(Consumer<NodeReport> listener) {
        reports.addListener(listener);
    }

    /** Removes a listener added by {@link #addReportListener}; returns whether it was registered. */
    public boolean removeReportListener(Consumer<NodeReport> listener) {
        return reports.removeListener(listener);
    }

    static {
        // io.pontoon.metrics reads the published counters without making a report per meter (not API).
        io.pontoon.runtime.NodeProbe.Access.set(node -> ((RaftNode) node).reports);
    }

    /** Asynchronous {@link #status()}. */
    public CompletableFuture<RaftStatus> statusAsync() {
        final CompletableFuture<RaftStatus> f = new CompletableFuture<>();
        if (closed || failure.get() != null) {
            final RaftStatus last = failure.get() != null ? failedStatus(lastStatus) : lastStatus;
            if (last != null) {
                f.complete(last);
            } else {
                f.completeExceptionally(new IllegalStateException("node " + nodeId + " is closed"));
            }
            return f;
        }
        final long id = statusIds.incrementAndGet();
        statusRequests.put(id, f);
        if (!inbound.offerStatusRequest(id)) {
            statusRequests.remove(id);
            f.completeExceptionally(new IllegalStateException("node " + nodeId + " inbound ring is full"));
        } else {
            wakeable.wake();
        }
        return f;
    }

    // ------------------------------------------------------------------ reads and leadership transfer

    /** A linearizable read index ({@link ReadPolicy#LINEARIZABLE}): see {@link #readIndex(ReadPolicy)}. */
    public CompletableFuture<Long> readIndex() {
        return readIndex(ReadPolicy.LINEARIZABLE);
    }

    /**
     * A read index (thesis §6.4): completes with an index once this node's state machine (or, without one, its
     * commit listeners) has applied at least that far, so that reading the state now sees every write acknowledged
     * before this call, on the leader and on a follower alike (a follower asks the leader). Reads queued in the same
     * duty cycle share one heartbeat round. Fails with a {@link ProposalException}: NOT_LEADER (no leader known; a
     * lease read on a follower), TIMEOUT (no answer within proposalTimeout), LEADERSHIP_TRANSFER, LEASE_EXPIRED,
     * REJECTED_BUSY (inbound ring full), CLOSED. Any thread; completes on the apply thread (with a state machine)
     * or on the node's read thread ({@code pontoon-reads-<id>}). Once the index is confirmed the future waits for
     * this node to apply it: a follower cut off from the leader right then waits until it catches up (bound the
     * wait with {@code orTimeout} if the caller cannot).
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Long> readIndex(ReadPolicy policy) {
        final CompletableFuture<Object> f = new CompletableFuture<>();
        reads.start(policy, f, null);
        return (CompletableFuture<Long>) (CompletableFuture<?>) f;
    }

    /**
     * Runs {@code query} against this node's state once it is up to date for {@code policy} (see
     * {@link #readIndex(ReadPolicy)}) and completes with its result. With a state machine the query runs on the apply
     * thread, between two applies, so it sees a state no apply is changing; without one it runs on the node's read
     * thread after the commit listeners have seen the read index. A query that throws fails only its read.
     */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> read(ReadPolicy policy, java.util.function.Supplier<T> query) {
        Objects.requireNonNull(query, "query");
        final CompletableFuture<Object> f = new CompletableFuture<>();
        reads.start(policy, f, query);
        return (CompletableFuture<T>) f;
    }

    /**
     * Hands leadership to member {@code target} (thesis §3.10): the leader stops taking proposals (they fail with
     * LEADERSHIP_TRANSFER), brings the target's log up to date, and tells it to campaign at once. Completes when
     * this node sees {@code target} lead; fails with a {@link ProposalException}: NOT_LEADER (this node does not
     * lead), INVALID (not another member), LEADERSHIP_TRANSFER (a transfer to another member is under way), TIMEOUT
     * (no handover within {@code RaftConfig.transferTimeoutNs}: the leader takes proposals again), CLOSED. Any
     * thread; completes on the Raft thread: do not block in what is chained on it.
     */
    public CompletableFuture<Void> transferLeadership(int target) {
        return reads.startTransfer(target);
    }

    /**
     * The configuration in effect on this node (thesis §4.1: the newest in its log, committed or not): voters,
     * learners, addresses. Any thread.
     */
    public Membership membership() {
        return membership.current();
    }

    /** The newest configuration this node has applied (committed). Any thread. */
    public Membership committedMembership() {
        return membership.committed();
    }

    /**
     * Leader: changes the configuration to {@code change.apply(configuration in effect)} (thesis §4). A change of
     * one voter (with any learner changes) is one entry; a larger one goes through joint consensus (§4.3). Completes
     * with the new configuration once it is committed (for a joint change, once the joint configuration has been
     * left). Fails with {@link IllegalArgumentException} when {@code change} refuses (for example an id that is
     * already a member), or with a {@link ProposalException}: NOT_LEADER, MEMBERSHIP_CHANGE_PENDING (another change,
     * or this new leader's first entry, is not committed yet, or the configuration changed meanwhile: retry),
     * LEADERSHIP_TRANSFER, INVALID (no change), TIMEOUT, LEADERSHIP_LOST, CLOSED. Any thread; completes on the Raft
     * thread.
     */
    public CompletableFuture<Membership> changeMembership(java.util.function.UnaryOperator<Membership> change) {
        return membership.change(change);
    }

    /** Adds {@code id} as a learner reachable at {@code address} (null for in-memory transports); see {@link #changeMembership}. */
    public CompletableFuture<Membership> addLearner(int id, String address) {
        return changeMembership(m -> m.withLearner(id, address));
    }

    /** Makes {@code id} a voter: promotes a learner, or adds a new member at {@code address} as a voter. */
    public CompletableFuture<Membership> addVoter(int id, String address) {
        return changeMembership(m -> m.withVoter(id, address));
    }

    /** Promotes learner {@code id} to a voter (add it as a learner first and let it catch up). */
    public CompletableFuture<Membership> promote(int id) {
        return changeMembership(m -> {
            if (!m.isLearner(id)) {
                throw new IllegalArgumentException("node " + id + " is not a learner (" + m.describe() + ")");
            }
            return m.withVoter(id, null);
        });
    }

    /** Removes member {@code id}, voter or learner; a leader that removes itself steps down once it commits. */
    public CompletableFuture<Membership> removeMember(int id) {
        return changeMembership(m -> m.without(id));
    }

    private void onStatus(long requestId, RaftStatus status) {
        lastStatus = status;
        final CompletableFuture<RaftStatus> f = statusRequests.remove(requestId);
        if (f != null) {
            f.complete(status);
        }
    }

    private void onAgentError(Throwable t) {
        // RaftAgent turns every throwable of a duty cycle into a fail-stop; this sees only what escapes that.
        failStop(t, lastStatus);
    }

    /**
     * Fail-stop (issue 9): the first failure of a store or of the Raft thread stops the node for good. The node
     * stops acknowledging at once (its Raft thread runs no more duty cycles), then a thread of its own closes it:
     * links, stores, pending proposals (CLOSED). {@link #status()} reports {@link Role#FAILED} and
     * {@link #failure()} the cause; the builder's failure handler is told after the close.
     */
    private void failStop(Throwable failed, RaftStatus last) {
        Throwable explained;
        try {
            explained = log.explain(failed);
        } catch (RuntimeException e) {
            explained = failed;
        }
        final Throwable cause = explained == null ? failed : explained;
        if (!failure.compareAndSet(null, cause)) {
            return;
        }
        lastStatus = failedStatus(last);
        LOG.log(System.Logger.Level.ERROR, "pontoon failstop node=" + nodeId + " term=" + (last == null ? 0 : last.term())
            + " cause=" + String.valueOf(cause).replace('\n', ' '), cause);
        try {
            if (reports != null) {
                reports.onChange(reports.counters().role(), (int) reports.counters().get(io.pontoon.runtime.NodeCounters.LEADER),
                    0, false, Role.FAILED);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pontoon node " + nodeId + ": reporting the failure", e);
        }
        final Thread closer = new Thread(() -> {
            try {
                close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "pontoon node " + nodeId + ": closing after the failure", e);
            } finally {
                if (failureHandler != null) {
                    failureHandler.accept(cause);
                }
            }
        }, "pontoon-node-" + nodeId + "-fail-stop");
        closer.setDaemon(true);
        closer.start();
    }

    /**
     * Takes a snapshot of the state machine now, at its last applied entry, on the apply thread (the Raft thread is
     * not blocked); completes once it is durable, with its metadata, and the log is then compacted up to the
     * previous snapshot. Fails if the node has no state machine. Any thread.
     */
    public CompletableFuture<io.pontoon.spi.SnapshotMeta> snapshot() {
        if (applyLoop == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("node " + nodeId
                + " has no state machine (RaftNode.Builder.stateMachine)"));
        }
        return applyLoop.requestSnapshot();
    }

    /** Snapshots this node's state machine took since it started (by policy or on request). Any thread. */
    public long snapshotsTaken() {
        return applyLoop == null ? 0 : applyLoop.snapshotsTaken();
    }

    /** Highest log index the state machine holds (applied or restored); 0 without a state machine. Any thread. */
    public long stateMachineIndex() {
        return applyLoop == null ? 0 : applyLoop.appliedIndex();
    }

    /** {@code last} (or nothing known) as the status of a fail-stopped node. */
    private RaftStatus failedStatus(RaftStatus last) {
        return last == null ? new RaftStatus(nodeId, Role.FAILED, 0, 0, 0, 0, 0, 0)
            : new RaftStatus(nodeId, Role.FAILED, last.term(), 0, last.commitIndex(), last.lastApplied(),
                last.lastLogIndex(), last.lastLogTerm());
    }

    /** Why this node fail-stopped, or null if it has not (see {@link Builder#errorHandler}). Any thread. */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * On a shared Raft thread a throwable that escaped this node's agent has already taken the agent off the
     * thread (the other nodes there keep running): fail-stop this node like any other failure.
     */
    private void onSharedAgentError(Throwable t) {
        failStop(t, lastStatus);
    }

    /**
     * Stops the Raft thread (or takes this node off its shared Raft thread, leaving the other nodes there running);
     * pending proposals complete with CLOSED; closes transport and stores. Not from a Raft-thread callback.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (runner != null) {
            runner.close();
        } else {
            member.leave();
        }
        if (applyLoop != null) {
            applyLoop.close();
        }
        engine.close();
        completions.close();
        reads.close();
        membership.close();
        for (CompletableFuture<RaftStatus> f : statusRequests.values()) {
            final RaftStatus last = lastStatus;
            if (last != null) {
                f.complete(last);
            } else {
                f.completeExceptionally(new IllegalStateException("node " + nodeId + " is closed"));
            }
        }
        statusRequests.clear();
        // Each resource is closed even if another fails (a failed journal's close reports its failure again).
        RuntimeException first = null;
        for (AutoCloseable resource : snapshots == null ? new AutoCloseable[] {transport, log, meta}
            : new AutoCloseable[] {transport, log, meta, snapshots}) {
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null && failure.get() == null) {
            throw first; // after a fail-stop the cause is known already: failure()
        }
    }

    /** Builds and starts a node. Required: nodeId, members, logStore, metaStore, transport. */
    public static final class Builder {
        private int nodeId;
        private int[] memberIds;
        private int[] learnerIds = new int[0];
        private Membership membership;
        private RaftConfig config = RaftConfig.defaults();
        private LogStore logStore;
        private MetaStore metaStore;
        private Transport transport;
        private final java.util.List<CommitListener> listeners = new java.util.ArrayList<>();
        private long randomSeed = System.nanoTime();
        private RaftThreads raftThreads;
        private Consumer<Throwable> failureHandler;
        private StateMachine stateMachine;
        private io.pontoon.spi.SnapshotStore snapshotStore;

        private Builder() {
        }

        /**
         * Told, once, after the node fail-stopped and closed: its log store failed (a failed fsync, a full disk,
         * an I/O error), its MetaStore could not save, or an error escaped its Raft thread. The node does not
         * recover by itself; restart it over its stores once the cause is fixed. Runs on a thread of its own.
         */
        public Builder errorHandler(Consumer<Throwable> handler) {
            this.failureHandler = handler;
            return this;
        }

        /** This node's id: positive, and one of {@link #members}. */
        public Builder nodeId(int id) {
            if (id <= 0) {
                throw new IllegalArgumentException("nodeId must be positive, got " + id);
            }
            this.nodeId = id;
            return this;
        }

        /** Every member's id, this node included (voters and learners). */
        public Builder members(int... ids) {
            this.memberIds = ids.clone();
            return this;
        }

        /**
         * Which of the {@link #members} are learners: they receive the log and apply it like every member, but never
         * vote, never campaign and never count toward a quorum (read replicas, standbys). Default none.
         */
        public Builder learners(int... ids) {
            this.learnerIds = ids.clone();
            return this;
        }

        /**
         * The configuration the cluster starts with, with each member's address where the transport needs one
         * (instead of {@link #members} and {@link #learners}). It holds until the log or a snapshot holds a newer one:
         * a restarted node takes the newest configuration in its log or snapshot, whatever is given here. A node
         * that joins a running cluster is started with the cluster's configuration, itself as a learner, and is then
         * added as a learner by the leader ({@link RaftNode#addLearner}).
         */
        public Builder membership(Membership bootstrap) {
            this.membership = Objects.requireNonNull(bootstrap, "membership");
            return this;
        }

        /** The starting configuration: {@link #membership}, else the members and learners. */
        Membership bootstrap() {
            return membership != null ? membership : RaftEngine.bootstrap(nodeId, memberIds, learnerIds);
        }

        public Builder config(RaftConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public Builder logStore(LogStore store) {
            this.logStore = store;
            return this;
        }

        public Builder metaStore(MetaStore store) {
            this.metaStore = store;
            return this;
        }

        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /**
         * A commit listener registered before the Raft thread starts: it sees every committed entry of this run (see
         * {@link CommitListener} for restarts). Called on the Raft thread.
         */
        public Builder addCommitListener(CommitListener listener) {
            return onCommit(listener);
        }

        /** The seed's name for {@link #addCommitListener}. */
        public Builder onCommit(CommitListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The application's state machine: it gets every committed entry on the node's apply thread, and is
         * snapshotted by {@link RaftConfig#snapshotEveryEntries} / {@link RaftConfig#snapshotEveryBytes} and on
         * {@link RaftNode#snapshot()}; needs a {@link #snapshotStore}. At start it is restored from the latest
         * snapshot, and delivery resumes after it.
         */
        public Builder stateMachine(StateMachine stateMachine) {
            this.stateMachine = stateMachine;
            return this;
        }

        /**
         * Where snapshots are kept ({@code FileSnapshotStore.open(dataDir)} in the storage module, or
         * {@link io.pontoon.memory.InMemorySnapshotStore}); the node closes it. Also lets this node receive snapshots
         * from a leader.
         */
        public Builder snapshotStore(io.pontoon.spi.SnapshotStore store) {
            this.snapshotStore = store;
            return this;
        }

        /** Seed for randomized election timeouts (default: from the clock). */
        public Builder randomSeed(long seed) {
            this.randomSeed = seed;
            return this;
        }

        /**
         * Runs this node's Raft agent on one of {@code threads}' shared threads instead of a thread of its own
         * (Aeron's shared threading mode); {@code null}, the default, gives the node its own thread. The caller
         * owns {@code threads} and closes it after the nodes. On a shared thread the idle strategy is the shared
         * threads' ({@link RaftThreads#start(int, RaftConfig.IdleMode)}), not {@link RaftConfig#idleMode}, and a
         * throwable from this node's agent closes this node (the others on the thread keep running).
         */
        public Builder raftThreads(RaftThreads threads) {
            this.raftThreads = threads;
            return this;
        }

        public RaftNode start() {
            if (nodeId <= 0) {
                throw new IllegalArgumentException("nodeId is required (a positive int)");
            }
            if (memberIds == null && membership == null) {
                throw new IllegalArgumentException("members is required (every member's node id)");
            }
            if (memberIds != null && membership != null) {
                throw new IllegalArgumentException("give members (and learners) or membership, not both");
            }
            if (membership != null && !membership.isMember(nodeId)) {
                throw new IllegalArgumentException("nodeId " + nodeId + " is not a member of " + membership.describe()
                    + " (a node joining a cluster starts as a learner of it)");
            }
            final Membership bootstrap = bootstrap();
            if (logStore == null || metaStore == null || transport == null) {
                throw new IllegalArgumentException("logStore, metaStore and transport are required; missing: "
                    + (logStore == null ? "logStore " : "") + (metaStore == null ? "metaStore " : "")
                    + (transport == null ? "transport" : ""));
            }
            if (stateMachine != null && snapshotStore == null) {
                throw new IllegalArgumentException("a state machine needs a snapshotStore (FileSnapshotStore.open(dataDir) "
                    + "for a durable node, InMemorySnapshotStore for one in memory)");
            }
            // Issue 9: limits checked together, so no node accepts an entry it cannot store or replicate.
            if (config.maxEntryBytes > logStore.maxPayloadBytes()) {
                throw new IllegalArgumentException("RaftConfig.maxEntryBytes (" + config.maxEntryBytes
                    + ") is larger than the log store's largest payload (" + logStore.maxPayloadBytes()
                    + "): lower maxEntryBytes or give the store more room (ChronicleLogStoreOptions.ringCapacityBytes)");
            }
            final long appendEntriesOfOne = (long) config.maxEntryBytes + io.pontoon.protocol.AppendEntriesCodec.HEADER_LENGTH
                + io.pontoon.protocol.AppendEntriesCodec.ENTRY_HEADER_LENGTH;
            if (appendEntriesOfOne > transport.maxMessageBytes()) {
                throw new IllegalArgumentException("RaftConfig.maxEntryBytes (" + config.maxEntryBytes
                    + ") cannot be replicated: an AppendEntries of one such entry takes " + appendEntriesOfOne
                    + " bytes, and the transport carries at most " + transport.maxMessageBytes()
                    + " (NettyTransportConfig.maxFrameBytes less the frame header)");
            }
            final long snapshotChunk = io.pontoon.protocol.InstallSnapshotCodec.lengthOf(
                Membership.MAX_ENCODED_BYTES, config.snapshotChunkBytes);
            if (snapshotChunk > transport.maxMessageBytes()) {
                throw new IllegalArgumentException("RaftConfig.snapshotChunkBytes (" + config.snapshotChunkBytes
                    + ") cannot be sent: an InstallSnapshot chunk takes " + snapshotChunk
                    + " bytes, and the transport carries at most " + transport.maxMessageBytes()
                    + " (NettyTransportConfig.maxFrameBytes less the frame header)");
            }
            return new RaftNode(this);
        }
    }
}
