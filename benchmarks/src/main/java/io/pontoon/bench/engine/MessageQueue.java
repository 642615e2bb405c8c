package io.pontoon.bench.engine;

import io.pontoon.engine.Outbox;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The benchmark's network: messages copied into a growable byte buffer, delivered in rounds
 * ({@link #beginRound}, then {@link #deliverTo(int, Receiver)} per node), in send order. Two buffers alternate (messages sent while delivering go to the other one), so
 * once both have grown to the working-set size nothing is allocated. Single-threaded.
 */
final class MessageQueue {
    private static final int TO_OFFSET = 0;
    private static final int FROM_OFFSET = 4;
    private static final int TYPE_OFFSET = 8;
    private static final int LENGTH_OFFSET = 12;
    private static final int HEADER_LENGTH = 16;

    /** Receives one message during {@link #deliverTo}; the body is valid only during the call. */
    @FunctionalInterface
    interface Receiver {
        void onMessage(int toNodeId, int fromNodeId, int type, DirectBuffer body, int offset, int length);
    }

    private MutableDirectBuffer pending = new ExpandableArrayBuffer(1 << 20);
    private MutableDirectBuffer delivering = new ExpandableArrayBuffer(1 << 20);
    private int pendingLength;
    private int deliveringLength;
    private long messagesDelivered;

    /** The outbox of node {@code fromNodeId}: copies each message into the pending buffer. */
    Outbox outboxOf(int fromNodeId) {
        return (toNodeId, type, body, offset, length) -> {
            final int at = pendingLength;
            pending.putInt(at + TO_OFFSET, toNodeId);
            pending.putInt(at + FROM_OFFSET, fromNodeId);
            pending.putInt(at + TYPE_OFFSET, type);
            pending.putInt(at + LENGTH_OFFSET, length);
            pending.putBytes(at + HEADER_LENGTH, body, offset, length);
            pendingLength = at + HEADER_LENGTH + length;
            return true;
        };
    }

    boolean isEmpty() {
        return pendingLength == 0;
    }

    long messagesDelivered() {
        return messagesDelivered;
    }

    /**
     * Starts a round: the messages queued so far become the round's batch, delivered per node by
     * {@link #deliverTo(int, Receiver)}; messages sent meanwhile wait for the next round.
     */
    void beginRound() {
        final MutableDirectBuffer batch = pending;
        pending = delivering;
        delivering = batch;
        deliveringLength = pendingLength;
        pendingLength = 0;
    }

    /** Delivers the round's messages addressed to {@code toNodeId}, in send order. Returns how many. */
    int deliverTo(int toNodeId, Receiver receiver) {
        final MutableDirectBuffer batch = delivering;
        final int batchLength = deliveringLength;
        int count = 0;
        for (int at = 0; at < batchLength; ) {
            final int length = batch.getInt(at + LENGTH_OFFSET);
            if (batch.getInt(at + TO_OFFSET) == toNodeId) {
                receiver.onMessage(toNodeId, batch.getInt(at + FROM_OFFSET), batch.getInt(at + TYPE_OFFSET),
                    batch, at + HEADER_LENGTH, length);
                count++;
            }
            at += HEADER_LENGTH + length;
        }
        messagesDelivered += count;
        return count;
    }
}
