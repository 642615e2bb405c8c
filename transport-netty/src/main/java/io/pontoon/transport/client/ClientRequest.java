package io.pontoon.transport.client;

import io.pontoon.transport.codec.ClientAdminRequestCodec;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * One request of a {@link PontoonClient}: an append, a status query, an admin operation or a membership request, with
 * its place in the client's deadline list and its retry state. Event loop only after submit.
 */
final class ClientRequest {
    /**
     * What a request asks: appends follow the leader; status and admin requests go to one fixed address; membership
     * requests follow the leader, unless they name a node (MEMBERS of one node); application requests (APP) follow
     * the leader like appends.
     */
    enum Kind { APPEND, STATUS, ADMIN, MEMBERSHIP, APP }

    private final RequestDeadlines deadlines;
    final Kind kind;
    /** APPEND: the entry; APP: the request; MEMBERSHIP ADD_LEARNER and ADD_VOTER: the new member's address (ASCII). */
    final byte[] payload;
    /** STATUS and ADMIN: the node asked; MEMBERSHIP: the node asked, or null to follow the leader. */
    final InetSocketAddress fixedAddress;
    final CompletableFuture<?> future;
    /** ADMIN and MEMBERSHIP: {@link ClientAdminRequestCodec} op and arg. */
    final int adminOp;
    final long adminArg;
    /** ADMIN FAULT: the plan sent to node {@link #adminArg}. */
    io.pontoon.transport.fault.FaultPlan faultPlan;
    /** MEMBERS: already sent on to the leader a follower named. */
    boolean redirected;
    /** In the deadline list: between accept and the outcome. */
    boolean linked;
    long deadlineNs;
    ClientRequest older;
    ClientRequest newer;
    NodeConnection sentOn;
    /** When it was last written to {@link #sentOn}. */
    long sentNs;
    long correlationId;
    int attempts;
    long backoffNs;
    Throwable lastFailure;

    ClientRequest(RequestDeadlines deadlines, Kind kind, byte[] payload, InetSocketAddress fixedAddress,
                  CompletableFuture<?> future, int adminOp, long adminArg) {
        this.deadlines = deadlines;
        this.kind = kind;
        this.payload = payload;
        this.fixedAddress = fixedAddress;
        this.future = future;
        this.adminOp = adminOp;
        this.adminArg = adminArg;
    }

    boolean isAppend() {
        return kind == Kind.APPEND;
    }

    /** A read that may be asked again elsewhere if its connection breaks: MEMBERS following the leader. */
    boolean isRepeatableRead() {
        return kind == Kind.MEMBERSHIP && adminOp == ClientAdminRequestCodec.OP_MEMBERS && fixedAddress == null;
    }

    /** Event loop. */
    @SuppressWarnings("unchecked")
    void complete(Object value) {
        deadlines.unlink(this);
        ((CompletableFuture<Object>) future).complete(value);
    }

    /** Event loop, or the submitting thread when the request was never accepted (not linked). */
    void fail(Throwable cause) {
        deadlines.unlink(this);
        future.completeExceptionally(cause);
    }
}
