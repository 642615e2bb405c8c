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
}
