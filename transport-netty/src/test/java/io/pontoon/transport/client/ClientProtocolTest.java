package io.pontoon.transport.client;

import io.pontoon.transport.FakeClientService;
import io.pontoon.transport.ClientService;
import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.transport.NettyTransport;
import io.pontoon.transport.NettyTransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client protocol end to end: PontoonClient against NettyTransports serving fake nodes. */
class ClientProtocolTest {
    private static final byte[] SECRET = "client-test-secret-0123456789".getBytes(StandardCharsets.US_ASCII);

    private final List<NettyTransport> transports = new ArrayList<>();
    private FakeClientService leader;
    private FakeClientService follower;
    private InetSocketAddress leaderAddress;
    private InetSocketAddress followerAddress;

    @BeforeEach
    void startNodes() throws Exception {
        final int[] ports = freePorts(2);
        leader = new FakeClientService(1, true, 1);
        follower = new FakeClientService(2, false, 1);
        leaderAddress = new InetSocketAddress("127.0.0.1", ports[0]);
        followerAddress = new InetSocketAddress("127.0.0.1", ports[1]);
        start(1, ports, leader);
        start(2, ports, follower);
    }

    private void start(int id, int[] ports, FakeClientService service) {
        final NettyTransportConfig.Builder b = NettyTransportConfig.builder().nodeId(id).clusterId(9).secret(SECRET)
            .listenAddress(new InetSocketAddress("127.0.0.1", ports[id - 1]));
        for (int i = 0; i < ports.length; i++) {
            b.peer(i + 1, new InetSocketAddress("127.0.0.1", ports[i]));
        }
        final NettyTransport t = new NettyTransport(b.build());
        transports.add(t);
        t.start(id, (from, type, body, offset, length) -> true);
        t.serveClients(service);
    }

    @AfterEach
    void stop() {
        transports.forEach(NettyTransport::close);
        leader.close();
        follower.close();
    }

    private PontoonClient client(InetSocketAddress... addresses) {
        final PontoonClientConfig.Builder b = PontoonClientConfig.builder().clusterId(9).secret(SECRET);
        for (InetSocketAddress a : addresses) {
            b.address(a);
        }
        return new PontoonClient(b.build());
    }

    @Test
    void appendIsRedirectedFromFollowerToLeaderAndCommitted() throws Exception {
        try (PontoonClient client = client(followerAddress, leaderAddress)) {
            final long lsn = client.append("first".getBytes(StandardCharsets.US_ASCII)).get(10, TimeUnit.SECONDS);
            assertEquals(1, lsn);
            assertEquals(List.of("first"), leader.committed);
            assertTrue(follower.proposals.get() >= 1, "the follower was asked first");
            assertEquals(leaderAddress, client.leaderHint());
        }
    }

    @Test
    void manyRequestsInFlightAllCommitExactlyOnceWithDistinctLsns() throws Exception {
        try (PontoonClient client = client(followerAddress, leaderAddress)) {
            final int n = 2000;
            final List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(client.append(("entry-" + i).getBytes(StandardCharsets.US_ASCII)));
            }
            final Set<Long> lsns = new HashSet<>();
            for (CompletableFuture<Long> f : futures) {
                try {
                    lsns.add(f.get(20, TimeUnit.SECONDS));
                } catch (Exception e) {
                    throw new AssertionError("completed in order: " + "done=" + lsns.size() + " leaderProposals=" + leader.proposals.get()
                        + " followerProposals=" + follower.proposals.get() + " committed=" + leader.committed.size(), e);
                }
            }
            assertEquals(n, lsns.size());
            assertEquals(n, leader.committed.size());
            assertEquals(n, new HashSet<>(leader.committed).size());
        }
    }

    @Test
    void busyNodeIsRetried() throws Exception {
        leader.refuseNext.set(3);   // ring full: transport answers REJECTED_BUSY at once
        leader.busyNext.set(2);     // engine back-pressure: REJECTED_BUSY from the Raft thread
        try (PontoonClient client = client(leaderAddress)) {
            assertEquals(1, client.append("x".getBytes(StandardCharsets.US_ASCII)).get(10, TimeUnit.SECONDS));
            assertEquals(6, leader.proposals.get());
        }
    }

    @Test
    void anAppendRefusedDuringALeadershipTransferIsRetried() throws Exception {
        leader.transferringNext.set(2); // nothing was appended: the client tries again after a backoff
        try (PontoonClient client = client(leaderAddress)) {
            assertEquals(1, client.append("x".getBytes(StandardCharsets.US_ASCII)).get(10, TimeUnit.SECONDS));
            assertEquals(3, leader.proposals.get());
        }
    }

    @Test
    void invalidPayloadFailsWithoutRetry() throws Exception {
        try (PontoonClient client = client(leaderAddress)) {
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.append(new byte[0]).get(10, TimeUnit.SECONDS));
            final ProposalException pe = assertInstanceOf(ProposalException.class, e.getCause());
            assertEquals(ResultCode.INVALID, pe.code());
            assertEquals(1, leader.proposals.get());
        }
    }

    @Test
    void statusReportsTheNodesView() throws Exception {
        try (PontoonClient client = client(leaderAddress)) {
            final RaftStatus s = client.status(followerAddress).get(10, TimeUnit.SECONDS);
            assertEquals(new RaftStatus(2, Role.FOLLOWER, 3, 1, 10, 9, 11, 3), s);
            assertEquals(Role.LEADER, client.status(leaderAddress).get(10, TimeUnit.SECONDS).role());
        }
    }

    @Test
    void unreachableFirstAddressFallsThroughToTheNext() throws Exception {
        final InetSocketAddress dead = new InetSocketAddress("127.0.0.1", freePorts(1)[0]);
        try (PontoonClient client = client(dead, leaderAddress)) {
            assertEquals(1, client.append("y".getBytes(StandardCharsets.US_ASCII)).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void wrongSecretNeverReachesTheNode() throws Exception {
        final PontoonClientConfig config = PontoonClientConfig.builder().clusterId(9)
            .secret("not-the-cluster-secret-at-all".getBytes(StandardCharsets.US_ASCII))
            .address(leaderAddress).maxAttempts(3).build();
        try (PontoonClient client = new PontoonClient(config)) {
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.append("z".getBytes(StandardCharsets.US_ASCII)).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof java.net.ConnectException, e.getCause().toString());
            assertEquals(0, leader.proposals.get());
        }
    }

    @Test
    void closeFailsPendingRequestsWithClosed() throws Exception {
        leader.leader = false;
        leader.leaderId = 0; // nobody leads: the client keeps retrying
        follower.leaderId = 0;
        final PontoonClient client = client(leaderAddress, followerAddress);
        final CompletableFuture<Long> pending = client.append("w".getBytes(StandardCharsets.US_ASCII));
        client.close();
        final ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ProposalException.class, e.getCause());
    }

    static int[] freePorts(int n) throws Exception {
        final int[] ports = new int[n];
        final List<ServerSocket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            sockets.add(s);
            ports[i] = s.getLocalPort();
        }
        for (ServerSocket s : sockets) {
            s.close();
        }
        return ports;
    }
}
