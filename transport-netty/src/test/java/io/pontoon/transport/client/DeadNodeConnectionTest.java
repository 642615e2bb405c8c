package io.pontoon.transport.client;

import io.pontoon.transport.FakeClientService;
import io.pontoon.transport.ClientService;
import io.pontoon.ProposalCallback;
import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.transport.NettyTransport;
import io.pontoon.transport.NettyTransportConfig;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.RepeatedTest;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client must not stay on a connection to a node that is gone. Pins the CI failure of ClientOverRaftTest (stop 15): a node's transport closed, its I/O threads ended, yet
 * an accepted client connection stayed open with nobody reading it, so the client kept sending to the dead
 * leader until each request timed out. Closing a transport must close every connection it accepted, so a
 * client with a request in flight learns at once that the outcome is unknown (CLOSED) and moves on; and a
 * client whose request times out on a connection that said nothing since gives that connection up.
 */
class DeadNodeConnectionTest {
    @RepeatedTest(20)
    void closingTheTransportClosesEveryAcceptedClientConnection() throws Exception {
        final int[] ports = ClientProtocolTest.freePorts(1);
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", ports[0]);
        final int clients = 8;
        final CountDownLatch proposed = new CountDownLatch(clients);
        final ClientService silent = new ClientService() {
            @Override
            public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback) {
                proposed.countDown();
                return true; // taken, never answered: the node dies with it in flight
            }

            @Override
            public RaftStatus status() {
                return new RaftStatus(1, Role.LEADER, 1, 1, 0, 0, 0, 0);
            }
        };
        final NettyTransport transport = new NettyTransport(NettyTransportConfig.builder().nodeId(1).clusterId(3)
            .listenAddress(address).peer(1, address).ioThreads(2).build());
        final List<PontoonClient> opened = new ArrayList<>();
        try {
            transport.start(1, (from, type, body, offset, length) -> true);
            transport.serveClients(silent);
            final List<CompletableFuture<Long>> appends = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                // no retries and a request timeout far beyond the wait below: only a closed connection ends it
                final PontoonClient client = new PontoonClient(PontoonClientConfig.builder().address(address)
                    .clusterId(3).maxAttempts(1).requestTimeoutNs(600_000_000_000L).build());
                opened.add(client);
                appends.add(client.append(new byte[] {1}));
            }
            assertTrue(proposed.await(30, TimeUnit.SECONDS), "every client's append reached the node");
            transport.close();
            for (CompletableFuture<Long> append : appends) {
                final ExecutionException e = assertThrows(ExecutionException.class, () -> append.get(60, TimeUnit.SECONDS));
                final ProposalException p = assertInstanceOf(ProposalException.class, e.getCause());
                assertEquals(ResultCode.CLOSED, p.code());
            }
        } finally {
            transport.close();
            opened.forEach(PontoonClient::close);
        }
    }

    @org.junit.jupiter.api.Test
    void aRequestTimeoutOnASilentConnectionMovesTheClientToTheNextAddress() throws Exception {
        final int[] ports = ClientProtocolTest.freePorts(2);
        final InetSocketAddress silentAddress = new InetSocketAddress("127.0.0.1", ports[0]);
        final InetSocketAddress leaderAddress = new InetSocketAddress("127.0.0.1", ports[1]);
        final CountDownLatch proposed = new CountDownLatch(1);
        final ClientService frozen = new ClientService() {
            @Override
            public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback) {
                proposed.countDown();
                return true; // a frozen node: takes the request, never answers
            }

            @Override
            public RaftStatus status() {
                return new RaftStatus(1, Role.LEADER, 1, 1, 0, 0, 0, 0);
            }
        };
        final FakeClientService leader = new FakeClientService(2, true, 2);
        final NettyTransport silent = new NettyTransport(NettyTransportConfig.builder().nodeId(1).clusterId(3)
            .listenAddress(silentAddress).peer(1, silentAddress).build());
        final NettyTransport live = new NettyTransport(NettyTransportConfig.builder().nodeId(2).clusterId(3)
            .listenAddress(leaderAddress).peer(2, leaderAddress).build());
        try {
            silent.start(1, (from, type, body, offset, length) -> true);
            silent.serveClients(frozen);
            live.start(2, (from, type, body, offset, length) -> true);
            live.serveClients(leader);
            try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().address(silentAddress)
                .address(leaderAddress).clusterId(3).requestTimeoutNs(300_000_000L).build())) {
                final ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.append(new byte[] {'a'}).get(60, TimeUnit.SECONDS));
                assertEquals(ResultCode.TIMEOUT, assertInstanceOf(ProposalException.class, e.getCause()).code());
                assertEquals(0, proposed.getCount(), "the first append reached the frozen node");
                assertEquals(leaderAddress, client.leaderHint(), "the client gave the silent connection up");
                assertEquals(1L, client.append(new byte[] {'b'}).get(60, TimeUnit.SECONDS));
                assertEquals(List.of("b"), leader.committed);
            }
        } finally {
            silent.close();
            live.close();
            leader.close();
        }
    }
}
