package io.pontoon.sim;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.engine.EngineListener;
import io.pontoon.engine.Outbox;
import io.pontoon.engine.RaftEngine;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.Membership;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;
import io.pontoon.engine.RandomSource;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A deterministic, single-threaded simulation of a Raft cluster in virtual time.
 *
 * <p>Everything that happens is an event in one priority queue ordered by (virtual time, sequence
 * number): node ticks, message deliveries, disk completions and actions (client proposals, faults).
 * There are no threads and no wall clock, and all randomness comes from one seeded generator, so a seed
 * replays exactly. Each event that reaches an engine is one duty cycle of that node
 * ({@link RaftEngine#doWork}, the cycle every driver shares) with the event as its input; after it the
 * simulator schedules the disk write of anything appended and runs the {@link SafetyChecker} on the node.
 *
 * <p>Tests drive it directly: build, {@link #start()}, then {@link #runFor}/{@link #runUntil} with faults
 * in between ({@link #network()}, {@link #crash}, {@link #restart}, {@link #holdDisk}, {@link #pauseTicks}).
 * {@link RandomizedRun} drives it with random faults for one seed.
 */
public final class Simulation {
    /** Traffic is counted per window of virtual time to catch message storms. */
    static final long STORM_WINDOW_NS = 100_000_000L;
    /**
     * More messages than this in one window is a message storm (a feedback loop in flow control): about
     * 3x the worst legitimate burst seen over thousands of seeds (per-message reordering with 1-entry
     * batches and a 256-message window), and ~100x normal traffic.
     */
    static final long STORM_BUDGET_MESSAGES = 60_000L;

    final long seed;
    final int nodeCount;
    final RaftConfig config;
    final long tickIntervalNs;
    private final boolean alignedTicks;
    private final long diskDelayMinNs;
    private final long diskDelayJitterNs;
    private final RandomSourceFactory randomSources;
    private final String replayCommand;
    private final SplittableRandom random;
    private final EventQueue queue = new EventQueue();
    /** Wraps each delivered body; the engine may use it only during onMessage (Outbox contract). */
    private final UnsafeBuffer deliveryBuffer = new UnsafeBuffer(new byte[0]);
    /** The message being delivered, handed to the engine by {@link #deliveryInbox}. */
    private SimEvent delivering;
    private final RaftEngine.Inbox deliveryInbox = engine -> {
        final SimEvent d = delivering;
        final String malformed = engine.onMessage(d.from, d.type, deliveryBuffer, 0, d.body.length);
        if (malformed != null) {
            throw SafetyChecker.violation("wire format", "n" + d.node + " rejected a message n" + d.from
                + " sent as malformed: " + malformed);
        }
        return 1;
    };
    private final SimNode[] nodes;
    /** The configuration the cluster starts with: voters, then learners; spares are not in it. */
    private final Membership initialMembership;
    /** Membership changes started, and the tags of their proposals (negative, apart from the checker's). */
    long membershipChanges;
    /** What the last {@link #changeMembership} got from the engine: its entry's index, or -ordinal of the refusal. */
    long lastMembershipResult;
    private final SimNetwork network;
    final SafetyChecker checker;
    private final EventTrace trace = new EventTrace();
    private PrintStream traceOut;
    private long seq;
    private long nowNs;
    private SimEvent current;
    long events;
    long crashes;
    long failStops;
    long aimedCrashes;
    long snapshotsTaken;
    /** Reads and leadership transfers started. */
    long reads;
    long transfers;
    long snapshotsLost;
    long installs;
    // Storage faults (issue 9), off unless a test or RandomizedRun switches them on. Their draws come from
    // their own stream, so a run without them replays exactly as before they existed.
    private final SplittableRandom faultRandom;
    /** Probability of a crash at a moment that matters: just after a vote, an ack or a durable index. */
    private double aimedCrashRate;
    private long aimedCrashMaxDownNs;
    /** A crash keeps a random prefix of the unsynced writes (torn tail) instead of none of them. */
    private boolean tornWrites;
    /** Mutant for checker tests: every MetaStore save drops the vote (an engine that skips persisting it). */
    private boolean mutantSkipVotePersistence;
    /** Messages sent in the current window of {@link #STORM_WINDOW_NS}, and the most in any window. */
    private long windowStartNs;
    private long windowMessages;
    long maxWindowMessages;

    /** Supplies the engine's randomness per node incarnation (tests may make it predictable). */
    @FunctionalInterface
    public interface RandomSourceFactory {
        RandomSource create(int nodeId, int incarnation);
    }

    Simulation(SimulationBuilder b) {
        this.seed = b.seed;
        this.nodeCount = b.nodes;
        this.config = b.config;
        this.tickIntervalNs = b.tickIntervalNs;
        this.alignedTicks = b.alignedTicks;
        this.diskDelayMinNs = b.diskDelayMinNs;
        this.diskDelayJitterNs = b.diskDelayJitterNs;
        this.replayCommand = b.replayCommand;
        this.random = new SplittableRandom(b.seed);
        this.faultRandom = new SplittableRandom(mix(b.seed, 0xd15cL, 0xfa17L));
        final long seed = b.seed;
        this.randomSources = b.randomSources != null ? b.randomSources
            : (id, inc) -> RandomSource.seeded(mix(seed, id, inc));
        this.checker = new SafetyChecker(this, b.nodes);
        this.network = new SimNetwork(b.nodes, b.netDelayMinNs, b.netDelayJitterNs);
        this.nodes = new SimNode[b.nodes];
        for (int i = 0; i < b.nodes; i++) {
            nodes[i] = new SimNode(i + 1, checker);
        }
        if (b.learners < 0 || b.spares < 0 || b.learners + b.spares >= b.nodes) {
            throw new IllegalArgumentException("learners + spares must leave at least one voter of " + b.nodes
                + " nodes, got " + b.learners + " learners and " + b.spares + " spares");
        }
        final int voters = b.nodes - b.learners - b.spares;
        final int[] voterIds = new int[voters];
        for (int i = 0; i < voters; i++) {
            voterIds[i] = i + 1;
        }
        final int[] learnerIds = new int[b.learners];
        for (int i = 0; i < b.learners; i++) {
            learnerIds[i] = voters + 1 + i;
        }
        this.initialMembership = Membership.of(voterIds, learnerIds);
        checker.onInitialMembership(initialMembership);
    }

    /** The configuration node {@code n} starts with: the cluster's, and a spare is its own learner (see spares). */
    private Membership bootstrapOf(SimNode n) {
        return initialMembership.isMember(n.id) ? initialMembership : initialMembership.withLearner(n.id, null);
    }

    public static SimulationBuilder builder() {
        return new SimulationBuilder();
    }

    static long mix(long seed, long a, long b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Starts an engine on every node (a node's log may be preloaded before). */
    public Simulation start() {
        for (SimNode n : nodes) {
            if (n.engine == null) {
                restart(n.id);
            }
        }
        return this;
    }

    // ------------------------------------------------------------------ accessors

    public long seed() {
        return seed;
    }

    public long nowNs() {
        return nowNs;
    }

    public RaftConfig config() {
        return config;
    }

    public SimNetwork network() {
        return network;
    }

    public SimNode node(int id) {
        return nodes[id - 1];
    }

    public SimNode[] nodes() {
        return nodes;
    }

    public int size() {
        return nodeCount;
    }

    /** The engine of node {@code id}; throws if the node is down. */
    public RaftEngine engine(int id) {
        final RaftEngine e = nodes[id - 1].engine;
        if (e == null) {
            throw new IllegalStateException("n" + id + " is down");
        }
        return e;
    }

    public Proposal proposal(long id) {
        return checker.proposal(id);
    }

    /** Highest index known committed (by any node), and the committed entry's term there. */
    public long maxCommittedIndex() {
        return checker.maxCommitted();
    }

    public long committedTerm(long index) {
        return checker.committedTerm(index);
    }

    /** The leader of {@code term} as recorded by the election-safety check, or 0. */
    public int leaderOfTerm(long term) {
        return checker.leaderOfTerm(term);
    }

    /** The up node that believes it is leader with the highest term, or 0 if none. */
    public int leader() {
        int best = 0;
        long bestTerm = -1;
        for (SimNode n : nodes) {
            if (n.engine != null && n.engine.role() == Role.LEADER && n.engine.term() > bestTerm) {
                best = n.id;
                bestTerm = n.engine.term();
            }
        }
        return best;
    }

    /** Prints every event as it happens (replaying one seed); null to stop. */
    public Simulation traceTo(PrintStream out) {
        this.traceOut = out;
        return this;
    }

    SplittableRandom random() {
        return random;
    }

    // ------------------------------------------------------------------ running

    /** Runs every event up to {@code nowNs() + durationNs}. */
    public Simulation runFor(long durationNs) {
        final long end = nowNs + durationNs;
        SimEvent e;
        while ((e = queue.peek()) != null && e.timeNs <= end) {
            step(queue.poll());
        }
        nowNs = end;
        return this;
    }

    /** Runs until {@code condition} holds (checked after every event) or {@code maxNs} passed; returns it. */
    public boolean runUntil(BooleanSupplier condition, long maxNs) {
        final long deadline = nowNs + maxNs;
        while (!condition.getAsBoolean()) {
            final SimEvent e = queue.peek();
            if (e == null || e.timeNs > deadline) {
                nowNs = deadline;
                return condition.getAsBoolean();
            }
            step(queue.poll());
        }
        return true;
    }

    /** Runs until some node is leader; returns its id, or throws (with the trace) after {@code maxNs}. */
    public int awaitLeader(long maxNs) {
        if (!runUntil(() -> leader() != 0, maxNs)) {
            throw failure("no leader", "no leader within " + formatTime(maxNs) + " of virtual time", null);
        }
        return leader();
    }

    /** Runs until the next event; false if nothing is scheduled. */
    boolean stepOnce() {
        final SimEvent e = queue.poll();
        if (e == null) {
            return false;
        }
        step(e);
        return true;
    }

    // ------------------------------------------------------------------ commands

    /** A client proposal to node {@code id} with a fresh payload; the engine's answer is in the result. */
    public Proposal propose(int id) {
        return propose(id, false);
    }

    /** An empty proposal, which the engine must refuse with INVALID. */
    public Proposal proposeEmpty(int id) {
        return propose(id, true);
    }

    Proposal propose(int id, boolean empty) {
        final SimNode n = node(id);
        if (n.engine == null) {
            throw new IllegalStateException("n" + id + " is down");
        }
        final Proposal[] holder = new Proposal[1];
        inject("client -> n" + id + " propose", id, () -> holder[0] = proposeNow(n, empty));
        return holder[0];
    }

    /** Proposes on an up node within the current step. */
    Proposal proposeNow(SimNode n, boolean empty) {
        final long proposalId = checker.proposalCount() + 1;
        final byte[] payload = empty ? new byte[0] : Payloads.forProposal(proposalId);
        final Proposal p = checker.newProposal(n, Payloads.hash(payload), payload.length, nowNs);
        final long[] result = new long[1];
        runCycle(n, engine -> {
            result[0] = engine.propose(new UnsafeBuffer(payload), 0, payload.length, p.id);
            checker.onProposeReturned(n, p, result[0]);
            return 1;
        });
        note("n" + n.id + " #" + p.id + (result[0] > 0 ? " index " + result[0] : " " + ResultCode.of((int) -result[0])));
        return p;
    }

    /**
     * A linearizable read on node {@code id} ({@code lease}: a lease read); the checker holds its answer to every
     * write acknowledged before it. Returns the read's id.
     */
    public long read(int id, boolean lease) {
        final long[] readId = new long[1];
        inject("client -> n" + id + (lease ? " lease read" : " read"), id, () -> readId[0] = readNow(node(id), lease));
        return readId[0];
    }

    /** Starts a read on an up node within the current step. Returns its id. */
    long readNow(SimNode n, boolean lease) {
        final long readId = ++reads;
        checker.onReadStarted(n, readId, nowNs);
        final int[] result = new int[1];
        runCycle(n, engine -> {
            if (mutantLocalReads) {
                if (engine.role() == io.pontoon.Role.LEADER) {
                    checker.onReadIndex(n, readId, ResultCode.OK, engine.commitIndex());
                    return 1;
                }
                result[0] = -ResultCode.NOT_LEADER.ordinal();
                return 1;
            }
            result[0] = engine.requestRead(readId, lease);
            return 1;
        });
        if (result[0] < 0) {
            checker.onReadRefused(readId);
            note("n" + n.id + " read #" + readId + " " + ResultCode.of(-result[0]));
        }
        return readId;
    }

    /**
     * Node {@code id}, if it leads, proposes the configuration {@code change.apply(its configuration in effect)}
     * (thesis §4); a change that {@code change} refuses (IllegalArgumentException) is noted and skipped.
     */
    public Simulation changeMembership(int id, java.util.function.UnaryOperator<Membership> change, String what) {
        inject("n" + id + " membership: " + what, id, () -> changeMembershipNow(node(id), change, what));
        return this;
    }

    void changeMembershipNow(SimNode n, java.util.function.UnaryOperator<Membership> change, String what) {
        runCycle(n, engine -> {
            final Membership target;
            try {
                target = change.apply(engine.membership());
            } catch (IllegalArgumentException refused) {
                lastMembershipResult = 0;
                note("n" + n.id + " " + what + " skipped: " + refused.getMessage());
                return 1;
            }
            final long tag = -(++membershipChanges);
            final long r = engine.proposeMembership(target, tag);
            lastMembershipResult = r;
            note("n" + n.id + " " + what + " -> " + target.describe()
                + (r < 0 ? " refused: " + ResultCode.of((int) -r) : " at index " + r));
            return 1;
        });
    }

    /** The leader {@code id} hands leadership to {@code target} (thesis §3.10). */
    public Simulation transferLeadership(int id, int target) {
        inject("n" + id + " transfer to n" + target, id, () -> transferNow(node(id), target));
        return this;
    }

    void transferNow(SimNode n, int target) {
        runCycle(n, engine -> {
            final int r = engine.transferLeadership(target);
            note("n" + n.id + " transfer to n" + target + (r < 0 ? " refused: " + ResultCode.of(-r) : ""));
            transfers++;
            return 1;
        });
    }

    /** Adds a note to the current step's trace line. */
    void note(String text) {
        if (current != null) {
            current.note = current.note == null ? text : current.note + "; " + text;
        }
    }

    /** Process crash of node {@code id}: the engine is discarded, the log keeps only what was durable. */
    public Simulation crash(int id) {
        inject("crash n" + id, id, () -> crashNow(node(id)));
        return this;
    }

    /** A new engine (next incarnation) over the node's log and meta stores. */
    public Simulation restart(int id) {
        inject("restart n" + id, id, () -> restartNow(node(id)));
        return this;
    }

    /** While paused the node gets no ticks: its timers stand still (its clock is frozen). */
    public Simulation pauseTicks(int id) {
        final SimNode n = node(id);
        if (!n.ticksPaused) {
            n.pausedAtNs = nowNs;
        }
        n.ticksPaused = true;
        return this;
    }

    public Simulation resumeTicks(int id) {
        node(id).ticksPaused = false;
        return this;
    }

    /** While held the node's disk completes nothing: its appends stay non-durable. */
    public Simulation holdDisk(int id) {
        node(id).diskHeld = true;
        return this;
    }

    public Simulation releaseDisk(int id) {
        final SimNode n = node(id);
        n.diskHeld = false;
        n.scheduledWriteSeq = 0;
        if (n.engine != null) {
            scheduleDisk(n);
        }
        return this;
    }

    /**
     * Delivers a forged message (as if from a faulty or hostile peer) to node {@code toId} now, and returns
     * the engine's refusal reason, or null if it took the message. Unlike network traffic, a refusal here
     * is the expected outcome, not a violation.
     */
    public String deliverForged(int fromId, int toId, int type, byte[] body) {
        final SimNode n = node(toId);
        final String[] reason = new String[1];
        inject("forged " + io.pontoon.protocol.MessageType.name(type) + " n" + fromId + " -> n" + toId, toId, () ->
            runCycle(n, engine -> {
                reason[0] = engine.onMessage(fromId, type, new UnsafeBuffer(body), 0, body.length);
                return 1;
            }));
        note("refused: " + reason[0]);
        return reason[0];
    }

    // ------------------------------------------------------------------ scheduling (package)

    void schedule(long atNs, String label, Runnable action) {
        final SimEvent e = new SimEvent(Math.max(atNs, nowNs), seq++, SimEvent.ACTION, 0, 0);
        e.label = label;
        e.action = action;
        queue.add(e);
    }

    private void inject(String label, int nodeId, Runnable action) {
        final SimEvent e = new SimEvent(nowNs, seq++, SimEvent.ACTION, nodeId, 0);
        e.label = label;
        e.action = action;
        step(e);
    }

    private void step(SimEvent e) {
        nowNs = e.timeNs;
        events++;
        trace.add(e);
        final SimEvent outer = current;
        current = e;
        try {
            switch (e.kind) {
                case SimEvent.TICK:
                    onTickEvent(e);
                    break;
                case SimEvent.DELIVER:
                    onDeliverEvent(e);
                    break;
                case SimEvent.DISK:
                    onDiskEvent(e);
                    break;
                default:
                    e.action.run();
                    break;
            }
        } catch (SimulationFailure f) {
            throw f;
        } catch (SafetyChecker.Violation v) {
            throw failure(v.invariant, v.getMessage(), null);
        } catch (Throwable t) {
            throw failure("engine exception", t.toString(), t);
        } finally {
            current = outer;
        }
        if (traceOut != null) {
            traceOut.println(e.format());
        }
    }

    private void onTickEvent(SimEvent e) {
        final SimNode n = nodes[e.node - 1];
        if (n.engine == null || n.incarnation != e.incarnation) {
            return; // the tick chain of a crashed incarnation ends here
        }
        scheduleTick(n, nowNs + tickIntervalNs);
        if (!n.ticksPaused) {
            runCycle(n, RaftEngine.Inbox.EMPTY);
        }
    }

    private void onDeliverEvent(SimEvent e) {
        final SimNode n = nodes[e.node - 1];
        if (n.engine == null) {
            e.note = "dropped: n" + e.node + " is down";
            return;
        }
        deliveryBuffer.wrap(e.body);
        delivering = e;
        runCycle(n, deliveryInbox);
    }

    private void onDiskEvent(SimEvent e) {
        final SimNode n = nodes[e.node - 1];
        if (n.engine == null || n.incarnation != e.incarnation) {
            return; // the write was lost with the crash
        }
        if (n.diskHeld) {
            e.note = "held";
            return; // releaseDisk schedules a new completion for everything written
        }
        if (n.log.persistWritesUpTo(e.value)) {
            n.durableAdvanced = true;
            runCycle(n, RaftEngine.Inbox.EMPTY);
        }
    }

    /**
     * One duty cycle of node {@code n} ({@link RaftEngine#doWork}, the order every driver shares) with
     * {@code inbox} as its input, then what the simulated world does after it: schedule the disk write
     * of anything appended, check the invariants. A node whose ticks are paused runs at the frozen time
     * it was paused at, so none of its timers fire.
     */
    private void runCycle(SimNode n, RaftEngine.Inbox inbox) {
        final RaftEngine engine = n.engine;
        if (n.logFailing) {
            // As RaftAgent does: the store's failure is read before the cycle's work, and stops the node.
            failStopNow(n, "its log store reports a failed sync");
            return;
        }
        final int voteBefore = engine.votedFor();
        final long termBefore = engine.term();
        final long responsesBefore = n.responsesSent;
        final boolean durableAdvanced = n.durableAdvanced;
        n.durableAdvanced = false;
        try {
            engine.doWork(n.ticksPaused ? n.pausedAtNs : nowNs, inbox);
        } catch (StorageFault fault) {
            failStopNow(n, fault.getMessage());
            return;
        } catch (CrashInsideSave crash) {
            aimedCrashNow(n, crash.getMessage());
            return;
        }
        scheduleDisk(n);
        checker.afterStep(n);
        if (aimedCrashRate > 0) {
            final String moment = engine.votedFor() != MetaStore.NO_VOTE
                && (engine.votedFor() != voteBefore || engine.term() != termBefore) ? "a vote for n" + engine.votedFor()
                : n.responsesSent != responsesBefore ? "an ack"
                : durableAdvanced ? "the publication of durable index " + n.log.durableIndex() : null;
            if (moment != null && faultRandom.nextDouble() < aimedCrashRate) {
                aimedCrashNow(n, "just after " + moment);
                return;
            }
        }
        final SimEvent e = current;
        if (e != null && (e.node == n.id || e.node == 0)) {
            e.traced = true;
            e.role = engine.role();
            e.term = engine.term();
            e.commitIndex = engine.commitIndex();
            e.lastIndex = n.log.lastIndex();
            e.durableIndex = n.log.durableOnDisk();
        }
    }

    private void scheduleTick(SimNode n, long atNs) {
        final SimEvent t = new SimEvent(atNs, seq++, SimEvent.TICK, n.id, n.incarnation);
        queue.add(t);
    }

    private void scheduleDisk(SimNode n) {
        final long writeSeq = n.log.writeSeq();
        if (writeSeq <= n.scheduledWriteSeq || n.diskHeld) {
            return;
        }
        long at = nowNs + diskDelayMinNs + n.slowDiskNs
            + (diskDelayJitterNs > 0 ? random.nextLong(diskDelayJitterNs) : 0);
        at = Math.max(at, n.lastDiskCompletionNs); // completions in write order
        n.lastDiskCompletionNs = at;
        n.scheduledWriteSeq = writeSeq;
        final SimEvent d = new SimEvent(at, seq++, SimEvent.DISK, n.id, n.incarnation);
        d.value = writeSeq;
        queue.add(d);
    }

    void send(int fromId, int toId, int type, DirectBuffer body, int offset, int length) {
        if (toId < 1 || toId > nodeCount || toId == fromId) {
            throw SafetyChecker.violation("addressing", "n" + fromId + " sent " + type + " to node " + toId);
        }
        final SimNetwork net = network;
        net.sent++;
        if (type == io.pontoon.protocol.MessageType.APPEND_RESPONSE
            || type == io.pontoon.protocol.MessageType.VOTE_RESPONSE) {
            nodes[fromId - 1].responsesSent++;
        }
        if (nowNs - windowStartNs >= STORM_WINDOW_NS) {
            windowStartNs = nowNs - nowNs % STORM_WINDOW_NS;
            windowMessages = 0;
        }
        if (++windowMessages > maxWindowMessages) {
            maxWindowMessages = windowMessages;
            if (windowMessages > STORM_BUDGET_MESSAGES) {
                throw SafetyChecker.violation("message storm", "more than " + STORM_BUDGET_MESSAGES
                    + " messages in " + STORM_WINDOW_NS / 1_000_000 + " ms of virtual time (window from "
                    + formatTime(windowStartNs) + "): a feedback loop in replication flow control");
            }
        }
        if (net.isCut(fromId, toId)) {
            net.dropped++;
            return;
        }
        if (!net.filters().isEmpty()) {
            for (MessageFilter f : net.filters()) {
                if (f.drop(fromId, toId, type, body, offset, length)) {
                    net.dropped++;
                    return;
                }
            }
        }
        if (net.dropRate > 0 && random.nextDouble() < net.dropRate) {
            net.dropped++;
            return;
        }
        final byte[] copy = new byte[length];
        body.getBytes(offset, copy, 0, length);
        deliverLater(fromId, toId, type, copy);
        if (net.duplicateRate > 0 && random.nextDouble() < net.duplicateRate) {
            net.duplicated++;
            deliverLater(fromId, toId, type, copy);
        }
    }

    private void deliverLater(int fromId, int toId, int type, byte[] body) {
        final SimNetwork net = network;
        long delay = net.delayMinNs + (net.delayJitterNs > 0 ? random.nextLong(net.delayJitterNs) : 0);
        if (net.spikeRate > 0 && random.nextDouble() < net.spikeRate) {
            delay += random.nextLong(net.spikeMaxNs + 1);
        }
        long at = nowNs + Math.max(1, delay);
        if (net.fifo) {
            at = Math.max(at, net.lastDeliveryNs[fromId][toId]);
            net.lastDeliveryNs[fromId][toId] = at;
        }
        final SimEvent e = new SimEvent(at, seq++, SimEvent.DELIVER, toId, 0);
        e.from = fromId;
        e.type = type;
        e.body = body;
        queue.add(e);
    }

    /** A storage fault injected by {@link #failStorage}; the engine throws it from a MetaStore save. */
    static final class StorageFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StorageFault(String message) {
            super(message);
        }
    }

    /**
     * From now on node {@code id}'s log store reports a failure (its next duty cycle fail-stops it) or, with
     * {@code metaOnly}, only its MetaStore saves throw (it fail-stops at its next term or vote change).
     */
    public Simulation failStorage(int id, boolean metaOnly) {
        inject("storage fault n" + id + (metaOnly ? " (meta saves)" : " (log)"), id, () -> {
            final SimNode n = node(id);
            n.metaFailing = true;
            n.logFailing = !metaOnly;
        });
        return this;
    }

    /** Thrown from a MetaStore save to model the process dying inside it (an aimed crash). */
    static final class CrashInsideSave extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CrashInsideSave(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Crashes aimed at the moments that matter (issue 9): after each duty cycle in which a node granted or
     * cast a vote, sent an ack (AppendResponse or VoteResponse) or published a new durable index, and inside
     * each term or vote save, the node crashes with probability {@code rate}; it restarts within
     * {@code maxDownNs}. 0 switches them off.
     */
    public Simulation aimedCrashes(double rate, long maxDownNs) {
        this.aimedCrashRate = rate;
        this.aimedCrashMaxDownNs = Math.max(1, maxDownNs);
        return this;
    }

    /** Each crash keeps a random prefix of the node's unsynced writes (a torn tail) rather than none. */
    public Simulation tornWrites(boolean torn) {
        this.tornWrites = torn;
        return this;
    }

    /** Mutant for checker tests: the MetaStore never persists a vote, as an engine that forgot to. */
    /**
     * Mutant: a read is answered at once with the node's own commit index if it believes it leads, without a
     * heartbeat round (the classic stale-read bug of a leader that does not know it was deposed). For the test
     * that shows the read invariant catches it.
     */
    Simulation mutantLocalReads() {
        this.mutantLocalReads = true;
        return this;
    }

    private boolean mutantLocalReads;

    Simulation mutantSkipVotePersistence() {
        this.mutantSkipVotePersistence = true;
        return this;
    }

    /** Mutant for checker tests: every journal reports writes durable before any sync. */
    Simulation mutantJournalSkipsSync() {
        for (SimNode n : nodes) {
            n.log.lieAboutDurability = true;
        }
        return this;
    }

    /** The checker's direct storage checks; off leaves the end-to-end invariants alone (mutant tests). */
    Simulation directStorageChecks(boolean on) {
        checker.directStorageChecks = on;
        return this;
    }

    /** Storage fault now, within the current step (see {@link #failStorage}). */
    void failStorageNow(SimNode n, boolean metaOnly) {
        note("storage fault n" + n.id + (metaOnly ? " (meta saves)" : " (log)"));
        n.metaFailing = true;
        n.logFailing = !metaOnly;
    }

    /** Repairs a node's storage within the current step and, if it is down, starts it again. */
    void repairNow(SimNode n) {
        n.logFailing = false;
        n.metaFailing = false;
        n.failed = false;
        restartNow(n);
    }

    private void aimedCrashNow(SimNode n, String moment) {
        note("aimed crash n" + n.id + " " + moment);
        aimedCrashes++;
        crashNow(n);
        // Half the restarts are quick (a supervisor restarting the process within 2 ms), so the node is back
        // while messages sent around the moment of the crash are still in flight.
        final long downNs = 1 + faultRandom.nextLong(faultRandom.nextBoolean()
            ? Math.min(2_000_000L, aimedCrashMaxDownNs) : aimedCrashMaxDownNs);
        schedule(nowNs + downNs, "restart n" + n.id + " after its aimed crash", () -> restartNow(n));
    }

    /**
     * Node {@code id} snapshots its state machine now (at its last applied index) and commits it at once; the
     * engine then compacts its log up to the previous snapshot. Returns the snapshot, or null if there was
     * nothing new to snapshot.
     */
    public SnapshotMeta takeSnapshot(int id) {
        final SnapshotMeta[] taken = new SnapshotMeta[1];
        inject("snapshot n" + id, id, () -> taken[0] = snapshotNow(node(id), 0));
        return taken[0];
    }

    /**
     * Writes a snapshot of {@code n}'s state machine; it is committed (made durable and visible) after
     * {@code commitDelayNs}, or at once for 0. A crash in between loses it, as a crash while a snapshot file is
     * being written does. Returns the committed snapshot, or null (nothing new, or committed later).
     */
    SnapshotMeta snapshotNow(SimNode n, long commitDelayNs) {
        final RaftEngine e = n.engine;
        if (e == null) {
            return null;
        }
        final long index = e.lastApplied();
        final long covered = e.snapshot() == null ? 0 : e.snapshot().index();
        if (index <= covered || index == 0) {
            return null;
        }
        final long term = n.log.termAt(index);
        final SnapshotStore.SnapshotSink sink = n.snapshots.create(index, term, e.membershipAt(index));
        sink.write(java.nio.ByteBuffer.wrap(n.sm.snapshot(index)));
        if (commitDelayNs == 0) {
            return commitSnapshot(n, sink);
        }
        final int incarnation = n.incarnation;
        schedule(nowNs + commitDelayNs, "n" + n.id + " commits its snapshot at " + index, () -> {
            if (n.engine != null && n.incarnation == incarnation) {
                commitSnapshot(n, sink);
            } else {
                sink.close();
                snapshotsLost++;
                note("n" + n.id + " crashed while writing its snapshot at " + index + ": lost");
            }
        });
        return null;
    }

    private SnapshotMeta commitSnapshot(SimNode n, SnapshotStore.SnapshotSink sink) {
        final SnapshotMeta meta = sink.commit();
        snapshotsTaken++;
        note("n" + n.id + " took " + meta);
        runCycle(n, engine -> {
            engine.onSnapshotTaken(meta);
            return 1;
        });
        return meta;
    }

    /** The fault is fixed and the node started again over its stores (what survived its fail-stop). */
    public Simulation repairAndRestart(int id) {
        inject("repair and restart n" + id, id, () -> repairNow(node(id)));
        return this;
    }

    /** Fail-stop: like a crash (what was not durable is lost), and the node stays down until repaired. */
    void failStopNow(SimNode n, String cause) {
        note("n" + n.id + " FAILED: " + cause);
        crashNow(n);
        n.failed = true;
        failStops++;
    }

    void crashNow(SimNode n) {
        if (n.engine == null) {
            return;
        }
        checker.onCrash(n);
        checker.onReadsLost(n);
        n.engine = null;
        if (tornWrites) {
            final long survivors = faultRandom.nextLong(n.log.unsyncedCount() + 1);
            if (survivors > 0) {
                note("n" + n.id + " keeps " + survivors + " unsynced entr" + (survivors == 1 ? "y" : "ies"));
            }
            n.log.crashKeeping(survivors);
        } else {
            n.log.crash();
        }
        n.incarnation++;
        n.scheduledWriteSeq = n.log.writeSeq(); // in-flight writes are lost
        n.lastDiskCompletionNs = 0;
        crashes++;
    }

    void restartNow(SimNode n) {
        if (n.engine != null || n.failed) {
            return;
        }
        n.incarnation++;
        final int incarnation = n.incarnation;
        n.seenCommitIndex = 0;
        n.lastAppliedLsn = 0;
        n.appliedCount = 0;
        n.seenTerm = 0;
        n.leaderTerm = -1;
        n.scheduledWriteSeq = n.log.writeSeq(); // entries held now were durable (or preloaded)
        // The state machine starts from the latest snapshot, as RaftNode does; delivery resumes after it.
        n.sm.reset();
        final SnapshotMeta restored = n.snapshots.latest();
        if (restored != null) {
            checker.onRestore(n, restored, n.sm.restore(n.snapshots, restored), "at start");
        }
        final Outbox outbox = (to, type, body, offset, length) -> {
            send(n.id, to, type, body, offset, length);
            return true;
        };
        final EngineListener listener = new EngineListener() {
            @Override
            public void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
                checker.onApply(n, incarnation, lsn, term, data, offset, length);
            }

            @Override
            public void onProposalResult(long tag, ResultCode code, long index) {
                if (tag < 0) {
                    note("n" + n.id + " membership change " + -tag + " " + code + " at " + index);
                    return;
                }
                note("n" + n.id + " #" + tag + " " + code + " at " + index);
                checker.onProposalResult(n, incarnation, tag, code, index, nowNs);
            }

            @Override
            public void onMembershipChanged(Membership m) {
                note("n" + n.id + " now in " + m.describe());
            }

            @Override
            public void onMembershipApplied(long index, long term, Membership m) {
                checker.onMembershipCommitted(n, index, m);
            }

            @Override
            public void onReadIndex(long tag, ResultCode code, long index) {
                note("n" + n.id + " read #" + tag + " " + code + (code == ResultCode.OK ? " at " + index : ""));
                checker.onReadIndex(n, tag, code, index);
            }

            @Override
            public void onTransferEnded(int target, boolean done) {
                note("n" + n.id + " transfer to n" + target + (done ? " done" : " abandoned"));
            }

            @Override
            public void onSnapshotInstalled(SnapshotMeta meta) {
                note("n" + n.id + " installed " + meta);
                n.snapshotsInstalled++;
                installs++;
                checker.onRestore(n, meta, n.sm.restore(n.snapshots, meta), "from the leader");
            }
        };
        final MetaStore meta = new MetaStore() {
            @Override
            public long term() {
                return n.meta.term();
            }

            @Override
            public int votedFor() {
                return n.meta.votedFor();
            }

            @Override
            public void save(long term, int votedFor) {
                if (n.metaFailing) {
                    throw new StorageFault("n" + n.id + " cannot save term " + term + " vote " + votedFor + " (injected)");
                }
                final int vote = mutantSkipVotePersistence ? MetaStore.NO_VOTE : votedFor;
                if (aimedCrashRate > 0 && faultRandom.nextDouble() < aimedCrashRate) {
                    // The process dies inside the save: the atomic rename either happened or did not.
                    final boolean landed = faultRandom.nextBoolean();
                    if (landed) {
                        n.meta.save(term, vote);
                    }
                    throw new CrashInsideSave("inside its save of term " + term + " vote " + votedFor
                        + (landed ? " (the save landed)" : " (the save was lost)"));
                }
                n.meta.save(term, vote);
            }

            @Override
            public void close() {
            }
        };
        n.engine = new RaftEngine(n.id, bootstrapOf(n), config, n.log, meta, n.snapshots,
            restored, outbox, randomSources.create(n.id, incarnation), listener, nowNs);
        final long phase = alignedTicks ? tickIntervalNs : 1 + random.nextLong(tickIntervalNs);
        scheduleTick(n, nowNs + phase);
        runCycle(n, RaftEngine.Inbox.EMPTY);
    }

    // ------------------------------------------------------------------ reports

    /** The failure report for a broken invariant at the current step. */
    SimulationFailure failure(String invariant, String details, Throwable cause) {
        final String replay = replayLines();
        return new SimulationFailure(seed, nodeCount, invariant, details,
            EventTrace.report(this, invariant, details, replay), replay, cause);
    }

    /**
     * A scenario's assertion: if {@code condition} is false, fails with the whole report (cluster state,
     * last events, replay command) so the test failure explains itself.
     */
    public void expect(boolean condition, String expectation) {
        if (!condition) {
            throw failure("scenario expectation", expectation, null);
        }
    }

    /** The last {@value EventTrace#SIZE} events, oldest first, one per line. */
    public String recentEvents() {
        return trace.recent();
    }

    /** One line per node: role, term, commit, log, disk. */
    public String describeCluster() {
        final StringBuilder sb = new StringBuilder();
        for (SimNode n : nodes) {
            sb.append(n.describe()).append('\n');
        }
        return sb.toString();
    }

    private String replayLines() {
        if (replayCommand != null) {
            return "  " + replayCommand + '\n';
        }
        return "  ./pontoon sim --seeds 1 --first-seed " + seed + " --nodes " + nodeCount + '\n'
            + "  mvn -pl testkit -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=SimulationTest"
            + " -Dsim.seed=" + seed + " -Dsim.nodes=" + nodeCount + '\n';
    }

    static String formatTime(long ns) {
        final long s = ns / 1_000_000_000L;
        final long frac = ns % 1_000_000_000L;
        final String f = Long.toString(frac + 1_000_000_000L).substring(1);
        return s + "." + f.substring(0, 6) + "s";
    }
}
