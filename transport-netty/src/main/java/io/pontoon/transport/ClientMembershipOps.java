package io.pontoon.transport;

import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.spi.Membership;
import io.pontoon.transport.codec.ClientAdminRequestCodec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The membership ops of CLIENT_ADMIN_REQUEST (MEMBERS, ADD_LEARNER, ADD_VOTER, PROMOTE, REMOVE_MEMBER) against a
 * {@link ClientService}, for {@link ClientRequestHandler}. MEMBERS is answered by any node with the configuration in
 * effect on it and the leader it knows. A change is taken only by a node whose status says it leads; any other node
 * answers NOT_LEADER at once, so that a follower whose configuration lags never judges a change (it could refuse a
 * promotion the leader would take). A change the node refuses (an id already a member, a bad address) is answered
 * INVALID with the reason.
 *
 * <p>Threads: {@link #run} on a transport worker thread (it calls {@link ClientService#status()}, which may block
 * briefly); the {@link Answer} runs there or on whatever thread completes the node's future. Stateless.
 */
final class ClientMembershipOps {
    /** Where the outcome goes; exactly one of the two methods is called, once. */
    interface Answer {
        /** {@code configuration} may be null (the service has none); {@code reason} is null unless INVALID. */
        void answer(ResultCode code, int leaderId, Membership configuration, String reason);

        /** The service failed in a way that is no protocol outcome (a bug in it): the connection should close. */
        void fail(Throwable cause);
    }

    private final ClientService service;

    ClientMembershipOps(ClientService service) {
        this.service = service;
    }

    /** Worker thread: runs validated op {@code op} on node {@code nodeId} ({@code address}: ADD ops only). */
    void run(int op, int nodeId, String address, Answer answer) {
        final RaftStatus status;
        final Membership current;
        try {
            status = service.status();
            current = service.membership();
        } catch (RuntimeException e) {
            answer.fail(e);
            return;
        }
        if (current == null) {
            answer.answer(ResultCode.INVALID, status.leaderId(), null, "node " + status.nodeId()
                + " serves no membership requests");
            return;
        }
        if (op == ClientAdminRequestCodec.OP_MEMBERS) {
            answer.answer(ResultCode.OK, status.leaderId(), current, null);
            return;
        }
        if (status.role() != Role.LEADER) {
            answer.answer(ResultCode.NOT_LEADER, status.leaderId(), current, null);
            return;
        }
        final String badAddress = address == null ? null : ClientAdminRequestCodec.checkAddress(address);
        if (badAddress != null) {
            answer.answer(ResultCode.INVALID, status.nodeId(), current, "cannot add node " + nodeId + ": " + badAddress);
            return;
        }
        CompletableFuture<Membership> outcome;
        try {
            outcome = start(op, nodeId, address);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.whenComplete((changed, error) -> {
            final Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
            if (cause == null) {
                answer.answer(ResultCode.OK, status.nodeId(), changed, null);
            } else if (cause instanceof ProposalException refused) {
                answer.answer(refused.code(), refused.leaderId(), configurationOrNull(), null);
            } else if (cause instanceof IllegalArgumentException invalid) {
                answer.answer(ResultCode.INVALID, status.nodeId(), configurationOrNull(), invalid.getMessage());
            } else {
                answer.fail(cause);
            }
        });
    }

    private CompletableFuture<Membership> start(int op, int nodeId, String address) {
        switch (op) {
            case ClientAdminRequestCodec.OP_ADD_LEARNER: return service.addLearner(nodeId, address);
            case ClientAdminRequestCodec.OP_ADD_VOTER: return service.addVoter(nodeId, address);
            case ClientAdminRequestCodec.OP_PROMOTE: return service.promote(nodeId);
            case ClientAdminRequestCodec.OP_REMOVE_MEMBER: return service.removeMember(nodeId);
            default: throw new IllegalStateException("not a membership change: op " + op);
        }
    }

    /** The configuration in effect now, for a refusal; null if the service cannot say. */
    private Membership configurationOrNull() {
        try {
            return service.membership();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
