package io.pontoon.runtime;

import io.pontoon.CommitListener;
import io.pontoon.ProposalCallback;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.engine.EngineListener;
import io.pontoon.engine.RaftEngine;
import io.pontoon.spi.Transport;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.util.function.IntFunction;

/**
 * The Raft thread's duty cycle (an Agrona {@link Agent}): drain the inbound ring (peer messages,
 * proposals, control events), tick, take durable progress, apply, replicate, flush the transport.
 * Owns the {@link RaftEngine}; nothing else touches it.
 */
public final class RaftAgent implements Agent, EngineListener, MessageHandler {
    public static final int MSG_PROPOSE = 100;
    public static final int MSG_STATUS = 101;
    public static final int PROPOSE_HEADER = 16;
    public static final int RAFT_HEADER = 4;
    private static final int MAX_APPLY_PER_CYCLE = 65_536;
    private static final int MAX_RING_MESSAGES_PER_CYCLE = 16_384;
    public static final long CORRELATION_MASK = (1L << 48) - 1;

    private final RaftEngine engine;
    private final RingBuffer inbound;
    private final Transport transport;
    private final NanoClock clock;
    private final IntFunction<ProposalCallback> callbacks;
    private final java.util.function.Supplier<CommitListener[]> listeners;
    private final StatusSink statusSink;
    private final String roleName;

    /** Where status answers go (the seed's DebugResponse). */
    public interface StatusSink {
        void onStatus(long requestId, RaftStatus status);
    }

    public RaftAgent(RaftEngine engine, RingBuffer inbound, Transport transport, NanoClock clock,
              IntFunction<ProposalCallback> callbacks, java.util.function.Supplier<CommitListener[]> listeners,
              StatusSink statusSink) {
        this.engine = engine;
        this.inbound = inbound;
        this.transport = transport;
        this.clock = clock;
        this.callbacks = callbacks;
        this.listeners = listeners;
        this.statusSink = statusSink;
        this.roleName = "pontoon-raft-" + engine.nodeId();
    }

    @Override
    public int doWork() {
        engine.onClock(clock.nanoTime());
        int work = inbound.read(this, MAX_RING_MESSAGES_PER_CYCLE);
        work += engine.onTick(clock.nanoTime());
        work += engine.onDurable();
        work += engine.applyCommitted(MAX_APPLY_PER_CYCLE);
        final int sent = engine.flush();
        work += sent;
        transport.flush();
        return work;
    }

    @Override
    public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        if (msgTypeId == MSG_PROPOSE) {
            final int slot = buffer.getInt(index);
            final long correlationId = buffer.getLong(index + 8);
            final long tag = ((long) slot << 48) | (correlationId & CORRELATION_MASK);
            final long result = engine.propose(buffer, index + PROPOSE_HEADER, length - PROPOSE_HEADER, tag);
            if (result <= 0) {
                callbacks.apply(slot).onResult(correlationId, ResultCode.of((int) -result), -1, engine.leaderId());
            }
        } else if (msgTypeId == MSG_STATUS) {
            statusSink.onStatus(buffer.getLong(index), status());
        } else {
            final int from = buffer.getInt(index);
            engine.onMessage(from, msgTypeId, buffer, index + RAFT_HEADER, length - RAFT_HEADER);
        }
    }

    RaftStatus status() {
        return new RaftStatus(engine.nodeId(), engine.role(), engine.term(), engine.leaderId(),
            engine.commitIndex(), engine.lastApplied(), engine.log().lastIndex(), engine.log().lastTerm());
    }

    @Override
    public void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
        for (CommitListener l : listeners.get()) {
            l.onCommit(lsn, term, data, offset, length);
        }
    }

    @Override
    public void onProposalResult(long tag, ResultCode code, long index) {
        final int slot = (int) (tag >>> 48);
        callbacks.apply(slot).onResult(tag & CORRELATION_MASK, code, index, engine.leaderId());
    }

    @Override
    public void onClose() {
        engine.abandonPending();
        // Proposals still in the ring never reached the engine.
        inbound.read((msgTypeId, buffer, index, length) -> {
            if (msgTypeId == MSG_PROPOSE) {
                callbacks.apply(buffer.getInt(index)).onResult(buffer.getLong(index + 8), ResultCode.CLOSED, -1, 0);
            }
        });
    }

    @Override
    public String roleName() {
        return roleName;
    }

}
