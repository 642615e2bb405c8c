package io.pontoon.runtime;

import io.pontoon.RaftConfig;
import io.pontoon.util.WakeableIdleStrategy;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The implementation behind {@code io.pontoon.RaftThreads}, shared threading mode (Aeron's SHARED mode, Agrona's
 * composite agent): the Raft agents of several nodes of one JVM run on a fixed number of threads instead of one
 * thread each. On a machine with few cores a cluster in one JVM (LocalCluster, the demo, benchmarks) otherwise has
 * more runnable threads than cores, and pays for it in involuntary preemptions (issue 8, "Fewer hand-offs").
 *
 * <p>Each shared thread runs a composite of its members' agents, one {@code doWork()} each per duty cycle, and
 * idles through one {@link WakeableIdleStrategy} whose pending-work check looks at every member's inbound ring and
 * which every member's wake sources (ring producers, journal durable-index wake-up, status requests) wake. A
 * member that throws (anything, an {@link Error} included) is taken off the thread, its {@code onClose} runs, and
 * its error handler is called; the other members keep running. A member leaves with {@link Member#leave()}, which
 * runs its {@code onClose} on the shared thread and does not disturb the others.
 *
 * <p>The caller creates and closes it: close the nodes first; {@link #close()} stops the threads (running the
 * {@code onClose} of any member still on them). Thread-safe.
 */
public final class SharedThreads implements AutoCloseable {
    /** JDK platform logging (core has no logging dependency); the application routes it to SLF4J or JUL. */
    private static final System.Logger LOG = System.getLogger("io.pontoon.runtime.SharedThreads");
    /** Most shared threads; more than a handful defeats the purpose (one per core is the model). */
    public static final int MAX_THREADS = 64;

    private final SharedRaftAgent[] agents;
    private final AgentRunner[] runners;
    private boolean closed; // guarded by this

    private SharedThreads(int threads, RaftConfig.IdleMode idleMode) {
        agents = new SharedRaftAgent[threads];
        runners = new AgentRunner[threads];
        for (int i = 0; i < threads; i++) {
            agents[i] = new SharedRaftAgent("pontoon-raft-shared-" + i);
            runners[i] = new AgentRunner(idleStrategy(idleMode, agents[i].wakeable), agents[i]::onOwnError, null,
                agents[i]);
        }
        for (AgentRunner r : runners) {
            AgentRunner.startOnThread(r);
        }
    }

    /** Starts {@code threads} shared Raft threads (1..{@value #MAX_THREADS}) that idle with {@code BACKOFF}. */
    public static SharedThreads start(int threads) {
        return start(threads, RaftConfig.IdleMode.BACKOFF);
    }

    /**
     * Starts {@code threads} shared Raft threads (1..{@value #MAX_THREADS}) idling as {@code idleMode} says; the
     * members' own {@code RaftConfig.idleMode} is not used on shared threads.
     */
    public static SharedThreads start(int threads, RaftConfig.IdleMode idleMode) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + threads);
        }
        return new SharedThreads(threads, Objects.requireNonNull(idleMode, "idleMode"));
    }

    private static IdleStrategy idleStrategy(RaftConfig.IdleMode mode, WakeableIdleStrategy wakeable) {
        switch (mode) {
            case BUSY_SPIN: return new BusySpinIdleStrategy();
            case SLEEP: return new SleepingMillisIdleStrategy(1);
            default: return wakeable;
        }
    }

    public int threadCount() {
        return agents.length;
    }

    /** Agents running on shared thread {@code thread} now (started, not yet left or failed). */
    public int memberCount(int thread) {
        if (thread < 0 || thread >= agents.length) {
            throw new IllegalArgumentException("thread must be in [0, " + (agents.length - 1) + "], got " + thread);
        }
        return agents[thread].memberCount();
    }

    /**
     * Reserves a place for one agent on the thread with the fewest members; {@link Member#start} puts the agent
     * there. The reservation comes first so that the caller can hand {@link Member#wakeable()} to its wake sources
     * before the agent can run.
     */
    public synchronized Member newMember(String name) {
        if (closed) {
            throw new IllegalStateException("SharedThreads is closed: cannot add " + name);
        }
        SharedRaftAgent least = agents[0];
        for (SharedRaftAgent a : agents) {
            if (a.reserved < least.reserved) {
                least = a;
            }
        }
        least.reserved++;
        return new Member(this, least, name);
    }

    private synchronized void release(SharedRaftAgent agent) {
        agent.reserved--;
    }

    private synchronized void add(SharedRaftAgent agent, Member m) {
        if (closed) {
            throw new IllegalStateException("SharedThreads is closed: cannot start " + m.name);
        }
        agent.add(m);
    }

    /** Stops the shared threads; members still on them are closed there (their {@code onClose} runs). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (AgentRunner r : runners) {
            r.close();
        }
    }

    /**
     * One agent's place on a shared thread. {@link #wake()} (or {@link #wakeable()}) is what the node's wake
     * sources call; {@link #leave()} takes the agent off the thread.
     */
    public static final class Member {
        private final SharedThreads owner;
        private final SharedRaftAgent thread;
        private final String name;
        private final CountDownLatch left = new CountDownLatch(1);
        Agent agent;
        BooleanSupplier hasPendingWork;
        ErrorHandler errorHandler;
        /** Set by {@link #leave()}; the shared thread acts on it before the member's next doWork. */
        volatile boolean leaveRequested;
        private volatile boolean started;
        private boolean released; // guarded by this
        private boolean closedAgent; // guarded by this: onClose runs once, whoever gets here first

        Member(SharedThreads owner, SharedRaftAgent thread, String name) {
            this.owner = owner;
            this.thread = thread;
            this.name = name;
        }

        /** The shared thread's idle strategy: wake it after publishing work for this member. */
        public WakeableIdleStrategy wakeable() {
            return thread.wakeable;
        }

        /** Any thread: makes the shared thread run a duty cycle soon (now if parked). Allocation-free. */
        public void wake() {
            thread.wakeable.wake();
        }

        /** The shared thread's name, e.g. {@code pontoon-raft-shared-0}. */
        public String threadName() {
            return thread.roleName();
        }

        /**
         * Puts {@code agent} on the shared thread; from now on it runs there. {@code hasPendingWork} is checked
         * (from the shared thread, allocation-free) before it parks; {@code errorHandler} learns of a
         * {@link Throwable} from the agent, after the agent has been taken off the thread and closed. Once.
         */
        public void start(Agent agent, BooleanSupplier hasPendingWork, ErrorHandler errorHandler) {
            if (started) {
                throw new IllegalStateException(name + " is started already");
            }
            this.agent = Objects.requireNonNull(agent, "agent");
            this.hasPendingWork = Objects.requireNonNull(hasPendingWork, "hasPendingWork");
            this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
            started = true;
            try {
                owner.add(thread, this); // publishes the fields above: the member array is volatile
            } catch (RuntimeException e) {
                started = false;
                releaseOnce();
                throw e;
            }
            thread.wakeable.wake();
        }

        /**
         * Takes the agent off its shared thread and returns once its {@code onClose} has run (on the shared thread,
         * so it never races the agent's duty cycle); the other members keep running. Idempotent. Must not be called
         * from the shared thread itself (from a callback that the agent runs): that would wait for itself.
         */
        public void leave() {
            if (!started) {
                releaseOnce();
                return;
            }
            if (Thread.currentThread() == thread.thread) {
                throw new IllegalStateException(name + " cannot leave its shared Raft thread from that thread "
                    + "(close a node from outside its Raft-thread callbacks)");
            }
            leaveRequested = true;
            thread.wakeable.wake();
            try {
                while (!left.await(100, TimeUnit.MILLISECONDS)) {
                    final Thread t = thread.thread;
                    if (t != null && !t.isAlive()) {
                        // The thread has ended without retiring us (cannot happen unless the composite itself
                        // failed): nothing runs the agent any more, so closing it here cannot race a duty cycle.
                        thread.retire(this);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + name + " to leave its shared thread", e);
            }
        }

        /** True once the agent is off its thread (it left, failed, or the threads were closed). */
        public boolean hasLeft() {
            return left.getCount() == 0;
        }

        /** Runs the agent's onClose once, whoever asks first; logs (does not throw) what it throws. */
        void closeAgentOnce() {
            synchronized (this) {
                if (closedAgent) {
                    return;
                }
                closedAgent = true;
            }
            try {
                agent.onClose();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "pontoon " + name + ": error closing its agent", t);
            }
        }

        void markLeft() {
            releaseOnce();
            left.countDown();
        }

        private void releaseOnce() {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            owner.release(thread);
        }

        String name() {
            return name;
        }
    }
}
