package io.pontoon.transport.client;

import io.pontoon.ProposalCallback;
import io.pontoon.RaftNode;
import io.pontoon.RaftStatus;
import org.agrona.DirectBuffer;

/**
 * What the transport needs from a node to answer clients: {@link RaftNode} fits through
 * {@link #of(RaftNode)}; tests can pass a fake.
 */
public interface ClientService {
    /**
     * Same contract as {@link RaftNode#propose(DirectBuffer, int, int, long, ProposalCallback)}: called on
     * a Netty event loop, copies the bytes before returning, returns false (callback not called) when
     * the node cannot take it now; the callback runs later, once, on the node's Raft thread, and
     * {@link ProposalCallback#onBatchEnd()} follows each batch of results (the client handler sends its
     * responses then: a service that never calls it leaves them unsent).
     */
    boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback);

    /** The node's status; called on a transport worker thread (never an event loop), may block briefly. */
    RaftStatus status();

    static ClientService of(RaftNode node) {
        return new ClientService() {
            @Override
            public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId,
                                   ProposalCallback callback) {
                return node.propose(buffer, offset, length, correlationId, callback);
            }

            @Override
            public RaftStatus status() {
                return node.status();
            }
        };
    }
}
