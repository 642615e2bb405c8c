package io.pontoon.engine;

import org.agrona.DirectBuffer;

/**
 * Where the engine sends messages. Called on the Raft thread; the body is valid only during the call
 * (the implementation copies it). Returns false if the message could not be queued: the engine treats
 * it as lost, which Raft tolerates.
 */
@FunctionalInterface
public interface Outbox {
    boolean send(int toNodeId, int type, DirectBuffer body, int offset, int length);

    /**
     * End of a duty cycle's messages ({@link RaftEngine#doWork}): a transport that batches writes hands
     * them to the network now, once per cycle rather than once per message. Before the cycle applies
     * committed entries, so replication does not wait for the state machine.
     */
    default void flush() {
    }
}
