package io.pontoon.bench.engine;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.engine.EngineListener;
import io.pontoon.engine.RaftEngine;
import io.pontoon.engine.RandomSource;
import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.memory.InMemoryMetaStore;
import org.agrona.DirectBuffer;

/**
 * {@code n} {@link RaftEngine}s wired together in one thread: no runtime, no threads, no clock. Logs are
 * {@link InMemoryLogStore}s that are durable on append; messages go through a {@link MessageQueue}.
 * Virtual time advances by {@link #ROUND_NS} per round so heartbeats and timers still run.
 */
final class EngineCluster implements MessageQueue.Receiver {
    static final long ROUND_NS = 1_000L;
    private static final long ELECTION_STEP_NS = 1_000_000L;
    private static final long MAX_ELECTION_NS = 60_000_000_000L;
    private static final int MAX_ROUNDS_PER_COMMIT = 10_000;

    private final RaftEngine[] engines;
    private final InMemoryLogStore[] logs;
    /** Each engine's inbox: the round's messages addressed to it (built once: no allocation per round). */
    private final RaftEngine.Inbox[] inboxes;
    private final MessageQueue network = new MessageQueue();
    private long nowNs = 1_000_000_000L;
    private long committedEntries;
    private long failedProposals;
    private String malformed;

    EngineCluster(int nodes, RaftConfig config, long seed) {
        engines = new RaftEngine[nodes];
        logs = new InMemoryLogStore[nodes];
        final int[] members = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            members[i] = i + 1;
        }
        final EngineListener listener = new EngineListener() {
            @Override
            public void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
                committedEntries++;
            }

            @Override
            public void onProposalResult(long tag, ResultCode code, long index) {
                if (code != ResultCode.OK) {
                    failedProposals++;
                }
            }
        };
        inboxes = new RaftEngine.Inbox[nodes];
        for (int i = 0; i < nodes; i++) {
            final int nodeId = i + 1;
            inboxes[i] = engine -> network.deliverTo(nodeId, this);
        }
        for (int i = 0; i < nodes; i++) {
            logs[i] = new InMemoryLogStore(true);
            engines[i] = new RaftEngine(i + 1, members, config, logs[i], new InMemoryMetaStore(),
                network.outboxOf(i + 1), RandomSource.seeded(seed + i), listener, nowNs);
        }
    }

    @Override
    public void onMessage(int toNodeId, int fromNodeId, int type, DirectBuffer body, int offset, int length) {
        final String error = engines[toNodeId - 1].onMessage(fromNodeId, type, body, offset, length);
        if (error != null && malformed == null) {
            malformed = error;
        }
    }

    /**
     * One round: one duty cycle of every engine ({@link RaftEngine#doWork}, the order every driver
     * shares), each with the messages sent to it in the previous round as its inbox. Returns messages
     * delivered.
     */
    int round() {
        nowNs += ROUND_NS;
        network.beginRound();
        final long before = network.messagesDelivered();
        for (int i = 0; i < engines.length; i++) {
            engines[i].doWork(nowNs, inboxes[i]);
        }
        if (malformed != null) {
            throw new IllegalStateException("engine rejected a message as malformed: " + malformed);
        }
        return (int) (network.messagesDelivered() - before);
    }

    /** Runs rounds (moving virtual time in election-sized steps) until a leader has committed its no-op. */
    RaftEngine electLeader() {
        final long deadlineNs = nowNs + MAX_ELECTION_NS;
        while (nowNs < deadlineNs) {
            final RaftEngine leader = leader();
            if (leader != null && leader.commitIndex() >= leader.log().lastIndex()) {
                return leader;
            }
            nowNs += ELECTION_STEP_NS;
            round();
        }
        throw new IllegalStateException("no leader within " + MAX_ELECTION_NS / 1_000_000_000L + " s of virtual time");
    }

    /** The engine in the LEADER role with the highest term, or null. */
    RaftEngine leader() {
        RaftEngine best = null;
        for (RaftEngine e : engines) {
            if (e.role() == Role.LEADER && (best == null || e.term() > best.term())) {
                best = e;
            }
        }
        return best;
    }

    /** Runs rounds until {@code engine} has committed {@code index}; fails fast if nothing moves. */
    void commitThrough(RaftEngine engine, long index) {
        for (int rounds = 0; engine.commitIndex() < index; rounds++) {
            if (rounds == MAX_ROUNDS_PER_COMMIT) {
                throw new IllegalStateException("index " + index + " not committed after " + rounds
                    + " rounds; commitIndex=" + engine.commitIndex() + " role=" + engine.role());
            }
            round();
        }
    }

    /** Lets every log drop entries that every node has applied (whole chunks; recycled, not freed). */
    void compact() {
        long applied = Long.MAX_VALUE;
        for (RaftEngine e : engines) {
            applied = Math.min(applied, e.lastApplied());
        }
        for (InMemoryLogStore log : logs) {
            log.deleteBefore(applied);
        }
    }

    long committedEntries() {
        return committedEntries;
    }

    long failedProposals() {
        return failedProposals;
    }

    long messagesDelivered() {
        return network.messagesDelivered();
    }
}
