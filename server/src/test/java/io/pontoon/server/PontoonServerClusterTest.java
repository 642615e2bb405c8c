package io.pontoon.server;

import io.pontoon.HashingStateMachine;
import io.pontoon.ProposalException;
import io.pontoon.ResultCode;
import io.pontoon.server.testing.ServerCluster;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.transport.NettyTransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@link PontoonServer}s in one JVM, on loopback ports, each with its own data directory and a
 * {@link HashingStateMachine}: what {@code ./pontoon node} runs as a process, through the library call.
 */
class PontoonServerClusterTest {
    private static final Duration TIMEOUT = ServerCluster.TIMEOUT;

    @TempDir
    Path root;

    private ServerCluster cluster;
    /** By node id. */
    private final HashingStateMachine[] stateMachines = new HashingStateMachine[4];
    /** Names of the threads the commit listeners ran on. */
    private final Set<String> listenerThreads = ConcurrentHashMap.newKeySet();

    @AfterEach
    void closeAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void threeServersReplicateToEqualStateMachinesAndARestartedOneResumesFromItsSnapshot() throws Exception {
        cluster = new ServerCluster(root, 3);
        for (int id = 1; id <= 3; id++) {
            start(id);
        }
        assertEquals(cluster.address(1), NettyTransportConfig.format(cluster.server(1).localAddress()),
            "bound to its listen address");

        long last = proposeAll(0, 120);
        awaitAllApplied(last);
        assertSameState(120);
        assertTrue(!listenerThreads.isEmpty() && listenerThreads.stream().allMatch(t -> t.startsWith("pontoon-raft-")),
            "commit listeners run on the Raft thread: " + listenerThreads);

        // A follower snapshots what it applied, stops, and starts again over the same directory.
        final int follower = cluster.awaitLeader() % 3 + 1;
        final SnapshotMeta snapshot = cluster.server(follower).node().snapshot().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        final HashingStateMachine before = stateMachines[follower];
        assertEquals(before.index(), snapshot.index(), "the snapshot is at the last applied entry");
        cluster.stop(follower);
        start(follower);
        final HashingStateMachine restored = stateMachines[follower];
        assertEquals(snapshot.index(), restored.index(), "restored from the snapshot when start() returns");
        assertEquals(before.count(), restored.count());
        assertEquals(before.hash(), restored.hash());

        last = proposeAll(120, 80);
        awaitAllApplied(last);
        assertSameState(200);
        for (int id = 1; id <= 3; id++) {
            assertNull(cluster.failure(id), "node " + id + " failed");
        }
    }

    /** Server {@code id} over {@code root/node-<id>} with a fresh state machine. */
    private void start(int id) {
        stateMachines[id] = new HashingStateMachine();
        cluster.start(id, (nodeId, b) -> b
            .snapshotEvery(50)
            .snapshotKeep(2)
            .stateMachine(stateMachines[id])
            .addCommitListener((lsn, term, data, offset, length) -> listenerThreads.add(Thread.currentThread().getName())));
    }

    /** Proposes {@code count} payloads one by one through the leader (retrying NOT_LEADER); returns the last LSN. */
    private long proposeAll(int first, int count) throws Exception {
        long last = 0;
        for (int n = first; n < first + count; n++) {
            final byte[] payload = ("entry-" + n).getBytes(StandardCharsets.UTF_8);
            while (true) {
                try {
                    last = cluster.server(cluster.awaitLeader()).node().propose(payload).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
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

    private void awaitAllApplied(long index) {
        for (int id = 1; id <= 3; id++) {
            final HashingStateMachine sm = stateMachines[id];
            ServerCluster.await(() -> sm.index() >= index, "node " + id + " applies up to " + index);
        }
    }

    private void assertSameState(long count) {
        for (int id = 1; id <= 3; id++) {
            assertEquals(count, stateMachines[id].count(), "node " + id + " applied every entry once");
            assertEquals(stateMachines[1].hash(), stateMachines[id].hash(), "node " + id + " holds node 1's state");
        }
    }
}
