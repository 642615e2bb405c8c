package io.pontoon.server;

import io.pontoon.HashingStateMachine;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.server.testing.ServerCluster;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.fault.FaultPlan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault control of real {@link PontoonServer}s over the client protocol (Netty on loopback, Chronicle journals): an
 * admin client cuts a node off ({@code --partition}) and the others go on without it, makes a node drop everything it
 * sends ({@code --drop 1.0}) and its leader stops hearing from it, then clears the rules and the node catches up.
 * A node without fault control, and an ordinary client credential, are refused with the reason.
 */
class PontoonServerFaultControlTest {
    private static final Duration TIMEOUT = ServerCluster.TIMEOUT;
    private static final byte[] PEER_SECRET = "fault-test peer secret, nodes only".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLIENT_SECRET = "fault-test client secret, apps".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ADMIN_SECRET = "fault-test admin secret, operators".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path root;

    private ServerCluster cluster;

    @AfterEach
    void closeAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPartitionedNodeIsLeftBehindWhileTheOthersGoOnAndCatchesUpOnceCleared() throws Exception {
        startCluster(true);
        try (PontoonClient admin = client(ADMIN_SECRET, 1, 2, 3); PontoonClient apps = client(CLIENT_SECRET, 1, 2, 3)) {
            appendAll(apps, 0, 10);
            final int cut = cluster.awaitLeader(apps);
            final int[] others = others(cut);
            final long termBefore = status(apps, cut).term();
            admin.fault(address(cut), cut, FaultPlan.NONE.withPartition(List.of(cut))).get(30, TimeUnit.SECONDS);

            // The others elect a leader of their own, in a later term, and commit without the node cut off.
            ServerCluster.await(() -> {
                final RaftStatus s = statusOrNull(apps, others[0]);
                final RaftStatus t = statusOrNull(apps, others[1]);
                return s != null && t != null && (s.role() == Role.LEADER || t.role() == Role.LEADER)
                    && Math.max(s.term(), t.term()) > termBefore;
            }, "nodes " + others[0] + " and " + others[1] + " elect a leader without node " + cut);
            final long lsn;
            try (PontoonClient rest = client(CLIENT_SECRET, others)) {
                lsn = appendAll(rest, 10, 10);
            }
            final RaftStatus isolated = status(apps, cut); // client connections are never faulted
            assertTrue(isolated.commitIndex() < lsn, "node " + cut + " commit index " + isolated.commitIndex()
                + " while cut off, the others committed " + lsn);

            admin.fault(address(cut), cut, FaultPlan.NONE).get(30, TimeUnit.SECONDS);
            ServerCluster.await(() -> {
                final RaftStatus s = statusOrNull(apps, cut);
                return s != null && s.commitIndex() >= lsn;
            }, "node " + cut + " commits " + lsn + " once its rules are cleared");
            appendAll(apps, 20, 5);
        }
    }

    @Test
    void aNodeThatDropsEverythingItSendsIsNotHeardByItsLeaderUntilCleared() throws Exception {
        startCluster(true);
        try (PontoonClient admin = client(ADMIN_SECRET, 1, 2, 3); PontoonClient apps = client(CLIENT_SECRET, 1, 2, 3)) {
            appendAll(apps, 0, 10);
            final int leader = cluster.awaitLeader(apps);
            final int mute = others(leader)[0];
            admin.fault(address(mute), mute, FaultPlan.NONE.withDrop(1.0)).get(30, TimeUnit.SECONDS);
            final long lsn = appendAll(apps, 10, 10);
            // Every acknowledgement node `mute` sends is dropped: its leader cannot have seen it reach lsn.
            final RaftStatus.Follower heard = follower(status(apps, cluster.awaitLeader(apps)), mute);
            assertTrue(heard.matchIndex() < lsn, "the leader saw node " + mute + " match " + heard.matchIndex()
                + " though it drops every frame it sends");

            admin.fault(address(mute), mute, FaultPlan.NONE).get(30, TimeUnit.SECONDS);
            ServerCluster.await(() -> {
                final int now = cluster.awaitLeader(apps);
                final RaftStatus s = statusOrNull(apps, now);
                return s != null && s.role() == Role.LEADER && follower(s, mute).matchIndex() >= lsn;
            }, "the leader hears node " + mute + " match " + lsn + " once its rules are cleared");
        }
    }

