package io.pontoon.transport;

import io.pontoon.ProposalCallback;
import io.pontoon.ProposalException;
import io.pontoon.RaftNode;
import io.pontoon.RaftStatus;
import io.pontoon.ReadPolicy;
import io.pontoon.ResultCode;
import io.pontoon.spi.Membership;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

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

    /**
     * The connection of {@code callback} closed, after its last propose (same event loop): its resources may go
     * once its outstanding proposals have their results. Returns false if that cannot be arranged now (the node's
     * inbound ring is full): the transport calls again a little later. Default: nothing to release.
     */
    default boolean release(ProposalCallback callback) {
        return true;
    }

    /**
     * Same contract as {@link RaftNode#transferLeadership(int)}: called on a Netty event loop, must not block; the
     * future may complete on any thread, failed with a {@link ProposalException} whose code is the outcome.
     * Default: INVALID (this service cannot transfer leadership).
     */
    default CompletableFuture<Void> transferLeadership(int target) {
        return CompletableFuture.failedFuture(new ProposalException(ResultCode.INVALID, -1, 0));
    }

    /**
     * Same contract as {@link RaftNode#readIndex(ReadPolicy)}: called on a Netty event loop, must not block; the
     * future may complete on any thread, failed with a {@link ProposalException} whose code is the outcome.
     * Default: INVALID (this service serves no reads).
     */
    default CompletableFuture<Long> readIndex(ReadPolicy policy) {
        return CompletableFuture.failedFuture(new ProposalException(ResultCode.INVALID, -1, 0));
    }

    /**
     * The configuration in effect on the node ({@link RaftNode#membership()}); any thread, must not block.
     * Default: null (this service has none: a MEMBERS request is answered INVALID).
     */
    default Membership membership() {
        return null;
    }

    /**
     * Same contract as {@link RaftNode#addLearner(int, String)}: called on a transport worker thread once
     * {@link #status()} said this node leads, must not block; the future may complete on any thread, failed with a
     * {@link ProposalException} whose code is the outcome or an {@link IllegalArgumentException} saying why the change
     * is refused (answered INVALID with that reason). Default: INVALID (this service cannot change its membership).
     */
    default CompletableFuture<Membership> addLearner(int nodeId, String address) {
        return CompletableFuture.failedFuture(new ProposalException(ResultCode.INVALID, -1, 0));
    }

    /** As {@link #addLearner}, for {@link RaftNode#addVoter(int, String)}. */
    default CompletableFuture<Membership> addVoter(int nodeId, String address) {
        return CompletableFuture.failedFuture(new ProposalException(ResultCode.INVALID, -1, 0));
    }

    /** As {@link #addLearner}, for {@link RaftNode#promote(int)}. */
    default CompletableFuture<Membership> promote(int nodeId) {
        return CompletableFuture.failedFuture(new ProposalException(ResultCode.INVALID, -1, 0));
    }

    /** As {@link #addLearner}, for {@link RaftNode#removeMember(int)}. */
    default CompletableFuture<Membership> removeMember(int nodeId) {
        return CompletableFuture.failedFuture(new ProposalException(ResultCode.INVALID, -1, 0));
    }

    /**
     * An application request (CLIENT_APP_REQUEST): called on a Netty event loop with the client's bytes (its own
     * copy), must not block; the future may complete on any thread. See {@link ApplicationHandler} for what each
     * outcome answers. Default: INVALID (this service has no application handler).
     */
    default CompletableFuture<byte[]> request(ByteBuffer request) {
        return CompletableFuture.failedFuture(new IllegalArgumentException(
            "this node serves no application requests (it was started without a request handler)"));
    }

    static ClientService of(RaftNode node) {
        return of(node, null);
    }

    /** {@code node}'s service, handing application requests to {@code handler} (null: none, answered INVALID). */
    static ClientService of(RaftNode node, ApplicationHandler handler) {
        return new ClientService() {
            /** Each connection's callback slot, so a propose needs no scan of the node's callbacks. */
            private final java.util.concurrent.ConcurrentHashMap<ProposalCallback, Integer> slots =
                new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId,
                                   ProposalCallback callback) {
                Integer slot = slots.get(callback);
                if (slot == null) {
                    slot = node.register(callback);
                    slots.put(callback, slot);
                }
                return node.propose(buffer, offset, length, correlationId, slot);
            }

            @Override
            public boolean release(ProposalCallback callback) {
                if (!node.release(callback)) {
                    return false;
                }
                slots.remove(callback);
                return true;
            }

            @Override
            public RaftStatus status() {
                return node.status();
            }

            @Override
            public CompletableFuture<byte[]> request(ByteBuffer request) {
                return handler == null ? ClientService.super.request(request) : handler.handle(node, request);
            }

            @Override
            public CompletableFuture<Void> transferLeadership(int target) {
                return node.transferLeadership(target);
            }

            @Override
            public CompletableFuture<Long> readIndex(ReadPolicy policy) {
                return node.readIndex(policy);
            }

            @Override
            public Membership membership() {
                return node.membership();
            }

            @Override
            public CompletableFuture<Membership> addLearner(int nodeId, String address) {
                return node.addLearner(nodeId, address);
            }

            @Override
            public CompletableFuture<Membership> addVoter(int nodeId, String address) {
                return node.addVoter(nodeId, address);
            }

            @Override
            public CompletableFuture<Membership> promote(int nodeId) {
                return node.promote(nodeId);
            }

            @Override
            public CompletableFuture<Membership> removeMember(int nodeId) {
                return node.removeMember(nodeId);
            }
        };
    }
}
