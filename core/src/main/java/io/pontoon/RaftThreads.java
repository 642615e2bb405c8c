package io.pontoon;

import io.pontoon.runtime.SharedThreads;

/**
 * Shared threading mode (Aeron's SHARED mode, Agrona's composite agent): the Raft agents of several nodes of one
 * JVM run on a fixed number of threads instead of one thread each. On a machine with few cores a cluster in one
 * JVM (LocalCluster, the demo, benchmarks) otherwise has more runnable threads than cores, and pays for it in
 * involuntary preemptions. Opt-in: a node uses it only when its builder is given one
 * ({@link RaftNode.Builder#raftThreads}).
 *
 * <p>Each shared thread runs its members' agents one duty cycle each in turn, and parks only when none of them
 * has work. A member that fails (a storage fault, anything thrown) is taken off the thread and fail-stops alone;
 * the other members keep running. A closed node leaves its thread without disturbing the others.
 *
 * <p>The caller creates and closes it: close the nodes first; {@link #close()} stops the threads (closing any
 * member still on them). Thread-safe.
 */
public final class RaftThreads implements AutoCloseable {
    /** Most shared threads; more than a handful defeats the purpose (one per core is the model). */
    public static final int MAX_THREADS = SharedThreads.MAX_THREADS;

    private final SharedThreads shared;

    private RaftThreads(SharedThreads shared) {
        this.shared = shared;
    }

    /** Starts {@code threads} shared Raft threads (1..{@value #MAX_THREADS}) that idle with {@code BACKOFF}. */
    public static RaftThreads start(int threads) {
        return new RaftThreads(SharedThreads.start(threads));
    }

    /**
     * Starts {@code threads} shared Raft threads (1..{@value #MAX_THREADS}) idling as {@code idleMode} says; the
     * members' own {@code RaftConfig.idleMode} is not used on shared threads.
     */
    public static RaftThreads start(int threads, RaftConfig.IdleMode idleMode) {
        return new RaftThreads(SharedThreads.start(threads, idleMode));
    }

    /** How many shared threads run. */
    public int threadCount() {
        return shared.threadCount();
    }

    /** How many nodes run on shared thread {@code thread} (0-based) now. */
    public int memberCount(int thread) {
        return shared.memberCount(thread);
    }

    SharedThreads shared() {
        return shared;
    }

    /** Stops the shared threads; nodes still on them are closed there. */
    @Override
    public void close() {
        shared.close();
    }
}
