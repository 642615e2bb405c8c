package io.pontoon.transport;

import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.spi.Membership;
import io.pontoon.transport.codec.ClientAdminRequestCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a node answers to each membership op ({@link ClientMembershipOps}), without a network. */
class ClientMembershipOpsTest {
    private final FakeClientService leader = new FakeClientService(1, true, 1);
    private final FakeClientService follower = new FakeClientService(2, false, 1);

    @AfterEach
    void close() {
        leader.close();
        follower.close();
    }

    /** The answer, recorded; {@code failure} when the service broke its contract. */
    private static final class Recorded implements ClientMembershipOps.Answer {
        ResultCode code;
        int leaderId;
        Membership configuration;
        String reason;
        Throwable failure;

        @Override
        public void answer(ResultCode code, int leaderId, Membership configuration, String reason) {
            this.code = code;
            this.leaderId = leaderId;
            this.configuration = configuration;
            this.reason = reason;
        }

        @Override
        public void fail(Throwable cause) {
            failure = cause;
        }
    }

    private static Recorded run(ClientService service, int op, int nodeId, String address) {
        final Recorded r = new Recorded();
        new ClientMembershipOps(service).run(op, nodeId, address, r);
        return r;
    }

    @Test
    void anyNodeAnswersMembersWithItsConfigurationAndTheLeaderItKnows() {
        final Recorded r = run(follower, ClientAdminRequestCodec.OP_MEMBERS, 0, null);
        assertEquals(ResultCode.OK, r.code);
        assertEquals(1, r.leaderId);
        assertEquals(follower.membership, r.configuration);
    }

    @Test
    void aFollowerAnswersNotLeaderWithoutJudgingTheChange() {
        final Recorded r = run(follower, ClientAdminRequestCodec.OP_PROMOTE, 4, null);
        assertEquals(ResultCode.NOT_LEADER, r.code);
        assertEquals(1, r.leaderId);
        assertTrue(follower.changes.isEmpty(), follower.changes.toString());
    }

    @Test
    void theLeaderAnswersTheNewConfigurationOrWhyItRefused() {
        Recorded r = run(leader, ClientAdminRequestCodec.OP_ADD_LEARNER, 4, "127.0.0.1:7004");
        assertEquals(ResultCode.OK, r.code);
        assertEquals("127.0.0.1:7004", r.configuration.address(4));
        r = run(leader, ClientAdminRequestCodec.OP_ADD_VOTER, 4, "127.0.0.1:7004");
        assertEquals(ResultCode.OK, r.code, "adding a learner as a voter promotes it");
        r = run(leader, ClientAdminRequestCodec.OP_REMOVE_MEMBER, 9, null);
        assertEquals(ResultCode.INVALID, r.code);
        assertTrue(r.reason.contains("node 9 is not a member"), r.reason);
        assertEquals(leader.membership, r.configuration, "a refusal carries the configuration in effect");
        r = run(leader, ClientAdminRequestCodec.OP_ADD_LEARNER, 5, "no-port");
        assertEquals(ResultCode.INVALID, r.code);
        assertTrue(r.reason.contains("cannot add node 5: the address 'no-port' is not host:port"), r.reason);
        assertEquals(List.of("addLearner 4", "addVoter 4", "removeMember 9"), leader.changes, "a bad address never "
            + "reaches the node");
        leader.changePendingNext.set(1);
        r = run(leader, ClientAdminRequestCodec.OP_PROMOTE, 4, null);
        assertEquals(ResultCode.MEMBERSHIP_CHANGE_PENDING, r.code);
        assertNull(r.reason);
    }

    @Test
    void aServiceThatFailsOutsideTheProtocolClosesTheConnectionAndOneWithoutMembershipIsInvalid() {
        final ClientService broken = new ClientService() {
            @Override
            public boolean propose(org.agrona.DirectBuffer buffer, int offset, int length, long correlationId,
                                   io.pontoon.ProposalCallback callback) {
                return false;
            }

            @Override
            public RaftStatus status() {
                return leader.status();
            }

            @Override
            public Membership membership() {
                return leader.membership;
            }

            @Override
            public CompletableFuture<Membership> removeMember(int nodeId) {
                return CompletableFuture.failedFuture(new IllegalStateException("bug"));
            }
        };
        assertEquals("bug", run(broken, ClientAdminRequestCodec.OP_REMOVE_MEMBER, 3, null).failure.getMessage());
        final Recorded none = run(new ClientService() {
            @Override
            public boolean propose(org.agrona.DirectBuffer buffer, int offset, int length, long correlationId,
                                   io.pontoon.ProposalCallback callback) {
                return false;
            }

            @Override
            public RaftStatus status() {
                return leader.status();
            }
        }, ClientAdminRequestCodec.OP_MEMBERS, 0, null);
        assertEquals(ResultCode.INVALID, none.code);
        assertTrue(none.reason.contains("serves no membership requests"), none.reason);
    }
}
