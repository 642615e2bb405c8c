package io.pontoon.bench.engine;

import io.pontoon.engine.Outbox;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The benchmark's network: messages copied into a growable byte buffer, delivered in send order by
 * {@link #deliverTo}. Two buffers alternate (messages sent while delivering go to the other one), so
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

    /** Delivers every message queued so far; messages sent meanwhile wait for the next call. */
    int deliverTo(Receiver receiver) {
        final MutableDirectBuffer batch = pending;
        final int batchLength = pendingLength;
        pending = delivering;
        pendingLength = 0;
        delivering = batch;
        int count = 0;
        for (int at = 0; at < batchLength; count++) {
            final int length = batch.getInt(at + LENGTH_OFFSET);
            receiver.onMessage(batch.getInt(at + TO_OFFSET), batch.getInt(at + FROM_OFFSET),
                batch.getInt(at + TYPE_OFFSET), batch, at + HEADER_LENGTH, length);
            at += HEADER_LENGTH + length;
        }
        messagesDelivered += count;
        return count;
    }
}
