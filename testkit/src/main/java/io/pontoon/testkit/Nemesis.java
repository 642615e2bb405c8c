package io.pontoon.testkit;

import io.pontoon.LocalCluster;
import io.pontoon.RaftNode;
import io.pontoon.Role;
import io.pontoon.spi.Membership;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Faults on a running {@link LocalCluster} (in memory, or over Netty with Chronicle), on a seeded schedule, as
 * Jepsen's nemesis does: every {@code interval} it starts one fault drawn from the chosen kinds, lets it last
 * {@code faultDuration}, then heals it. The same seed draws the same schedule; what happens within it depends on
 * the real threads. Every step is recorded ({@link #events()}), so a failing run says which faults it saw.
 *
 * <ul>
 *   <li>{@link Fault#PARTITION}: the nodes split in two random halves.</li>
 *   <li>{@link Fault#ONE_WAY}: one random node's messages to another are lost, the other way still flows.</li>
 *   <li>{@link Fault#LOSS}: every message is dropped with a probability of 5 to 30%.</li>
 *   <li>{@link Fault#DELAY}: every message is delayed by 1 to 20 ms plus jitter.</li>
 *   <li>{@link Fault#KILL}: a random node stops as a crash would (only what it made durable survives), and starts
 *       again at the heal.</li>
 *   <li>{@link Fault#PAUSE}: a random node hears nothing and is heard by nobody, but keeps running (as a process
 *       that stalls on a full disk or a long GC, from the others' side).</li>
 *   <li>{@link Fault#ISOLATE_LEADER}: the leader is cut off from everyone.</li>
 *   <li>{@link Fault#MEMBERSHIP}: the leader removes a random other voter; at the heal it is added back as a
 *       learner and promoted (thesis §4).</li>
 * </ul>
 *
 * <p>Threads: the schedule runs on a daemon thread of its own; {@link #close()} stops it and heals everything
 * (restarting killed nodes, adding removed members back).
 */
public final class Nemesis implements AutoCloseable {
    /** What the nemesis may do. */
    public enum Fault { PARTITION, ONE_WAY, LOSS, DELAY, KILL, PAUSE, ISOLATE_LEADER, MEMBERSHIP }

    private final LocalCluster cluster;
    private final SplittableRandom random;
    private final List<Fault> faults;
    private final java.util.function.IntConsumer afterRestart;
    private final long intervalNs;
    private final long durationNs;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private final long startNs = System.nanoTime();
    private volatile boolean stopping;
    /** What undoes the fault that is on, or null; set by the schedule thread, run by it or by close(). */
    private volatile Runnable heal;

    private Nemesis(Builder b) {
        this.cluster = b.cluster;
        this.random = new SplittableRandom(b.seed);
        this.faults = List.copyOf(b.faults);
        this.afterRestart = b.afterRestart;
        this.intervalNs = b.interval.toNanos();
        this.durationNs = b.faultDuration.toNanos();
        this.thread = new Thread(this::run, "pontoon-nemesis");
        this.thread.setDaemon(true);
    }

    public static Builder builder(LocalCluster cluster) {
        return new Builder(cluster);
    }

    /** Starts the schedule. */
    public Nemesis start() {
        thread.start();
        return this;
    }

    /** What the nemesis did so far, one line per step: {@code +1.204s KILL n2}, {@code +2.204s heal}. */
    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private void run() {
        while (!stopping) {
            if (!pause(intervalNs)) {
                return;
            }
            final Fault fault = faults.get(random.nextInt(faults.size()));
            synchronized (this) {
                if (stopping) {
                    return;
                }
                try {
                    heal = inject(fault);
                } catch (RuntimeException e) {
                    note(fault + " skipped: " + e.getMessage());
                    heal = null;
                }
            }
            if (!pause(durationNs)) {
                return;
            }
            healNow();
        }
    }

    /** Parks for {@code ns} (the schedule itself, not a synchronisation); false once the nemesis is stopping. */
    private boolean pause(long ns) {
        final long end = System.nanoTime() + ns;
        long left;
        while (!stopping && (left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        return !stopping;
    }

    private synchronized void healNow() {
        final Runnable h = heal;
        heal = null;
        if (h != null) {
            try {
                h.run();
                note("heal");
            } catch (RuntimeException e) {
                note("heal failed: " + e);
            }
        }
    }

    private Runnable inject(Fault fault) {
        final int n = cluster.size();
        switch (fault) {
            case PARTITION: {
                final List<Integer> ids = shuffledIds();
                final int cut = 1 + random.nextInt(n - 1);
                final List<Integer> left = ids.subList(0, cut);
                final List<Integer> right = ids.subList(cut, n);
                for (int a : left) {
                    for (int b : right) {
                        cluster.fabric().cut(a, b);
                        cluster.fabric().cut(b, a);
                    }
                }
                note("PARTITION " + left + " | " + right);
                return () -> {
                    for (int a : left) {
                        for (int b : right) {
                            cluster.fabric().restore(a, b);
                            cluster.fabric().restore(b, a);
                        }
                    }
                };
            }
            case ONE_WAY: {
                final List<Integer> ids = shuffledIds();
                final int from = ids.get(0);
                final int to = ids.get(1);
                cluster.fabric().cut(from, to);
                note("ONE_WAY n" + from + " -> n" + to + " lost");
                return () -> cluster.fabric().restore(from, to);
            }
            case LOSS: {
                final double p = 0.05 + random.nextDouble() * 0.25;
                cluster.dropProbability(p);
                note(String.format("LOSS %.0f%%", p * 100));
                return () -> cluster.dropProbability(0);
            }
            case DELAY: {
                final long ms = 1 + random.nextInt(20);
                cluster.delay(Duration.ofMillis(ms), Duration.ofMillis(ms));
                note("DELAY " + ms + " ms + up to " + ms + " ms");
                return () -> cluster.delay(Duration.ZERO, Duration.ZERO);
            }
            case KILL: {
                final int i = random.nextInt(n);
                cluster.stop(i);
                note("KILL n" + (i + 1));
                return () -> {
                    cluster.restart(i);
                    afterRestart.accept(i);
                };
            }
            case PAUSE: {
                final int i = random.nextInt(n);
                cluster.disconnect(i);
                note("PAUSE n" + (i + 1));
                return () -> cluster.reconnect(i);
            }
            case ISOLATE_LEADER: {
                final int leader = leaderPosition();
                if (leader < 0) {
                    note("ISOLATE_LEADER: no leader");
                    return null;
                }
                cluster.disconnect(leader);
                note("ISOLATE_LEADER n" + (leader + 1));
                return () -> cluster.reconnect(leader);
            }
            default:
                return removeAndReAdd();
        }
    }

    /** MEMBERSHIP: the leader removes another voter; the heal adds it back as a learner and promotes it. */
    private Runnable removeAndReAdd() {
        final int leader = leaderPosition();
        if (leader < 0) {
            note("MEMBERSHIP: no leader");
            return null;
        }
        final RaftNode l = cluster.node(leader);
        final Membership m = l.membership();
        final int[] others = java.util.Arrays.stream(m.voters()).filter(id -> id != leader + 1).toArray();
        if (others.length < 2) {
            note("MEMBERSHIP: too few voters to remove one (" + m.describe() + ")");
            return null;
        }
        final int victim = others[random.nextInt(others.length)];
        final Membership after = await(l.removeMember(victim), "remove n" + victim);
        note("MEMBERSHIP remove n" + victim + " -> " + after.describe());
        return () -> {
            final int now = leaderPosition();
            if (now < 0) {
                throw new IllegalStateException("no leader to add n" + victim + " back");
            }
            final RaftNode lead = cluster.node(now);
            final String address = cluster.fabric().memberAddress(victim);
            if (!lead.membership().isMember(victim)) {
                await(lead.addLearner(victim, address), "add n" + victim + " back as a learner");
            }
            final Membership back = await(cluster.node(leaderPosition()).promote(victim), "promote n" + victim);
            note("MEMBERSHIP n" + victim + " back: " + back.describe());
        };
    }

    /** Waits for a membership change, retrying while another is pending (a new leader refuses until it commits). */
    private Membership await(java.util.concurrent.CompletableFuture<Membership> change, String what) {
        try {
            return change.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e);
        }
    }

    private int leaderPosition() {
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.isRunning(i) && cluster.isConnected(i) && cluster.node(i).status().role() == Role.LEADER) {
                return i;
            }
        }
        return -1;
    }

    private List<Integer> shuffledIds() {
        final List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= cluster.size(); i++) {
            ids.add(i);
        }
        for (int i = ids.size() - 1; i > 0; i--) {
            Collections.swap(ids, i, random.nextInt(i + 1));
        }
        return ids;
    }

    private void note(String what) {
        events.add(String.format("+%.3fs %s", (System.nanoTime() - startNs) / 1e9, what));
    }

    /** Stops the schedule and heals whatever fault is on (killed nodes restart, a removed member comes back). */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        healNow();
    }

    /** Settings of a {@link Nemesis}. */
    public static final class Builder {
        private final LocalCluster cluster;
        private long seed = 1;
        private Set<Fault> faults = EnumSet.of(Fault.PARTITION, Fault.LOSS, Fault.KILL);
        private Duration interval = Duration.ofMillis(500);
        private Duration faultDuration = Duration.ofMillis(500);
        private java.util.function.IntConsumer afterRestart = i -> { };

        private Builder(LocalCluster cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** Seed of the schedule (which faults, on which nodes). Default 1. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The kinds of fault to draw from; at least one. Default partitions, loss and kills. */
        public Builder faults(Set<Fault> faults) {
            if (faults == null || faults.isEmpty()) {
                throw new IllegalArgumentException("faults: name at least one kind of fault");
            }
            this.faults = EnumSet.copyOf(faults);
            return this;
        }

        /**
         * Called with a node's position after the nemesis restarted it (a KILL healed): for what the cluster does not
         * restore by itself, such as serving clients on the new incarnation. Default nothing.
         */
        public Builder afterRestart(java.util.function.IntConsumer hook) {
            this.afterRestart = Objects.requireNonNull(hook, "afterRestart");
            return this;
        }

        /** Time between the heal of one fault and the start of the next. Default 500 ms. */
        public Builder interval(Duration interval) {
            this.interval = positive("interval", interval);
            return this;
        }

        /** How long each fault lasts. Default 500 ms. */
        public Builder faultDuration(Duration duration) {
            this.faultDuration = positive("faultDuration", duration);
            return this;
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        public Nemesis build() {
            if (cluster.size() < 2) {
                throw new IllegalArgumentException("a nemesis needs at least two nodes, the cluster has "
                    + cluster.size());
            }
            return new Nemesis(this);
        }
    }
}
