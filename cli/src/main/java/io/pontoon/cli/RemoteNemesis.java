package io.pontoon.cli;

import io.pontoon.RaftStatus;
import io.pontoon.testkit.Nemesis;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.fault.FaultPlan;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * kv-bench's nemesis against running nodes: partitions, loss and delay set through each node's fault control
 * ({@code ./pontoon fault}'s client op, with the admin credential), on a seeded schedule like the in-process
 * {@link Nemesis}. Kills need control of the processes and are not here.
 */
final class RemoteNemesis implements AutoCloseable {
    /** The faults a remote nemesis can inject. */
    static final Set<Nemesis.Fault> SUPPORTED = Set.of(Nemesis.Fault.PARTITION, Nemesis.Fault.LOSS,
        Nemesis.Fault.DELAY, Nemesis.Fault.ISOLATE_LEADER);

    private final PontoonClient admin;
    private final List<InetSocketAddress> addresses;
    private final int[] ids;
    private final List<Nemesis.Fault> faults;
    private final SplittableRandom random;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final long startNs = System.nanoTime();
    private final Thread thread;
    private volatile boolean stopping;

    /** {@code admin}: a client holding the admin credential; the nodes' ids are asked from their status. */
    RemoteNemesis(PontoonClient admin, List<InetSocketAddress> addresses, Set<Nemesis.Fault> faults, long seed)
        throws Exception {
        this.admin = admin;
        this.addresses = List.copyOf(addresses);
        this.ids = new int[addresses.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = admin.status(addresses.get(i)).get(10, TimeUnit.SECONDS).nodeId();
        }
        this.faults = List.copyOf(faults);
        this.random = new SplittableRandom(seed);
        this.thread = new Thread(this::run, "pontoon-remote-nemesis");
        this.thread.setDaemon(true);
    }

    RemoteNemesis start() {
        thread.start();
        return this;
    }

    List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private void run() {
        while (pause(700)) {
            final Nemesis.Fault fault = faults.get(random.nextInt(faults.size()));
            try {
                inject(fault);
            } catch (Exception e) {
                note(fault + " failed: " + e);
            }
            if (!pause(1_200)) {
                return;
            }
            heal();
        }
    }

    private void inject(Nemesis.Fault fault) throws Exception {
        switch (fault) {
            case PARTITION: {
                final List<Integer> order = new ArrayList<>();
                for (int id : ids) {
                    order.add(id);
                }
                Collections.shuffle(order, new java.util.Random(random.nextLong()));
                final int cut = 1 + random.nextInt(ids.length - 1);
                final List<Integer> left = order.subList(0, cut);
                final List<Integer> right = order.subList(cut, order.size());
                for (int i = 0; i < ids.length; i++) {
                    apply(i, FaultPlan.NONE.withPartition(left.contains(ids[i]) ? left : right));
                }
                note("PARTITION " + left + " | " + right);
                break;
            }
            case LOSS: {
                final double p = 0.05 + random.nextDouble() * 0.25;
                for (int i = 0; i < ids.length; i++) {
                    apply(i, FaultPlan.NONE.withDrop(p));
                }
                note(String.format("LOSS %.0f%%", p * 100));
                break;
            }
            case DELAY: {
                final long ms = 1 + random.nextInt(20);
                for (int i = 0; i < ids.length; i++) {
                    apply(i, FaultPlan.NONE.withDelay(Duration.ofMillis(ms), Duration.ofMillis(ms)));
                }
                note("DELAY " + ms + " ms + up to " + ms + " ms");
                break;
            }
            default: {
                for (int i = 0; i < ids.length; i++) {
                    final RaftStatus s = admin.status(addresses.get(i)).get(5, TimeUnit.SECONDS);
                    if (s.leaderId() == s.nodeId()) {
                        apply(i, FaultPlan.NONE.withPartition(List.of(ids[i])));
                        note("ISOLATE_LEADER n" + ids[i]);
                        return;
                    }
                }
                note("ISOLATE_LEADER: no leader");
                break;
            }
        }
    }

    private void apply(int i, FaultPlan plan) throws Exception {
        admin.fault(addresses.get(i), ids[i], plan).get(10, TimeUnit.SECONDS);
    }

    private void heal() {
        for (int i = 0; i < ids.length; i++) {
            try {
                apply(i, FaultPlan.NONE);
            } catch (Exception e) {
                note("heal of n" + ids[i] + " failed: " + e);
            }
        }
        note("heal");
    }

    private boolean pause(long ms) {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long left;
        while (!stopping && (left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        return !stopping;
    }

    private void note(String what) {
        events.add(String.format("+%.3fs %s", (System.nanoTime() - startNs) / 1e9, what));
    }

    /** Stops the schedule and clears every node's faults. */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heal();
    }
}
