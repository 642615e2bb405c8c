package io.pontoon.engine;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.memory.InMemoryMetaStore;
import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.VoteRequestCodec;
import io.pontoon.protocol.VoteResponseCodec;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One engine under test, node 1 of a small cluster, driven by hand with explicit time: feed it
 * messages as if from its peers, tick it, and read what it sent, committed and reported. The election
 * timeout is exactly {@link #ELECTION_TIMEOUT_NS} (the random part is always 0).
 */
final class EngineFixture {
    static final long MS = 1_000_000L;
    static final long ELECTION_TIMEOUT_NS = 100 * MS;
    static final int SELF = 1;

    /** A message the engine sent, with the durable term and vote at the moment it was sent. */
    record Sent(int to, int type, byte[] body, long durableTerm, int durableVote) {
        AppendResponseCodec appendResponse() {
            assertEquals(MessageType.APPEND_RESPONSE, type, "message type");
            return new AppendResponseCodec().wrap(new UnsafeBuffer(body), 0);
        }

        AppendEntriesCodec appendEntries() {
            assertEquals(MessageType.APPEND_ENTRIES, type, "message type");
            return new AppendEntriesCodec().wrap(new UnsafeBuffer(body), 0, body.length);
        }

        VoteRequestCodec voteRequest() {
            assertEquals(MessageType.VOTE_REQUEST, type, "message type");
            return new VoteRequestCodec().wrap(new UnsafeBuffer(body), 0);
        }

        VoteResponseCodec voteResponse() {
            assertEquals(MessageType.VOTE_RESPONSE, type, "message type");
            return new VoteResponseCodec().wrap(new UnsafeBuffer(body), 0);
        }

        HeartbeatCodec heartbeat() {
            return new HeartbeatCodec().wrap(new UnsafeBuffer(body), 0);
        }
    }

    /** A proposal outcome reported through the listener. */
    record Outcome(long tag, ResultCode code, long index) {
    }

    final int nodes;
    final RaftConfig config;
    final InMemoryLogStore log;
    final InMemoryMetaStore meta = new InMemoryMetaStore();
    final List<Sent> sent = new ArrayList<>();
    final List<Long> committedLsns = new ArrayList<>();
    final List<Outcome> outcomes = new ArrayList<>();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
    RaftEngine engine;
    long nowNs;

    EngineFixture(int nodes, boolean autoDurable, RaftConfig config) {
        this.nodes = nodes;
        this.config = config;
        this.log = new InMemoryLogStore(autoDurable);
    }

    static RaftConfig.Builder config() {
        return RaftConfig.builder().electionTimeoutNs(ELECTION_TIMEOUT_NS).heartbeatIntervalNs(20 * MS);
    }

    /** A 3-node cluster with an auto-durable log and the default test config. */
    static EngineFixture threeNodes() {
        return new EngineFixture(3, true, config().build());
    }

    /** Before {@link #start()}: entries with these terms (durable), and the last term as current term. */
    EngineFixture withLog(long... terms) {
        long maxTerm = meta.term();
        for (long t : terms) {
            final long index = log.lastIndex() + 1;
            log.append(index, t, new UnsafeBuffer(new byte[] {(byte) index, (byte) t}), 0, 2);
            maxTerm = Math.max(maxTerm, t);
        }
        log.persistAll();
        meta.save(maxTerm, meta.votedFor());
        return this;
    }

    EngineFixture withTerm(long term, int votedFor) {
        meta.save(term, votedFor);
        return this;
    }

    EngineFixture start() {
        final int[] members = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            members[i] = i + 1;
        }
        final Outbox outbox = (to, type, body, offset, length) -> {
            final byte[] copy = new byte[length];
            body.getBytes(offset, copy, 0, length);
            sent.add(new Sent(to, type, copy, meta.term(), meta.votedFor()));
            return true;
        };
        final EngineListener listener = new EngineListener() {
            @Override
            public void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
                committedLsns.add(lsn);
            }

            @Override
            public void onProposalResult(long tag, ResultCode code, long index) {
                outcomes.add(new Outcome(tag, code, index));
            }
        };
        engine = new RaftEngine(SELF, members, config, log, meta, outbox, bound -> 0, listener, nowNs);
        return this;
    }

    // ------------------------------------------------------------------ inputs

    void tickTo(long atNs) {
        nowNs = atNs;
        endDutyCycle();
    }

    void tickBy(long durationNs) {
        tickTo(nowNs + durationNs);
    }

    /** One duty cycle with nothing in the inbox, at the fixture's time (the disk or the clock moved). */
    void endDutyCycle() {
        engine.doWork(nowNs, RaftEngine.Inbox.EMPTY);
    }

    /** One duty cycle whose inbox holds one message (in {@code scratch}). */
    void deliver(int from, int type, int length) {
        engine.doWork(nowNs, e -> {
            final String malformed = e.onMessage(from, type, scratch, 0, length);
            assertNull(malformed, "the engine accepts a well-formed " + MessageType.name(type));
            return 1;
        });
    }

    /** AppendEntries from {@code from} carrying entries of the given terms after (prevIndex, prevTerm). */
    void appendEntries(int from, long term, long prevIndex, long prevTerm, long leaderCommit, long... entryTerms) {
        final AppendEntriesCodec codec = new AppendEntriesCodec().encode(scratch, 0, term, prevIndex, prevTerm, leaderCommit);
        for (int i = 0; i < entryTerms.length; i++) {
            final byte[] payload = {(byte) (prevIndex + 1 + i), (byte) entryTerms[i]};
            codec.appendEntry(entryTerms[i], new UnsafeBuffer(payload), 0, payload.length);
        }
        deliver(from, MessageType.APPEND_ENTRIES, codec.length());
    }

    void appendSuccess(int from, long term, long matchIndex) {
        deliver(from, MessageType.APPEND_RESPONSE,
            AppendResponseCodec.encode(scratch, 0, term, true, matchIndex, -1, -1, -1, matchIndex));
    }

    void appendReject(int from, long term, long rejectedIndex, long conflictTerm, long conflictIndex, long lastIndex) {
        deliver(from, MessageType.APPEND_RESPONSE, AppendResponseCodec.encode(scratch, 0, term, false, 0,
            rejectedIndex, conflictTerm, conflictIndex, lastIndex));
    }

    void voteRequest(int from, long term, long lastIndex, long lastTerm, boolean preVote) {
        deliver(from, MessageType.VOTE_REQUEST, VoteRequestCodec.encode(scratch, 0, term, lastIndex, lastTerm, preVote));
    }

    void voteResponse(int from, long term, boolean granted, boolean preVote) {
        deliver(from, MessageType.VOTE_RESPONSE, VoteResponseCodec.encode(scratch, 0, term, granted, preVote));
    }

    void heartbeat(int from, long term, long commitIndex) {
        deliver(from, MessageType.HEARTBEAT, HeartbeatCodec.encode(scratch, 0, term, commitIndex));
    }

    void heartbeatResponse(int from, long term, long lastIndex) {
        deliver(from, MessageType.HEARTBEAT_RESPONSE, HeartbeatCodec.encode(scratch, 0, term, lastIndex));
    }

    long propose(int length) {
        final long[] result = new long[1];
        engine.doWork(nowNs, e -> {
            result[0] = e.propose(new UnsafeBuffer(new byte[length]), 0, length, 1000 + log.lastIndex());
            return 1;
        });
        return result[0];
    }

    /**
     * Elects this node: the election timeout passes, node 2 grants the pre-vote and the vote. Clears
     * what was sent on the way. Returns the new term.
     */
    long electSelf() {
        return electSelf(true);
    }

    /** As {@link #electSelf()}; {@code clearSent} false keeps what the electing duty cycle sent. */
    long electSelf(boolean clearSent) {
        tickBy(2 * ELECTION_TIMEOUT_NS);
        if (engine.role() == Role.PRE_CANDIDATE) {
            for (int peer = 2; peer <= nodes / 2 + 1; peer++) {
                voteResponse(peer, engine.term() + 1, true, true);
            }
        }
        assertEquals(Role.CANDIDATE, engine.role(), "a majority of pre-votes makes a candidate");
        for (int peer = 2; peer <= nodes / 2 + 1; peer++) {
            voteResponse(peer, engine.term(), true, false);
        }
        assertEquals(Role.LEADER, engine.role(), "a majority of votes makes a leader");
        if (clearSent) {
            sent.clear();
        }
        return engine.term();
    }

    // ------------------------------------------------------------------ outputs

    List<Sent> sentOfType(int type) {
        final List<Sent> out = new ArrayList<>();
        for (Sent s : sent) {
            if (s.type == type) {
                out.add(s);
            }
        }
        return out;
    }

    List<Sent> sentTo(int to, int type) {
        final List<Sent> out = new ArrayList<>();
        for (Sent s : sent) {
            if (s.type == type && s.to == to) {
                out.add(s);
            }
        }
        return out;
    }

    Sent lastSent(int type) {
        final List<Sent> all = sentOfType(type);
        assertTrue(!all.isEmpty(), "the engine sent a " + MessageType.name(type) + "; it sent " + describeSent());
        return all.get(all.size() - 1);
    }

    Sent lastSentTo(int to, int type) {
        final List<Sent> all = sentTo(to, type);
        assertTrue(!all.isEmpty(), "the engine sent a " + MessageType.name(type) + " to " + to + "; it sent " + describeSent());
        return all.get(all.size() - 1);
    }

    String describeSent() {
        final StringBuilder sb = new StringBuilder("[");
        for (Sent s : sent) {
            sb.append(MessageType.name(s.type)).append("->").append(s.to).append(' ');
        }
        return sb.append(']').toString();
    }

    long[] logTerms() {
        final long[] terms = new long[(int) log.lastIndex()];
        for (int i = 0; i < terms.length; i++) {
            terms[i] = log.termAt(i + 1);
        }
        return terms;
    }
}