    @Test
    void withoutFaultControlOrWithAClientCredentialTheRequestIsRefusedNamingWhy() throws Exception {
        startCluster(false);
        try (PontoonClient admin = client(ADMIN_SECRET, 1, 2, 3)) {
            assertRefused(admin.fault(address(2), 2, FaultPlan.NONE.withDrop(0.5)),
                "fault control is off on node 2 (start it with --fault-control and --admin-secret-file");
        }
        closeAll();
        startCluster(true);
        try (PontoonClient apps = client(CLIENT_SECRET, 1, 2, 3)) {
            assertRefused(apps.fault(address(2), 2, FaultPlan.NONE.withDrop(0.5)),
                "FAULT needs the admin credential: this connection did not prove node 2's admin secret");
            appendAll(apps, 0, 3); // the refused requests changed nothing
        }
    }

    @Test
    void theBuilderRefusesFaultControlWithoutAnAdminSecretAndAnAdminSecretSharedWithClients() {
        final PontoonServer.Builder b = PontoonServer.builder().nodeId(1).dataDir(root.resolve("v"))
            .listen("127.0.0.1:7001").peer(1, "127.0.0.1:7001").stateMachine(new HashingStateMachine());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.faultControl(true).validate());
        assertTrue(e.getMessage().contains("faultControl needs an adminSecret"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> b.clientSecret(CLIENT_SECRET).adminSecret(CLIENT_SECRET).validate());
        assertTrue(e.getMessage().contains("adminSecret must differ from the peer, client and shared secrets"),
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.adminSecret(new byte[4]));
        assertEquals("adminSecret must be 16 .. 1024 bytes, got 4", e.getMessage());
    }

    private static void assertRefused(CompletableFuture<?> outcome, String expected) {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> outcome.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause(), String.valueOf(e.getCause()));
        assertTrue(e.getCause().getMessage().contains(expected), e.getCause().getMessage());
    }

    private void startCluster(boolean faultControl) {
        cluster = new ServerCluster(root.resolve(faultControl ? "faults" : "no-faults"), 3).startAll((id, b) -> b
            .peerSecret(PEER_SECRET).clientSecret(CLIENT_SECRET).adminSecret(ADMIN_SECRET)
            .faultControl(faultControl)
            .stateMachine(new HashingStateMachine()));
    }

    private PontoonClient client(byte[] secret, int... nodes) {
        return cluster.client(secret, nodes);
    }

    private static int[] others(int id) {
        return id == 1 ? new int[] {2, 3} : id == 2 ? new int[] {1, 3} : new int[] {1, 2};
    }

    private RaftStatus status(PontoonClient client, int id) throws Exception {
        return client.status(address(id)).get(30, TimeUnit.SECONDS);
    }

    private RaftStatus statusOrNull(PontoonClient client, int id) {
        return cluster.statusOrNull(client, id);
    }

    private static RaftStatus.Follower follower(RaftStatus leader, int id) {
        return leader.followers().stream().filter(f -> f.nodeId() == id).findFirst()
            .orElseThrow(() -> new AssertionError("node " + leader.nodeId() + " does not list follower " + id));
    }

    /** Appends {@code count} entries through the client; returns the last LSN. */
    private static long appendAll(PontoonClient client, int first, int count) throws Exception {
        long last = 0;
        for (int n = first; n < first + count; n++) {
            last = client.append(("entry-" + n).getBytes(StandardCharsets.UTF_8))
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return last;
    }

    private InetSocketAddress address(int id) {
        return cluster.socketAddress(id);
    }
}
