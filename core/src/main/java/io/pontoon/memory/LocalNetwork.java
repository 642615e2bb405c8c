package io.pontoon.memory;

import io.pontoon.spi.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An in-process network for {@link io.pontoon.LocalCluster} and tests: the seed's
 * {@code ChanCommunicationHelper} plus its packet-dropping test helpers. Without delay a send copies
 * the message straight into the receiver's inbound ring; with a delay it is copied and delivered by a
 * scheduler thread. Nodes can be disconnected (both directions) and reconnected at run time.
 */
public final class LocalNetwork implements AutoCloseable {
    private final ConcurrentHashMap<Integer, Transport.InboundHandler> nodes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Boolean> disconnected = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Boolean> cutLinks = new ConcurrentHashMap<>();
    private volatile double dropProbability;
    private volatile long delayNs;
    private volatile long jitterNs;
    private volatile ScheduledExecutorService scheduler;

    /** A transport endpoint for one node. */
    public Transport endpoint() {
        return new Endpoint();
    }

    /** Cuts node {@code id} off from every other node, both directions (the seed's DisconnectEvent). */
    public void disconnect(int id) {
        disconnected.put(id, Boolean.TRUE);
    }

    /** Undoes {@link #disconnect(int)} (the seed's ReconnectEvent). */
    public void reconnect(int id) {
        disconnected.remove(id);
    }

    public boolean isConnected(int id) {
        return !disconnected.containsKey(id);
    }

    /** Messages from {@code from} to {@code to} are lost from now on; the other direction still flows. */
    public void cut(int from, int to) {
        cutLinks.put(link(from, to), Boolean.TRUE);
    }

    /** Undoes {@link #cut}. */
    public void restore(int from, int to) {
        cutLinks.remove(link(from, to));
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | (to & 0xFFFF_FFFFL);
    }

    private boolean blocked(int from, int to) {
        return disconnected.containsKey(from) || disconnected.containsKey(to)
            || !cutLinks.isEmpty() && cutLinks.containsKey(link(from, to));
    }

    /** Probability in [0, 1] that any message is dropped. */
    public void dropProbability(double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("dropProbability must be in [0, 1], got " + p);
        }
        dropProbability = p;
    }

    /** Every message is delivered after {@code fixedNs} plus a uniform jitter in [0, jitterNs). */
    public synchronized void delay(long fixedNs, long jitterNs) {
        if (fixedNs < 0 || jitterNs < 0) {
            throw new IllegalArgumentException("delay and jitter must be >= 0, got " + fixedNs + " and " + jitterNs);
        }
        if ((fixedNs > 0 || jitterNs > 0) && scheduler == null) {
            final ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                final Thread t = new Thread(r, "pontoon-local-network-delay");
                t.setDaemon(true);
                return t;
            });
            scheduler = s;
        }
        this.delayNs = fixedNs;
        this.jitterNs = jitterNs;
    }

    boolean deliver(int from, int to, int type, DirectBuffer body, int offset, int length) {
        if (blocked(from, to)) {
            return true; // lost on the wire: the sender cannot tell
        }
        final double p = dropProbability;
        if (p > 0 && ThreadLocalRandom.current().nextDouble() < p) {
            return true;
        }
        final Transport.InboundHandler target = nodes.get(to);
        if (target == null) {
            return false;
        }
        final long d = delayNs + (jitterNs > 0 ? ThreadLocalRandom.current().nextLong(jitterNs) : 0);
        if (d == 0) {
            target.onMessage(from, type, body, offset, length);
            return true;
        }
        final byte[] copy = new byte[length];
        body.getBytes(offset, copy);
        scheduler.schedule(() -> {
            if (!blocked(from, to)) {
                final Transport.InboundHandler t = nodes.get(to);
                if (t != null) {
                    t.onMessage(from, type, new UnsafeBuffer(copy), 0, copy.length);
                }
            }
        }, d, TimeUnit.NANOSECONDS);
        return true;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        nodes.clear();
    }

    private final class Endpoint implements Transport {
        private int self;

        @Override
        public void start(int localNodeId, InboundHandler inbound) {
            if (nodes.putIfAbsent(localNodeId, inbound) != null) {
                throw new IllegalStateException("node " + localNodeId + " is already attached to this LocalNetwork");
            }
            self = localNodeId;
        }

        @Override
        public boolean send(int toNodeId, int type, DirectBuffer body, int offset, int length) {
            return deliver(self, toNodeId, type, body, offset, length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            nodes.remove(self);
        }
    }
}
