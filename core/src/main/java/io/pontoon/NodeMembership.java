package io.pontoon;

import io.pontoon.runtime.InboundRing;
import io.pontoon.spi.Membership;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The node side of membership changes ({@link RaftNode#changeMembership} and the helpers around it): the futures,
 * the configuration in effect and the one committed, as the Raft thread publishes them. The protocol is the
 * engine's ({@code RaftEngine.proposeMembership}).
 *
 * <p>Threads: {@link #change} on any thread; the {@code on...} methods on the Raft thread.
 */
final class NodeMembership implements ProposalCallback {
    private final int nodeId;
    private final InboundRing ring;
    private final Runnable wake;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Membership>> waiting = new ConcurrentHashMap<>();
    /** Raft thread: changes whose joint configuration committed, completed once the final one is. */
    private final java.util.Queue<CompletableFuture<Membership>> leavingJoint =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The configuration in effect and the index of its entry, published together by the Raft thread. */
    private volatile InEffect current;
    private volatile Membership committed;
    private volatile boolean closed;
    private int slot = -1;

    NodeMembership(int nodeId, InboundRing ring, Runnable wake, Membership initial) {
        this.nodeId = nodeId;
        this.ring = ring;
        this.wake = wake;
        this.current = new InEffect(initial, 0);
        this.committed = initial;
    }

    /** The callback slot the node registered this under (results arrive through it). */
    void slot(int slot) {
        this.slot = slot;
    }

    private record InEffect(Membership membership, long index) {
    }

    Membership current() {
        return current.membership();
    }

    Membership committed() {
        return committed;
    }

    /**
     * Any thread: proposes {@code change.apply(configuration in effect)}. The engine takes it only if the
     * configuration in effect is still the one it was computed from.
     */
    CompletableFuture<Membership> change(UnaryOperator<Membership> change) {
        final CompletableFuture<Membership> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new ProposalException(ResultCode.CLOSED, -1, 0));
            return f;
        }
        final InEffect base = current;
        final long expected = base.index();
        final Membership target;
        try {
            target = change.apply(base.membership());
        } catch (IllegalArgumentException e) {
            f.completeExceptionally(new IllegalArgumentException("node " + nodeId + ": " + e.getMessage(), e));
            return f;
        }
        final long id = ids.incrementAndGet() & InboundRing.CORRELATION_MASK;
        waiting.put(id, f);
        final long tag = ((long) slot << 48) | id;
        if (!ring.offerMembershipRequest(tag, expected, target.encode())) {
            waiting.remove(id);
            f.completeExceptionally(new ProposalException(ResultCode.REJECTED_BUSY, -1, 0));
            return f;
        }
        wake.run();
        return f;
    }

    /** Raft thread: the configuration in effect changed (its entry is at {@code index}). */
    void onChanged(Membership m, long index) {
        current = new InEffect(m, index);
    }

    /**
     * The nodes this node must reach, for the transport: the members of the configuration in effect and of the
     * newest one committed, with their addresses (as a configuration of voters only). A member that a change in
     * effect removes stays reachable until the change commits: a leader removing itself, or a follower it removes,
     * still needs the link to commit the removal.
     */
    Membership reachable() {
        final Membership now = current.membership();
        final Membership done = committed;
        if (now.sameMembers(done) && now.addresses().equals(done.addresses())) {
            return now;
        }
        final int[] ids = java.util.stream.IntStream.concat(java.util.Arrays.stream(now.members()),
            java.util.Arrays.stream(done.members())).distinct().toArray();
        final java.util.TreeMap<Integer, String> addresses = new java.util.TreeMap<>(done.addresses());
        addresses.putAll(now.addresses());
        return Membership.of(ids, new int[0], addresses);
    }

    /** Raft thread: a configuration entry was applied; changes waiting for it complete. */
    void onApplied(Membership m) {
        committed = m;
        if (!m.isJoint()) {
            CompletableFuture<Membership> f;
            while ((f = leavingJoint.poll()) != null) {
                f.complete(m);
            }
        }
    }

    /** Raft thread: the outcome of a change's entry. */
    @Override
    public void onResult(long correlationId, ResultCode code, long lsn, int leaderId) {
        final CompletableFuture<Membership> f = waiting.remove(correlationId);
        if (f == null) {
            return;
        }
        if (code != ResultCode.OK) {
            f.completeExceptionally(new ProposalException(code, lsn, leaderId));
            return;
        }
        final Membership m = committed;
        if (m.isJoint()) {
            leavingJoint.add(f); // thesis §4.3: done once the leader's follow-up entry leaves the joint configuration
        } else {
            f.complete(m);
        }
    }

    /** The node closed: every change still waiting fails with CLOSED. */
    void close() {
        closed = true;
        for (Long id : waiting.keySet().toArray(new Long[0])) {
            final CompletableFuture<Membership> f = waiting.remove(id);
            if (f != null) {
                f.completeExceptionally(new ProposalException(ResultCode.CLOSED, -1, 0));
            }
        }
        CompletableFuture<Membership> f;
        while ((f = leavingJoint.poll()) != null) {
            f.completeExceptionally(new ProposalException(ResultCode.CLOSED, -1, 0));
        }
    }
}
