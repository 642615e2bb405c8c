package io.pontoon.spi;

import org.agrona.DirectBuffer;

/**
 * Moves Raft messages between nodes: the seed's "communication helper". In-memory
 * ({@code io.pontoon.memory.LocalNetwork}) and Netty implementations sit behind this one interface.
 *
 * <p>A message is {@code (type, body)}: {@code type} is one of {@link io.pontoon.protocol.MessageType},
 * the body is the little-endian layout written by the {@code io.pontoon.protocol} flyweights.
 * Delivery is best effort: Raft tolerates loss, duplication and reordering.
 */
public interface Transport extends AutoCloseable {
    /**
     * Called once, before any send, by the node runtime. {@code inbound} receives every message for
     * this node; it is called on transport threads, must not block, and copies what it keeps.
     */
    void start(int localNodeId, InboundHandler inbound);

    /**
     * Called on the Raft thread. Copies the body and queues it for {@code toNodeId}. Returns false if
     * the message could not be queued (peer unknown, disconnected, back-pressure); the caller treats
     * that as a lost message. Must not block.
     */
    boolean send(int toNodeId, int type, DirectBuffer body, int offset, int length);

    /** Called on the Raft thread at the end of each duty cycle that sent something: one flush per peer. */
    void flush();

    /**
     * Largest message body {@link #send} can carry. {@code RaftNode} refuses to start when an AppendEntries of one
     * entry of {@code RaftConfig.maxEntryBytes} would not fit, since such an entry could never be replicated.
     * Default: no limit of its own.
     */
    default int maxMessageBytes() {
        return Integer.MAX_VALUE;
    }

    /**
     * The nodes this node must reach changed (a membership change; also called once at start): the members of the
     * configuration in effect and of the newest committed one, so a member being removed stays reachable until its
     * removal commits. Raft thread, must not block. A transport that reaches members by address takes new members'
     * addresses from it ({@link Membership#address}) and may drop links to nodes no longer listed. Default: nothing
     * (the transport knows every member already).
     */
    default void onMembershipChanged(Membership membership) {
    }

    @Override
    void close();

    /** Receives messages for the local node; the buffer is valid only during the call. */
    @FunctionalInterface
    interface InboundHandler {
        /** Returns false if the message could not be accepted (node inbound ring full): it is dropped. */
        boolean onMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length);
    }
}
