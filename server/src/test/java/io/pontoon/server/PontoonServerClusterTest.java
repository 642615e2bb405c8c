package io.pontoon.server;

import io.pontoon.HashingStateMachine;
import io.pontoon.ProposalException;
import io.pontoon.ResultCode;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.storage.Durability;
import io.pontoon.transport.NettyTransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@link PontoonServer}s in one JVM, on loopback ports, each with its own data directory and a
 * {@link HashingStateMachine}: what {@code ./pontoon node} runs as a process, through the library call.
 */
class PontoonServerClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private final PontoonServer[] servers = new PontoonServer[3];
    private final HashingStateMachine[] stateMachines = new HashingStateMachine[3];
    private final Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
    /** Names of the threads the commit listeners ran on. */
    private final Set<String> listenerThreads = ConcurrentHashMap.newKeySet();
    private int[] ports;

    @AfterEach
    void closeAll() {
        for (PontoonServer s : servers) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void threeServersReplicateToEqualStateMachinesAndARestartedOneResumesFromItsSnapshot() throws Exception {
        ports = freePorts(3);
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        assertEquals("127.0.0.1:" + ports[0], NettyTransportConfig.format(servers[0].localAddress()),
            "bound to its listen address");

        long last = proposeAll(0, 120);
        awaitAllApplied(last);
        assertSameState(120);
        assertTrue(!listenerThreads.isEmpty() && listenerThreads.stream().allMatch(t -> t.startsWith("pontoon-raft-")),
            "commit listeners run on the Raft thread: " + listenerThreads);

        // A follower snapshots what it applied, stops, and starts again over the same directory.
        final int follower = (leader() + 1) % 3;
        final SnapshotMeta snapshot = servers[follower].node().snapshot().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        final HashingStateMachine before = stateMachines[follower];
        assertEquals(before.index(), snapshot.index(), "the snapshot is at the last applied entry");
        servers[follower].close();
        servers[follower] = null;
        start(follower);
        final HashingStateMachine restored = stateMachines[follower];
        assertEquals(snapshot.index(), restored.index(), "restored from the snapshot when start() returns");
        assertEquals(before.count(), restored.count());
        assertEquals(before.hash(), restored.hash());

        last = proposeAll(120, 80);
        awaitAllApplied(last);
        assertSameState(200);
        for (int i = 0; i < 3; i++) {
            assertNull(failures.get(i + 1), "node " + (i + 1) + " failed");
        }
    }

    /** Server {@code i} (node id i + 1) over {@code root/node-<id>} with a fresh state machine. */
    private void start(int i) {
        final int id = i + 1;
        final Map<Integer, String> peers = new TreeMap<>();
        for (int p = 0; p < 3; p++) {
            peers.put(p + 1, "127.0.0.1:" + ports[p]);
        }
        stateMachines[i] = new HashingStateMachine();
        final PontoonServer.Builder b = PontoonServer.builder()
            .nodeId(id)
            .dataDir(root.resolve("node-" + id))
            .listen("127.0.0.1:" + ports[i])
            .durability(Durability.PAGE_CACHE)
            .electionTimeout(Duration.ofMillis(300))
            .heartbeatInterval(Duration.ofMillis(50))
            .snapshotEvery(50)
            .snapshotKeep(2)
            .stateMachine(stateMachines[i])
            .addCommitListener((lsn, term, data, offset, length) -> listenerThreads.add(Thread.currentThread().getName()))
            .errorHandler(cause -> failures.put(id, cause));
        peers.forEach(b::peer);
        servers[i] = b.start();
    }

    /** Proposes {@code count} payloads one by one through the leader (retrying NOT_LEADER); returns the last LSN. */
    private long proposeAll(int first, int count) throws Exception {
        long last = 0;
        for (int n = first; n < first + count; n++) {
            final byte[] payload = ("entry-" + n).getBytes(StandardCharsets.UTF_8);
            while (true) {
                try {
                    last = servers[leader()].node().propose(payload).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException e) {
                    // NOT_LEADER: the entry was never appended, so proposing it again cannot apply it twice.
                    if (!(e.getCause() instanceof ProposalException p) || p.code() != ResultCode.NOT_LEADER) {
                        throw e;
                    }
                }
            }
        }
        return last;
    }

    /** Index of a running server that reports itself leader. */
    private int leader() {
        final int[] found = {-1};
        await(() -> {
            for (int i = 0; i < 3; i++) {
                if (servers[i] != null) {
                    final RaftStatus s = servers[i].node().status();
                    if (s.role() == Role.LEADER) {
                        found[0] = i;
                        return true;
                    }
                }
            }
            return false;
        }, "a leader");
        return found[0];
    }

    private void awaitAllApplied(long index) {
        for (int i = 0; i < 3; i++) {
            final HashingStateMachine sm = stateMachines[i];
            await(() -> sm.index() >= index, "node " + (i + 1) + " applies up to " + index);
        }
    }

    private void assertSameState(long count) {
        for (int i = 0; i < 3; i++) {
            assertEquals(count, stateMachines[i].count(), "node " + (i + 1) + " applied every entry once");
            assertEquals(stateMachines[0].hash(), stateMachines[i].hash(), "node " + (i + 1) + " holds node 1's state");
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
        }
    }

    private static int[] freePorts(int n) throws IOException {
        final int[] found = new int[n];
        final ServerSocket[] sockets = new ServerSocket[n];
        for (int i = 0; i < n; i++) {
            sockets[i] = new ServerSocket(0);
            found[i] = sockets[i].getLocalPort();
        }
        for (ServerSocket s : sockets) {
            s.close();
        }
        return found;
    }
}
