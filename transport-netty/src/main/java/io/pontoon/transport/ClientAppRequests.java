package io.pontoon.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.pontoon.ProposalException;
import io.pontoon.ResultCode;
import io.pontoon.transport.codec.ClientAppRequestCodec;
import io.pontoon.transport.codec.ClientAppResponseCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.netty.ByteBufView;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntFunction;

/**
 * The application requests (CLIENT_APP_REQUEST) of one client connection, for {@link ClientRequestHandler}: each
 * validated request's bytes are copied and handed to {@link ClientService#request}; whenever its future completes,
 * the answer (CLIENT_APP_RESPONSE) is written from the connection's event loop. At most {@link #MAX_PENDING}
 * requests per connection wait for their answer; one more is answered REJECTED_BUSY at once (the Java client
 * retries it), so what a client can make the node hold stays bounded. Event loop only, except where a future
 * completes.
 */
final class ClientAppRequests {
    private static final Logger LOG = LoggerFactory.getLogger(ClientAppRequests.class);
    /** Unanswered application requests one connection may have. */
    static final int MAX_PENDING = 1024;

    private final ClientService service;
    private final int clusterId;
    private final int localNodeId;
    private final IntFunction<byte[]> leaderAddress;
    private final ByteBufView view = new ByteBufView();
    /** Requests handed to the service and not yet answered. Event loop only. */
    private int pending;

    /** @param leaderAddress ASCII "host:port" of a node id, or null if unknown (for NOT_LEADER redirects) */
    ClientAppRequests(ClientService service, int clusterId, int localNodeId, IntFunction<byte[]> leaderAddress) {
        this.service = service;
        this.clusterId = clusterId;
        this.localNodeId = localNodeId;
        this.leaderAddress = leaderAddress;
    }

    /** Event loop: a validated CLIENT_APP_REQUEST whose body starts at {@code body} of {@code b}. */
    void onRequest(Channel ch, DirectBuffer b, int body) {
        final long correlationId = ClientAppRequestCodec.correlationId(b, body);
        if (pending >= MAX_PENDING) {
            write(ch, correlationId, ResultCode.REJECTED_BUSY, 0, null);
            return;
        }
        final ByteBuffer request = ByteBuffer.wrap(ClientAppRequestCodec.payload(b, body)).asReadOnlyBuffer();
        pending++;
        CompletableFuture<byte[]> outcome;
        try {
            outcome = service.request(request);
            if (outcome == null) {
                outcome = CompletableFuture.failedFuture(
                    new IllegalStateException("the request handler returned null"));
            }
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.whenComplete((value, error) -> {
            try {
                ch.eventLoop().execute(() -> answer(ch, correlationId, value, error));
            } catch (RejectedExecutionException e) {
                // the transport is closing: the connection goes with it
            }
        });
    }

    /** Event loop: the outcome of one request, as a result code (see {@link ApplicationHandler}). */
    private void answer(Channel ch, long correlationId, byte[] value, Throwable error) {
        pending--;
        if (!ch.isActive()) {
            return;
        }
        final Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
            : error;
        if (cause == null) {
            write(ch, correlationId, ResultCode.OK, 0, value);
        } else if (cause instanceof ProposalException p) {
            // INVALID carries its reason, as the client reports INVALID with one (e.g. over maxEntryBytes)
            write(ch, correlationId, p.code(), p.leaderId(),
                p.code() == ResultCode.INVALID ? ClientAppResponseCodec.reasonBytes(p.getMessage()) : null);
        } else if (cause instanceof IllegalArgumentException) {
            write(ch, correlationId, ResultCode.INVALID, 0, ClientAppResponseCodec.reasonBytes(cause.getMessage()));
        } else {
            LOG.warn("the application request handler of node {} failed for client {}", localNodeId, ch.remoteAddress(),
                cause);
            write(ch, correlationId, ResultCode.INVALID, 0,
                ClientAppResponseCodec.reasonBytes("the application request handler failed: " + cause));
        }
    }

    private void write(Channel ch, long correlationId, ResultCode code, int leaderId, byte[] payload) {
        byte[] address = code == ResultCode.NOT_LEADER && leaderId != 0 ? leaderAddress.apply(leaderId) : null;
        if (address != null && address.length > ClientAppResponseCodec.MAX_ADDRESS_LENGTH) {
            address = null; // a redirect the client cannot follow; it looks for the leader itself
        }
        final int bodyLength = ClientAppResponseCodec.encodedLength(address, payload);
        final ByteBuf out = ch.alloc().buffer(Frame.HEADER_LENGTH + bodyLength);
        final MutableDirectBuffer w = view.beginWrite(out, Frame.HEADER_LENGTH + bodyLength);
        ClientAppResponseCodec.encode(w, Frame.HEADER_LENGTH, correlationId, code, leaderId, address, payload);
        view.commit(out, Frame.encodeHeader(w, 0, FrameType.CLIENT_APP_RESPONSE, clusterId, localNodeId, bodyLength));
        ch.writeAndFlush(out, ch.voidPromise());
    }
}
