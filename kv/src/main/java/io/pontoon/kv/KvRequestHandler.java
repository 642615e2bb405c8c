package io.pontoon.kv;

import io.pontoon.ProposalException;
import io.pontoon.RaftNode;
import io.pontoon.ReadPolicy;
import io.pontoon.ResultCode;
import io.pontoon.transport.ApplicationHandler;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Serves {@link KvClient} requests on a node running a {@link KvStateMachine}: plug it into
 * {@code PontoonServer.builder().stateMachine(kv).requestHandler(new KvRequestHandler(kv))}.
 *
 * <p>A write (put, delete, cas) is proposed as a log entry (the request's own bytes) and answered with its outcome
 * once this node's state machine has applied it; a retry of a command already applied gets the first outcome. A
 * follower answers a write NOT_LEADER naming the leader (the client follows). A get is served by the
 * {@link KvReadMode}: by default through ReadIndex ({@link RaftNode#read}), on the leader or a follower. Refusals
 * are the node's result codes (NOT_LEADER, REJECTED_BUSY, LEADERSHIP_TRANSFER, ...); a write or read that takes longer
 * than the node's {@code proposalTimeoutNs} is answered TIMEOUT (its outcome unknown: the client retries it, safely).
 * A malformed request is answered INVALID naming what is wrong.
 *
 * <p>Threads: {@link #handle} runs on a Netty event loop and never blocks; outcomes complete on the node's apply or
 * completion thread.
 */
public final class KvRequestHandler implements ApplicationHandler {
    private final KvStateMachine stateMachine;
    private final KvReadMode readMode;

    /** Gets through ReadIndex ({@link KvReadMode#READ_INDEX}). */
    public KvRequestHandler(KvStateMachine stateMachine) {
        this(stateMachine, KvReadMode.READ_INDEX);
    }

    public KvRequestHandler(KvStateMachine stateMachine, KvReadMode readMode) {
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        this.readMode = Objects.requireNonNull(readMode, "readMode");
    }

    public KvReadMode readMode() {
        return readMode;
    }

    @Override
    public CompletableFuture<byte[]> handle(RaftNode node, ByteBuffer request) {
        final byte[] bytes = new byte[request.remaining()];
        request.duplicate().get(bytes);
        final KvCommand c = KvCodec.decode(ByteBuffer.wrap(bytes)); // IllegalArgumentException: answered INVALID
        final long timeoutNs = node.config().proposalTimeoutNs;
        final CompletableFuture<KvResult> outcome = c.isWrite() ? write(node, c, bytes) : read(node, c.key());
        // A copy: the waiter may be shared with another try of the same command, whose own bound it keeps.
        return outcome.copy().orTimeout(timeoutNs, TimeUnit.NANOSECONDS)
            .exceptionallyCompose(KvRequestHandler::asResultCode)
            .thenApply(KvCodec::encode);
    }

    private CompletableFuture<KvResult> read(RaftNode node, String key) {
        switch (readMode) {
            case UNSAFE_LOCAL:
                final String v = stateMachine.localGet(key);
                return CompletableFuture.completedFuture(v == null ? KvResult.NOT_FOUND : KvResult.value(v));
            case LEASE:
                return node.read(ReadPolicy.LEASE, () -> stateMachine.get(key));
            default:
                return node.read(ReadPolicy.LINEARIZABLE, () -> stateMachine.get(key));
        }
    }

    /** Waits for the command's outcome before proposing it, so the apply that settles it cannot be missed. */
    private CompletableFuture<KvResult> write(RaftNode node, KvCommand c, byte[] entry) {
        final CompletableFuture<KvResult> outcome = stateMachine.awaitOutcome(c.clientId(), c.sequence());
        final CompletableFuture<Long> proposed;
        try {
            proposed = node.propose(entry);
        } catch (RuntimeException e) { // e.g. an entry larger than the node's inbound ring takes: nothing appended
            stateMachine.abandon(c.clientId(), c.sequence(), outcome, e);
            return outcome;
        }
        proposed.whenComplete((lsn, error) -> {
            if (error != null) {
                stateMachine.abandon(c.clientId(), c.sequence(), outcome, unwrap(error));
            }
        });
        return outcome;
    }

    /** Our own time bound is the node's TIMEOUT (outcome unknown); the node's refusals pass as they are. */
    private static CompletableFuture<KvResult> asResultCode(Throwable error) {
        final Throwable cause = unwrap(error);
        if (cause instanceof TimeoutException) {
            return CompletableFuture.failedFuture(new ProposalException(ResultCode.TIMEOUT, -1, 0));
        }
        return CompletableFuture.failedFuture(cause);
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
