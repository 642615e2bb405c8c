package io.pontoon.transport.fault;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault plan of one node, changeable at run time from any thread while frames flow: per
 * direction, a default {@link LinkFaults} for every peer plus per-peer overrides. Readers (the
 * {@link FaultInjectionHandler}s on the event loops) see an immutable snapshot through one volatile
 * read and allocate nothing; writers copy on write under this object's lock.
 *
 * <p>Randomness is seeded: each handler draws from a {@link java.util.SplittableRandom} derived from
 * {@link #seed()}, the peer id and the direction, so the same frames on a link meet the same fate in
 * every run.
 */
public final class FaultRules {
    private final long seed;
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong blocked = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong reorderReleased = new AtomicLong();

    public FaultRules(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** The rule for frames to or from {@code peerId}. Any thread; no allocation. */
    public LinkFaults rule(Direction direction, int peerId) {
        final Snapshot s = snapshot;
        final Int2ObjectHashMap<LinkFaults> overrides = direction == Direction.OUTBOUND ? s.outbound : s.inbound;
        final LinkFaults override = overrides.get(peerId);
        if (override != null) {
            return override;
        }
        return direction == Direction.OUTBOUND ? s.defaultOutbound : s.defaultInbound;
    }

    /** Sets the rule of one direction of the link with {@code peerId}. */
    public synchronized FaultRules set(Direction direction, int peerId, LinkFaults faults) {
        final Snapshot s = snapshot;
        if (direction == Direction.OUTBOUND) {
            snapshot = new Snapshot(s.defaultOutbound, s.defaultInbound, with(s.outbound, peerId, faults), s.inbound);
        } else {
            snapshot = new Snapshot(s.defaultOutbound, s.defaultInbound, s.outbound, with(s.inbound, peerId, faults));
        }
        return this;
    }

    /** Removes the override of one direction of the link with {@code peerId}: the default applies again. */
    public synchronized FaultRules remove(Direction direction, int peerId) {
        final Snapshot s = snapshot;
        if (direction == Direction.OUTBOUND) {
            snapshot = new Snapshot(s.defaultOutbound, s.defaultInbound, without(s.outbound, peerId), s.inbound);
        } else {
            snapshot = new Snapshot(s.defaultOutbound, s.defaultInbound, s.outbound, without(s.inbound, peerId));
        }
        return this;
    }

    /** Sets the rule for every peer without an override, in one direction. */
    public synchronized FaultRules setDefault(Direction direction, LinkFaults faults) {
        final Snapshot s = snapshot;
        snapshot = direction == Direction.OUTBOUND
            ? new Snapshot(faults, s.defaultInbound, s.outbound, s.inbound)
            : new Snapshot(s.defaultOutbound, faults, s.outbound, s.inbound);
        return this;
    }

    /** Drops frames with probability {@code p} in both directions on every link (keeps overrides). */
    public synchronized FaultRules dropProbability(double p) {
        final Snapshot s = snapshot;
        snapshot = new Snapshot(s.defaultOutbound.withDropProbability(p), s.defaultInbound.withDropProbability(p),
            s.outbound, s.inbound);
        return this;
    }

    /** Cuts both directions of the links with {@code peerIds} (other settings of those links are kept). */
    public synchronized FaultRules partition(int... peerIds) {
        for (int peerId : peerIds) {
            set(Direction.OUTBOUND, peerId, rule(Direction.OUTBOUND, peerId).withPartitioned(true));
            set(Direction.INBOUND, peerId, rule(Direction.INBOUND, peerId).withPartitioned(true));
        }
        return this;
    }

    /** Reconnects both directions of the links with {@code peerIds}. */
    public synchronized FaultRules heal(int... peerIds) {
        for (int peerId : peerIds) {
            set(Direction.OUTBOUND, peerId, rule(Direction.OUTBOUND, peerId).withPartitioned(false));
            set(Direction.INBOUND, peerId, rule(Direction.INBOUND, peerId).withPartitioned(false));
        }
        return this;
    }

    /**
     * Replaces every rule at once (defaults and per-peer overrides): readers see the old rules or the new ones, never
     * a mix. {@link FaultPlan#applyTo} uses it.
     */
    public synchronized FaultRules replace(LinkFaults defaultOutbound, LinkFaults defaultInbound,
                                           java.util.Map<Integer, LinkFaults> outbound,
                                           java.util.Map<Integer, LinkFaults> inbound) {
        final Int2ObjectHashMap<LinkFaults> out = new Int2ObjectHashMap<>();
        outbound.forEach(out::put);
        final Int2ObjectHashMap<LinkFaults> in = new Int2ObjectHashMap<>();
        inbound.forEach(in::put);
        snapshot = new Snapshot(defaultOutbound, defaultInbound, out, in);
        return this;
    }

    /** Removes every rule: all links fault-free. */
    public synchronized FaultRules clear() {
        snapshot = Snapshot.EMPTY;
        return this;
    }

    /** Frames delivered (after any delay), counting duplicates. */
    public long passedFrames() {
        return passed.get();
    }

    public long droppedFrames() {
        return dropped.get();
    }

    /** Frames discarded by a partition. */
    public long blockedFrames() {
        return blocked.get();
    }

    public long duplicatedFrames() {
        return duplicated.get();
    }

    public long delayedFrames() {
        return delayed.get();
    }

    /** Frames released from a reorder window. */
    public long reorderReleasedFrames() {
        return reorderReleased.get();
    }

    void countPassed() {
        passed.incrementAndGet();
    }

    void countDropped() {
        dropped.incrementAndGet();
    }

    void countBlocked() {
        blocked.incrementAndGet();
    }

    void countDuplicated() {
        duplicated.incrementAndGet();
    }

    void countDelayed() {
        delayed.incrementAndGet();
    }

    void countReorderReleased(int frames) {
        reorderReleased.addAndGet(frames);
    }

    private static Int2ObjectHashMap<LinkFaults> with(Int2ObjectHashMap<LinkFaults> map, int peerId, LinkFaults faults) {
        final Int2ObjectHashMap<LinkFaults> copy = new Int2ObjectHashMap<>(map);
        copy.put(peerId, faults);
        return copy;
    }

    private static Int2ObjectHashMap<LinkFaults> without(Int2ObjectHashMap<LinkFaults> map, int peerId) {
        final Int2ObjectHashMap<LinkFaults> copy = new Int2ObjectHashMap<>(map);
        copy.remove(peerId);
        return copy;
    }

    private record Snapshot(LinkFaults defaultOutbound, LinkFaults defaultInbound,
                            Int2ObjectHashMap<LinkFaults> outbound, Int2ObjectHashMap<LinkFaults> inbound) {
        static final Snapshot EMPTY = new Snapshot(LinkFaults.NONE, LinkFaults.NONE, new Int2ObjectHashMap<>(),
            new Int2ObjectHashMap<>());
    }
}
