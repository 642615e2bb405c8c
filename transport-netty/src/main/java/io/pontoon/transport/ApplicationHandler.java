package io.pontoon.transport;

import io.pontoon.ProposalException;
import io.pontoon.RaftNode;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The application's side of the client protocol's application requests (CLIENT_APP_REQUEST, docs/PROTOCOL.md): a
 * client sends opaque bytes ({@code PontoonClient.request(byte[])}), the node hands them to this handler, and the
 * bytes the returned future completes with go back to the client. A replicated key-value store, for example, decodes
 * a command, proposes it with {@link RaftNode#propose(byte[])} or reads with {@link RaftNode#read}, and answers with
 * the outcome once its state machine has applied it.
 *
 * <p>How the future completes decides the answer's result code:
 * <ul>
 *   <li>with bytes (or null: empty): OK, the bytes as the response;</li>
 *   <li>with a {@link ProposalException}: its code, and for NOT_LEADER the address of its leader id, so that the client
 *       follows it (INVALID carries the exception's message as its reason). The Java client resends a request
 *       answered NOT_LEADER, REJECTED_BUSY, LEADERSHIP_LOST or LEADERSHIP_TRANSFER (with backoff): answer those only
 *       when the request had no effect. TIMEOUT and CLOSED mean the outcome is unknown;</li>
 *   <li>with an {@link IllegalArgumentException}: INVALID, its message as the reason (a malformed request);</li>
 *   <li>with anything else: INVALID with the exception as the reason, logged as a bug of the handler.</li>
 * </ul>
 *
 * <p>Threads: {@link #handle} is called on a Netty event loop and must not block (no {@code Future.get}, no I/O,
 * no locks held long): chain on the node's futures instead. The returned future may complete on any thread; the
 * answer is written from the event loop. A connection holds at most 1,024 unanswered application requests; more
 * are answered REJECTED_BUSY at once.
 */
@FunctionalInterface
public interface ApplicationHandler {
    /**
     * Starts serving one request. {@code request} holds the client's bytes (a read-only buffer over a copy made for
     * this call: the handler may keep it). A handler that throws fails only this request, as a failed future would.
     */
    CompletableFuture<byte[]> handle(RaftNode node, ByteBuffer request);
}
