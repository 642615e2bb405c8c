package io.pontoon.transport.client;

import io.pontoon.transport.ClientService;
import io.pontoon.ProposalCallback;
import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.transport.NettyTransport;
import io.pontoon.transport.NettyTransportConfig;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * PontoonClient against a real NettyTransport whose node holds proposals and answers them in shuffled
 * batches: every request, sent with many others in flight, completes with its own outcome.
 */
class ClientCorrelationTest {
    private NettyTransport transport;
    private BatchingService service;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        final int port = ClientProtocolTest.freePorts(1)[0];
        address = new InetSocketAddress("127.0.0.1", port);
        service = new BatchingService();
        transport = new NettyTransport(NettyTransportConfig.builder().nodeId(1).clusterId(3).listenAddress(address)
            .peer(1, address).build());
        transport.start(1, (from, type, body, offset, length) -> true);
        transport.serveClients(service);
    }

    @AfterEach
    void stop() {
        transport.close();
        service.close();
    }

    private PontoonClient client(long requestTimeoutNs) {
        return new PontoonClient(PontoonClientConfig.builder().address(address).clusterId(3)
            .requestTimeoutNs(requestTimeoutNs).build());
    }

    @Test
    void everyRequestInFlightGetsItsOwnResponseWhenAnsweredInShuffledBatches() throws Exception {
        final int n = 5_000;
        service.batch = 500; // the node answers 500 at a time, in random order
        try (PontoonClient client = client(60_000_000_000L)) {
            final List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(client.append(Integer.toString(i).getBytes(StandardCharsets.US_ASCII)));
            }
            for (int i = 0; i < n; i++) {
                // The fake node commits payload "i" at lsn 1_000_000 + i: a mixed-up correlation shows here.
                assertEquals(1_000_000L + i, futures.get(i).get(30, TimeUnit.SECONDS), "append " + i);
            }
            assertEquals(n, service.proposals.get(), "each request proposed exactly once");
        }
    }

    @Test
    void requestWithoutAnAnswerFailsWithTimeoutAndOthersStillComplete() throws Exception {
        service.batch = 1;
        service.swallowNext.set(1);
        try (PontoonClient client = client(50_000_000L)) {
            final CompletableFuture<Long> lost = client.append("7".getBytes(StandardCharsets.US_ASCII));
            final ExecutionException e = assertThrows(ExecutionException.class, () -> lost.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ProposalException.class, e.getCause());
            assertEquals(ResultCode.TIMEOUT, ((ProposalException) e.getCause()).code());
            assertEquals(1_000_008L, client.append("8".getBytes(StandardCharsets.US_ASCII)).get(30, TimeUnit.SECONDS));
        }
    }

    /** Holds proposals until {@link #batch} are waiting, then answers them all, shuffled, on its "Raft thread". */
    private static final class BatchingService implements ClientService, AutoCloseable {
        volatile int batch = 1;
        final AtomicInteger proposals = new AtomicInteger();
        final AtomicInteger swallowNext = new AtomicInteger();
        private final ExecutorService raftThread = Executors.newSingleThreadExecutor();
        private final List<Runnable> held = new ArrayList<>();
        private final java.util.Set<ProposalCallback> heldCallbacks = new java.util.LinkedHashSet<>();
        private final Random random = new Random(7);

        @Override
        public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback) {
            proposals.incrementAndGet();
            final long lsn = 1_000_000L + Long.parseLong(buffer.getStringWithoutLengthAscii(offset, length));
            if (swallowNext.getAndUpdate(k -> Math.max(0, k - 1)) > 0) {
                return true; // accepted, never answered
            }
            raftThread.execute(() -> {
                held.add(() -> callback.onResult(correlationId, ResultCode.OK, lsn, 1));
                heldCallbacks.add(callback);
                if (held.size() >= batch) {
                    Collections.shuffle(held, random);
                    held.forEach(Runnable::run);
                    held.clear();
                    // As the Raft thread does: each callback that got results ends the batch once.
                    heldCallbacks.forEach(ProposalCallback::onBatchEnd);
                    heldCallbacks.clear();
                }
            });
            return true;
        }

        @Override
        public RaftStatus status() {
            return new RaftStatus(1, Role.LEADER, 1, 1, 0, 0, 0, 1);
        }

        @Override
        public void close() {
            raftThread.shutdownNow();
        }
    }
}
