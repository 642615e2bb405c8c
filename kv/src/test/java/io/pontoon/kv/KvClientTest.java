package io.pontoon.kv;

import io.pontoon.server.PontoonServer;
import io.pontoon.storage.Durability;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link KvClient} reports when it cannot learn an outcome (unknown, never a failure) and when nothing can have
 * happened (a failure), against a one-node store whose handler can be told to swallow its answers.
 */
class KvClientTest {
    @TempDir
    Path root;

    private PontoonServer server;
    private KvStateMachine stateMachine;
    /** Answers still to be swallowed (the write is applied, the client never hears of it). */
    private final AtomicInteger swallow = new AtomicInteger();
    private final AtomicInteger writesSeen = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String startNode() throws IOException {
        final int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        stateMachine = new KvStateMachine();
        final KvRequestHandler kv = new KvRequestHandler(stateMachine);
        server = PontoonServer.builder().nodeId(1).peer(1, "127.0.0.1:" + port).listen("127.0.0.1:" + port)
            .dataDir(root).durability(Durability.PAGE_CACHE).electionTimeout(Duration.ofMillis(100))
            .heartbeatInterval(Duration.ofMillis(20)).stateMachine(stateMachine)
            .requestHandler((node, request) -> {
                final CompletableFuture<byte[]> answer = kv.handle(node, request);
                if (request.get(0) != KvCodec.GET) {
                    writesSeen.incrementAndGet();
                    if (swallow.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        return new CompletableFuture<>(); // applied, but the answer never comes
                    }
                }
                return answer;
            }).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.node().status().role() != io.pontoon.Role.LEADER && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000L);
        }
        return "127.0.0.1:" + port;
    }

    private static PontoonClient client(String address, long requestTimeoutMs) {
        return new PontoonClient(PontoonClientConfig.builder().addresses(address)
            .requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs)).build());
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS)).getCause();
    }

    @Test
    void aWriteWhoseAnswersAreLostIsReportedUnknownNotFailed() throws Exception {
        final String address = startNode();
        try (PontoonClient pc = client(address, 200)) {
            final KvClient kv = new KvClient(pc, Duration.ofSeconds(2));
            kv.put("k", "a").get(30, TimeUnit.SECONDS);
            swallow.set(Integer.MAX_VALUE);
            writesSeen.set(0);
            final Throwable e = failure(kv.cas("k", "a", "b"));
            assertInstanceOf(KvUnknownOutcomeException.class, e);
            assertTrue(e.getMessage().startsWith("cas k: outcome unknown") && e.getMessage().contains("may or may not"),
                e.getMessage());
            assertTrue(writesSeen.get() >= 2, "the client tried again with the same sequence: " + writesSeen.get());
            swallow.set(0);
            // it was applied: unknown meant "maybe", not "no"
            assertEquals(java.util.Optional.of("b"), kv.get("k").get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void withNobodyAnsweringWritesAndReadsAreUnknown() throws Exception {
        final int nobody;
        try (ServerSocket s = new ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        try (KvClient kv = new KvClient(client("127.0.0.1:" + nobody, 200), Duration.ofMillis(500))) {
            // the PontoonClient reports TIMEOUT (it cannot tell a request never sent from one sent and lost)
            assertInstanceOf(KvUnknownOutcomeException.class, failure(kv.put("k", "v")));
            final Throwable read = failure(kv.get("k"));
            assertInstanceOf(KvUnknownOutcomeException.class, read);
            assertTrue(read.getMessage().startsWith("get k: outcome unknown"), read.getMessage());
        }
    }

    @Test
    void aWriteTheNodeRefusesBeforeAppendingFailsDefinitely() throws Exception {
        final String address = startNode();
        try (PontoonClient pc = client(address, 2_000)) {
            final KvClient kv = new KvClient(pc, Duration.ofSeconds(5));
            final Throwable e = failure(kv.put("big", "x".repeat(1536 * 1024))); // maxEntryBytes is 1 MiB
            assertInstanceOf(IllegalArgumentException.class, e, "over maxEntryBytes: " + e);
            assertTrue(e.getMessage().startsWith("put big refused: INVALID")
                && e.getMessage().contains("maxEntryBytes"),
                e.getMessage());
            assertEquals(java.util.Optional.empty(), kv.get("big").get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void badArgumentsFailBeforeAnythingIsSent() throws Exception {
        final String address = startNode();
        try (PontoonClient pc = client(address, 2_000)) {
            final KvClient kv = new KvClient(pc, Duration.ofSeconds(5));
            assertTrue(failure(kv.put("", "v")).getMessage().contains("key must be 1 .. 4096 UTF-8 bytes, got 0"));
            assertTrue(failure(kv.get(null)).getMessage().contains("key must not be null"));
            assertTrue(failure(kv.put("k", null)).getMessage().contains("value is null"));
            assertTrue(failure(kv.cas("k", "a", null)).getMessage().contains("newValue is null"));
            assertTrue(failure(kv.delete("x".repeat(4097))).getMessage().contains("got 4097"));
            assertEquals(0, writesSeen.get(), "nothing reached the node");
            kv.close();
            assertInstanceOf(IllegalStateException.class, failure(kv.put("k", "v")), "closed");
        }
    }
}
