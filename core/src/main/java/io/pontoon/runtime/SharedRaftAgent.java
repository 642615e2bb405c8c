package io.pontoon.runtime;

import io.pontoon.util.WakeableIdleStrategy;
import org.agrona.concurrent.Agent;

import java.util.Arrays;

/**
 * The composite agent of one shared Raft thread ({@link SharedThreads}): runs each member's {@code doWork()} once per
 * duty cycle, in order. Like Agrona's {@code DynamicCompositeAgent}, but members come and go without a one-at-a-time
 * hand-shake, and a member that throws is isolated: it is taken off and closed, and the others' duty cycle goes on
 * (Agrona's composite would let the throwable end the whole cycle, and an {@link Error} would end the thread).
 *
 * <p>The member array is copy-on-write (it changes only when a node starts, stops or fails), so the duty cycle
 * reads it once with a volatile load and allocates nothing.
 */
final class SharedRaftAgent implements Agent {
    /** JDK platform logging (core has no logging dependency); the application routes it to SLF4J or JUL. */
    private static final System.Logger LOG = System.getLogger("io.pontoon.runtime.SharedRaftAgent");
    private static final SharedThreads.Member[] NONE = new SharedThreads.Member[0];

    final WakeableIdleStrategy wakeable;
    private final String roleName;
    private volatile SharedThreads.Member[] members = NONE;
    /** Members placed here (reserved or started, not yet left): for placing new ones. Guarded by the SharedThreads. */
    int reserved;
    /** The thread running this agent, once it has started. */
    volatile Thread thread;

    SharedRaftAgent(String roleName) {
        // Same back-off as a node's own thread; its pending-work check covers every member's ring.
        this(roleName, 100, 20, 1_000_000L);
    }

    /** For tests: a back-off of their own (e.g. no spins and an hour's park, so that a lost wake-up hangs). */
    SharedRaftAgent(String roleName, int maxSpins, int maxYields, long maxParkNs) {
        this.roleName = roleName;
        this.wakeable = new WakeableIdleStrategy(maxSpins, maxYields, maxParkNs, this::hasPendingWork);
    }

    private boolean hasPendingWork() {
        for (SharedThreads.Member m : members) {
            if (m.leaveRequested || m.hasPendingWork.getAsBoolean()) {
                return true;
            }
        }
        return false;
    }

    int memberCount() {
        return members.length;
    }

    synchronized void add(SharedThreads.Member m) {
        final SharedThreads.Member[] now = members;
        final SharedThreads.Member[] grown = Arrays.copyOf(now, now.length + 1);
        grown[now.length] = m;
        members = grown;
    }

    private synchronized void remove(SharedThreads.Member m) {
        final SharedThreads.Member[] now = members;
        int at = -1;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == m) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return;
        }
        final SharedThreads.Member[] shrunk = new SharedThreads.Member[now.length - 1];
        System.arraycopy(now, 0, shrunk, 0, at);
        System.arraycopy(now, at + 1, shrunk, at, now.length - at - 1);
        members = shrunk;
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
    }

    @Override
    public int doWork() {
        int work = 0;
        for (SharedThreads.Member m : members) {
            if (m.leaveRequested) {
                retire(m);
                work++;
                continue;
            }
            try {
                work += m.agent.doWork();
            } catch (Throwable t) {
                // Fail-stop for this member only: it leaves the thread, its owner is told (and closes the node);
                // the members after it still get their duty cycle.
                retire(m);
                work++;
                try {
                    m.errorHandler.onError(t);
                } catch (Throwable handlerError) {
                    LOG.log(System.Logger.Level.ERROR, "pontoon " + m.name() + ": error handler threw", handlerError);
                }
            }
        }
        return work;
    }

    /** Takes {@code m} off this thread and runs its onClose: on this thread, or once the thread has ended. */
    void retire(SharedThreads.Member m) {
        remove(m);
        m.closeAgentOnce();
        m.markLeft();
    }

    /** The thread is stopping (SharedThreads.close): members still here are closed as if they had left. */
    @Override
    public void onClose() {
        for (SharedThreads.Member m : members) {
            retire(m);
        }
    }

    /** Only a bug in this class gets here: members' throwables are caught in {@link #doWork()}. */
    void onOwnError(Throwable t) {
        LOG.log(System.Logger.Level.ERROR, roleName + ": error in the shared Raft thread", t);
    }

    @Override
    public String roleName() {
        return roleName;
    }
}
