package io.pontoon.transport.client;

import io.pontoon.ProposalCallback;
import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.transport.ClientService;
import io.pontoon.transport.NettyTransport;
import io.pontoon.transport.NettyTransportConfig;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLIENT_APP_REQUEST end to end over Netty, against stand-in nodes whose application handler the test writes:
 * {@link PontoonClient#request} gets the handler's bytes, follows a NOT_LEADER redirect, retries the refusals that
 * mean nothing happened, reports INVALID with the handler's reason, and never resends an unknown outcome; a node
 * holds a bounded number of unanswered application requests per connection.
 */
class ClientAppRequestTest {
    private static final int CLUSTER = 11;
    private final List<NettyTransport> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(NettyTransport::close);
    }

    /** A stand-in node: appends refused, application requests answered by {@code handler}. */
    private static ClientService service(Function<ByteBuffer, CompletableFuture<byte[]>> handler) {
        return new ClientService() {
            @Override
            public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId,
                                   ProposalCallback callback) {
                return false;
            }

            @Override
            public RaftStatus status() {
                return new RaftStatus(1, Role.LEADER, 1, 1, 0, 0, 0, 0);
            }

            @Override
            public CompletableFuture<byte[]> request(ByteBuffer request) {
                return handler.apply(request);
            }
        };
    }

    private InetSocketAddress start(int nodeId, ClientService service, InetSocketAddress leader) {
        final NettyTransportConfig.Builder b = NettyTransportConfig.builder().nodeId(nodeId).clusterId(CLUSTER)
            .listenAddress(new InetSocketAddress("127.0.0.1", 0));
        if (leader != null) {
            b.peer(1, leader); // where NOT_LEADER naming node 1 sends the client
        }
        final NettyTransport t = new NettyTransport(b.build());
        nodes.add(t);
        t.start(nodeId, (from, type, body, offset, length) -> true);
        t.serveClients(service);
        return t.localAddress();
    }

    private static PontoonClient client(InetSocketAddress node, int maxAttempts) {
        return new PontoonClient(PontoonClientConfig.builder().clusterId(CLUSTER).address(node)
            .maxAttempts(maxAttempts).retryBackoffNs(1_000_000L).requestTimeoutNs(30_000_000_000L).build());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] reversed(ByteBuffer request) {
        final byte[] out = new byte[request.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[out.length - 1 - i] = request.get(request.position() + i);
        }
        return out;
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS)).getCause();
    }

    @Test
    void theHandlersBytesComeBackAndAFollowerSendsTheClientToTheLeader() throws Exception {
        final InetSocketAddress leader = start(1, service(r -> CompletableFuture.completedFuture(reversed(r))), null);
        final AtomicInteger askedFollower = new AtomicInteger();
        final InetSocketAddress follower = start(2, service(r -> {
            askedFollower.incrementAndGet();
            return CompletableFuture.failedFuture(new ProposalException(ResultCode.NOT_LEADER, -1, 1));
        }), leader);
        try (PontoonClient client = client(follower, 5)) {
            assertArrayEquals(bytes("cba"), client.request(bytes("abc")).get(30, TimeUnit.SECONDS));
            assertEquals(1, askedFollower.get());
            assertEquals(leader, client.leaderHint());
            assertArrayEquals(new byte[0], client.request(new byte[0]).get(30, TimeUnit.SECONDS));
            assertEquals(1, askedFollower.get(), "the next request goes straight to the leader");
        }
    }

    @Test
    void refusalsThatMeanNothingHappenedAreRetriedAndUnknownOutcomesAreNot() throws Exception {
        final AtomicInteger calls = new AtomicInteger();
        final InetSocketAddress node = start(1, service(r -> {
            final String what = StandardCharsets.UTF_8.decode(r).toString();
            final int call = calls.incrementAndGet();
            return switch (what) {
                case "busy-twice" -> call <= 2
                    ? CompletableFuture.failedFuture(new ProposalException(ResultCode.REJECTED_BUSY, -1, 1))
                    : CompletableFuture.completedFuture(bytes("done after " + call));
                case "timeout" -> CompletableFuture.failedFuture(new ProposalException(ResultCode.TIMEOUT, -1, 1));
                case "bad" -> CompletableFuture.failedFuture(new IllegalArgumentException("key is empty"));
                case "bug" -> throw new IllegalStateException("handler bug");
                default -> CompletableFuture.completedFuture(null);
            };
        }), null);
        try (PontoonClient client = client(node, 5)) {
            assertArrayEquals(bytes("done after 3"), client.request(bytes("busy-twice")).get(30, TimeUnit.SECONDS));

            calls.set(0);
            final ProposalException timeout = assertInstanceOf(ProposalException.class,
                failure(client.request(bytes("timeout"))));
            assertEquals(ResultCode.TIMEOUT, timeout.code());
            assertEquals(1, calls.get(), "an unknown outcome is not resent");

            assertEquals("key is empty", assertInstanceOf(IllegalArgumentException.class,
                failure(client.request(bytes("bad")))).getMessage());
            final Throwable bug = failure(client.request(bytes("bug")));
            assertInstanceOf(IllegalArgumentException.class, bug);
            assertTrue(bug.getMessage().contains("the application request handler failed")
                && bug.getMessage().contains("handler bug"), bug.getMessage());
            assertArrayEquals(new byte[0], client.request(bytes("null")).get(30, TimeUnit.SECONDS), "null is empty");
        }
    }

    @Test
    void aNodeWithoutAHandlerAnswersInvalidNamingWhy() throws Exception {
        final InetSocketAddress node = start(1, new ClientService() {
            @Override
            public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId,
                                   ProposalCallback callback) {
                return false;
            }

            @Override
            public RaftStatus status() {
                return new RaftStatus(1, Role.LEADER, 1, 1, 0, 0, 0, 0);
            }
        }, null);
        try (PontoonClient client = client(node, 5)) {
            final Throwable e = failure(client.request(bytes("x")));
            assertInstanceOf(IllegalArgumentException.class, e);
            assertTrue(e.getMessage().contains("serves no application requests"), e.getMessage());
        }
    }

    @Test
    void aConnectionHoldsABoundedNumberOfUnansweredRequestsAndAnswersTheRestBusy() throws Exception {
        final ConcurrentLinkedQueue<CompletableFuture<byte[]>> held = new ConcurrentLinkedQueue<>();
        final InetSocketAddress node = start(1, service(r -> {
            final CompletableFuture<byte[]> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }), null);
        final int limit = 1024;
        try (PontoonClient client = client(node, 1)) {
            final List<CompletableFuture<byte[]>> answers = new ArrayList<>();
            for (int i = 0; i < limit; i++) {
                answers.add(client.request(bytes("r" + i)));
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (held.size() < limit && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(limit, held.size(), "every request up to the limit reached the handler");
            final ProposalException busy = assertInstanceOf(ProposalException.class,
                failure(client.request(bytes("one more"))));
            assertEquals(ResultCode.REJECTED_BUSY, busy.code());
            assertEquals(limit, held.size(), "the request over the limit never reached the handler");
            held.forEach(f -> f.complete(bytes("ok")));
            for (CompletableFuture<byte[]> a : answers) {
                assertArrayEquals(bytes("ok"), a.get(30, TimeUnit.SECONDS));
            }
            // answered: the connection takes requests again
            final CompletableFuture<byte[]> next = client.request(bytes("next"));
            while (held.size() < limit + 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            held.forEach(f -> f.complete(bytes("again")));
            assertArrayEquals(bytes("again"), next.get(30, TimeUnit.SECONDS));
        }
    }
}
