package io.pontoon.compare.harness;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A system that replicates nothing, to measure what the harness itself can submit. {@code inline}: each submit
 * completes on the submitting thread. {@code async}: submits go into a ring that one completer thread drains in
 * batches, as a Raft thread completes a batch of proposals; the harness then pays the cross-thread hand-off.
 * Thread-safe: any number of submitter threads.
 */
final class NoopSystem implements ReplicatedSystem {
    private static final int RING = 1 << 16;
    private final boolean async;
    private final AtomicLongArray ring = new AtomicLongArray(RING);
    private final AtomicLong tail = new AtomicLong();
    private volatile Completion completion;
    private volatile boolean running = true;
    private Thread completer;

    NoopSystem(boolean async) {
        this.async = async;
    }

    @Override
    public String name() {
        return async ? "noop-async" : "noop-inline";
    }

    @Override
    public void start(HarnessOptions options, Path dataDir) {
        if (async) {
            completer = new Thread(this::complete, "noop-completer");
            completer.setDaemon(true);
            completer.start();
        }
    }

    @Override
    public String setup() {
        return "storage=none";
    }

    @Override
    public boolean submit(byte[] payload, long startNs, Completion c) {
        if (!async) {
            c.onCommitted(startNs);
            return true;
        }
        completion = c;
        final long slot = tail.getAndIncrement();
        // startNs + 1 so that 0 marks an empty slot
        ring.set((int) (slot & (RING - 1)), startNs + 1);
        return true;
    }

    private void complete() {
        long head = 0;
        while (running) {
            int n = 0;
            long v;
            while ((v = ring.get((int) (head & (RING - 1)))) != 0) {
                ring.lazySet((int) (head & (RING - 1)), 0);
                head++;
                completion.onCommitted(v - 1);
                n++;
            }
            if (n == 0) {
                LockSupport.parkNanos(20_000);
            }
        }
    }

    @Override
    public void close() {
        running = false;
    }
}
