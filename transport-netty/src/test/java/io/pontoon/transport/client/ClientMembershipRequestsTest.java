package io.pontoon.transport.client;

import io.pontoon.ProposalException;
import io.pontoon.ResultCode;
import io.pontoon.spi.Membership;
import io.pontoon.transport.FakeClientService;
import io.pontoon.transport.NettyTransport;
import io.pontoon.transport.NettyTransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@link PontoonClient}'s membership requests treat each answer, against stand-in nodes over real sockets: a
 * pending change is retried, a follower's NOT_LEADER redirects to the leader, a refusal carries the leader's reason,
 * MEMBERS is the leader's configuration, and what the wire cannot carry is refused before sending.
 */
class ClientMembershipRequestsTest {
    private static final int CLUSTER = 12;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** A stand-in node {@code id} serving clients on a free loopback port. */
    private InetSocketAddress serve(FakeClientService fake) {
        final NettyTransport t = new NettyTransport(NettyTransportConfig.builder().nodeId(fake.nodeId).clusterId(CLUSTER)
            .listenAddress(new InetSocketAddress("127.0.0.1", 0)).build());
        t.start(fake.nodeId, (from, type, body, offset, length) -> true);
        t.serveClients(fake);
        closing.add(fake);
        closing.add(t);
        return t.localAddress();
    }

    private PontoonClient client(long requestTimeoutMs, InetSocketAddress... addresses) {
        final PontoonClientConfig.Builder b = PontoonClientConfig.builder().clusterId(CLUSTER)
            .requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs));
        for (InetSocketAddress a : addresses) {
            b.address(a);
        }
        final PontoonClient client = new PontoonClient(b.build());
        closing.add(client);
        return client;
    }

    private static String hostPort(InetSocketAddress a) {
        return NettyTransportConfig.format(a);
    }

    private static Throwable failure(CompletableFuture<?> outcome) {
        return assertThrows(ExecutionException.class, () -> outcome.get(30, TimeUnit.SECONDS)).getCause();
    }

    @Test
    void aChangeRefusedAsPendingIsRetriedUntilTheLeaderTakesIt() throws Exception {
        final FakeClientService leader = new FakeClientService(1, true, 1);
        leader.changePendingNext.set(3); // e.g. a new leader whose first entry is not committed yet
        final PontoonClient client = client(10_000, serve(leader));
        final Membership m = client.addLearner(4, "127.0.0.1:7004").get(30, TimeUnit.SECONDS);
        assertArrayEquals(new int[] {4}, m.learners());
        assertEquals("127.0.0.1:7004", m.address(4));
        assertEquals(4, leader.changes.size(), "three refusals, then taken: " + leader.changes);
    }

    @Test
    void aChangeSentToAFollowerGoesToTheLeaderTheAnswerNames() throws Exception {
        final FakeClientService leader = new FakeClientService(1, true, 1);
        leader.membership = Membership.of(new int[] {1, 2, 3}, new int[] {4});
        final InetSocketAddress leaderAddress = serve(leader);
        final FakeClientService follower = new FakeClientService(2, false, 1);
        // the follower's transport has no peers configured: the leader's address comes from its configuration
        follower.membership = Membership.of(new int[] {1, 2, 3}, new int[0], Map.of(1, hostPort(leaderAddress)));
        final PontoonClient client = client(10_000, serve(follower));
        final Membership m = client.promote(4).get(30, TimeUnit.SECONDS);
        assertArrayEquals(new int[] {1, 2, 3, 4}, m.voters());
        assertEquals(List.of("promote 4"), leader.changes);
        assertTrue(follower.changes.isEmpty(), "a follower never judges a change: " + follower.changes);
        assertEquals(leaderAddress, client.leaderHint());
    }

    @Test
    void membersIsTheLeadersConfigurationUnlessANodeIsNamed() throws Exception {
        final FakeClientService leader = new FakeClientService(1, true, 1);
        leader.membership = Membership.of(new int[] {1, 2, 3}, new int[] {4});
        final InetSocketAddress leaderAddress = serve(leader);
        final FakeClientService follower = new FakeClientService(2, false, 1);
        follower.membership = Membership.of(new int[] {1, 2, 3}, new int[0], Map.of(1, hostPort(leaderAddress)));
        final InetSocketAddress followerAddress = serve(follower);
        final PontoonClient client = client(10_000, followerAddress);
        assertEquals(leader.membership, client.members().get(30, TimeUnit.SECONDS));
        assertEquals(follower.membership, client.members(followerAddress).get(30, TimeUnit.SECONDS));
    }

    @Test
    void aRefusedChangeFailsWithTheLeadersReasonAndTheConnectionStaysUp() throws Exception {
        final FakeClientService leader = new FakeClientService(1, true, 1);
        final PontoonClient client = client(10_000, serve(leader));
        final Throwable e = failure(client.addLearner(2, "127.0.0.1:7002"));
        assertInstanceOf(IllegalArgumentException.class, e);
        assertTrue(e.getMessage().contains("node 2 is already a member"), e.getMessage());
        final Throwable notLearner = failure(client.promote(5));
        assertTrue(notLearner.getMessage().contains("node 5 is not a learner"), notLearner.getMessage());
        assertArrayEquals(new int[] {1, 2, 3}, client.members().get(30, TimeUnit.SECONDS).voters());
    }

    @Test
    void aChangeStillRefusedAsPendingWhenTheAttemptsRunOutFailsWithThatRefusal() {
        final FakeClientService leader = new FakeClientService(1, true, 1);
        leader.changePendingNext.set(Integer.MAX_VALUE);
        final InetSocketAddress node = serve(leader);
        final PontoonClient client = new PontoonClient(PontoonClientConfig.builder().clusterId(CLUSTER).address(node)
            .maxAttempts(4).build());
        closing.add(client);
        final ProposalException e = assertInstanceOf(ProposalException.class, failure(client.removeMember(3)));
        assertEquals(ResultCode.MEMBERSHIP_CHANGE_PENDING, e.code());
        assertEquals(4, leader.changes.size(), "sent maxAttempts times: " + leader.changes);
    }

    @Test
    void idsAndAddressesTheWireCannotCarryAreRefusedBeforeSending() {
        final FakeClientService leader = new FakeClientService(1, true, 1);
        final PontoonClient client = client(10_000, serve(leader));
        assertTrue(failure(client.promote(0)).getMessage().contains("node id must be positive, got 0"));
        assertTrue(failure(client.addLearner(4, "no-port")).getMessage().contains("cannot add node 4"));
        assertTrue(failure(client.addVoter(4, "127.0.0.1:0")).getMessage().contains("not in [1, 65535]"));
        assertTrue(failure(client.addLearner(4, "h\u00e9:1")).getMessage().contains("not printable ASCII"));
        assertTrue(leader.changes.isEmpty(), "nothing sent: " + leader.changes);
    }
}
