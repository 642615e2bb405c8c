package io.pontoon.runtime;

import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared Raft threads with stand-in agents: placement, leaving, isolation of a failing member, closing, and the
 * shared idle check. Every wait is on a condition with a deadline; {@code @Timeout} is a liveness guard only.
 */
class SharedThreadsTest {
    /** A stand-in for a node's RaftAgent: counts its duty cycles, records where onClose ran. */
    static final class CountingAgent implements Agent {
        final AtomicLong cycles = new AtomicLong();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicReference<String> closedOn = new AtomicReference<>();
        volatile Throwable throwOnNextCycle;

        @Override
        public int doWork() {
            final Throwable t = throwOnNextCycle;
            if (t != null) {
                throwOnNextCycle = null;
                if (t instanceof Error) {
                    throw (Error) t;
                }
                throw (RuntimeException) t;
            }
            cycles.incrementAndGet();
            return 0;
        }

        @Override
        public void onClose() {
            closes.incrementAndGet();
            closedOn.set(Thread.currentThread().getName());
        }

        @Override
        public String roleName() {
            return "counting";
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anErrorFromOneMemberClosesThatMemberOnlyAndTheOthersKeepRunning() {
        try (SharedThreads threads = SharedThreads.start(1)) {
            final CountingAgent failing = new CountingAgent();
            final CountingAgent healthy = new CountingAgent();
            final AtomicReference<Throwable> reported = new AtomicReference<>();
            final SharedThreads.Member f = threads.newMember("failing");
            final SharedThreads.Member h = threads.newMember("healthy");
            f.start(failing, () -> false, reported::set);
            h.start(healthy, () -> false, t -> { throw new AssertionError("healthy member failed", t); });
            awaitCondition(() -> failing.cycles.get() > 0 && healthy.cycles.get() > 0, "both members run");
            final Error error = new Error("test: a member's duty cycle throws an Error");
            failing.throwOnNextCycle = error;
            f.wake();
            awaitCondition(() -> reported.get() != null, "the failing member's error handler is called");
            assertSame(error, reported.get());
            assertTrue(f.hasLeft(), "the failing member is off the thread before its handler is told");
            assertEquals(1, failing.closes.get(), "the failing member's onClose ran once");
            assertEquals("pontoon-raft-shared-0", failing.closedOn.get());
            assertEquals(1, threads.memberCount(0));
            final long seen = healthy.cycles.get();
            awaitCondition(() -> healthy.cycles.get() > seen + 10, "the healthy member keeps running after the Error");
            final long failedCycles = failing.cycles.get();
            h.wake();
            awaitCondition(() -> healthy.cycles.get() > seen + 20, "more healthy cycles");
            assertEquals(failedCycles, failing.cycles.get(), "a failed member never runs again");
            f.leave(); // idempotent after a failure: returns at once
            assertEquals(1, failing.closes.get());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void leaveRunsOnCloseOnTheSharedThreadAndTheOthersKeepRunning() {
        try (SharedThreads threads = SharedThreads.start(1)) {
            final CountingAgent leaving = new CountingAgent();
            final CountingAgent staying = new CountingAgent();
            final SharedThreads.Member l = threads.newMember("leaving");
            final SharedThreads.Member s = threads.newMember("staying");
            l.start(leaving, () -> false, t -> { throw new AssertionError(t); });
            s.start(staying, () -> false, t -> { throw new AssertionError(t); });
            awaitCondition(() -> leaving.cycles.get() > 0, "the leaving member runs");
            l.leave();
            assertTrue(l.hasLeft());
            assertEquals(1, leaving.closes.get(), "onClose ran before leave() returned");
            assertEquals("pontoon-raft-shared-0", leaving.closedOn.get(), "onClose ran on the shared thread");
            assertEquals(1, threads.memberCount(0));
            final long seen = staying.cycles.get();
            awaitCondition(() -> staying.cycles.get() > seen + 10, "the staying member keeps running");
            l.leave();
            assertEquals(1, leaving.closes.get(), "leave is idempotent");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closingTheThreadsClosesTheMembersStillOnThem() {
        final CountingAgent a = new CountingAgent();
        final SharedThreads.Member m;
        try (SharedThreads threads = SharedThreads.start(2)) {
            m = threads.newMember("a");
            m.start(a, () -> false, t -> { throw new AssertionError(t); });
            awaitCondition(() -> a.cycles.get() > 0, "the member runs");
        }
        assertTrue(m.hasLeft());
        assertEquals(1, a.closes.get());
        m.leave(); // a node closed after its threads: returns at once
        assertEquals(1, a.closes.get());
    }

    @Test
    void membersAreSpreadOverTheThreads() {
        try (SharedThreads threads = SharedThreads.start(2)) {
            final SharedThreads.Member[] members = new SharedThreads.Member[4];
            for (int i = 0; i < members.length; i++) {
                members[i] = threads.newMember("m" + i);
                members[i].start(new CountingAgent(), () -> false, t -> { });
            }
            assertEquals(2, threads.memberCount(0));
            assertEquals(2, threads.memberCount(1));
            // Placement alternates: 0, 1, 0, 1. Emptying thread 0 sends the next member there.
            members[0].leave();
            members[2].leave();
            assertEquals(0, threads.memberCount(0));
            final SharedThreads.Member next = threads.newMember("next");
            next.start(new CountingAgent(), () -> false, t -> { });
            assertEquals(1, threads.memberCount(0), "a new member goes to the thread with fewer members");
            assertEquals(2, threads.memberCount(1));
            assertEquals("pontoon-raft-shared-0", next.threadName());
        }
    }

    @Test
    void badThreadCountIsRejectedWithItsRange() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedThreads.start(0));
        assertEquals("threads must be in [1, 64], got 0", e.getMessage());
    }

    @Test
    void aClosedSharedThreadsTakesNoNewMembers() {
        final SharedThreads threads = SharedThreads.start(1);
        threads.close();
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> threads.newMember("late"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    /**
     * The shared idle check covers every member's ring: pending work of the second member cancels the park (an
     * hour long here, so a miss hangs and the timeout fails the test), without any wake() call.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void pendingWorkOfAnyMemberCancelsTheSharedPark() {
        final SharedRaftAgent shared = new SharedRaftAgent("test", 0, 0, TimeUnit.HOURS.toNanos(1));
        shared.add(standIn(shared, "idle", () -> false));
        shared.add(standIn(shared, "busy", () -> true));
        shared.wakeable.idle(0);
    }

    /** A wake() of any member's handle reaches the one shared strategy: it cancels the next park. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void everyMembersWakeCancelsTheSharedPark() {
        final SharedRaftAgent shared = new SharedRaftAgent("test", 0, 0, TimeUnit.HOURS.toNanos(1));
        final SharedThreads.Member a = standIn(shared, "a", () -> false);
        final SharedThreads.Member b = standIn(shared, "b", () -> false);
        shared.add(a);
        shared.add(b);
        assertSame(a.wakeable(), b.wakeable());
        b.wake();
        shared.wakeable.idle(0);
        a.wake();
        shared.wakeable.idle(0);
        assertFalse(Thread.currentThread().isInterrupted());
    }

    /** A member placed on {@code shared} directly, without threads: for the idle-check tests. */
    private static SharedThreads.Member standIn(SharedRaftAgent shared, String name,
                                              java.util.function.BooleanSupplier pending) {
        final SharedThreads.Member m = new SharedThreads.Member(null, shared, name);
        m.agent = new CountingAgent();
        m.hasPendingWork = pending;
        return m;
    }

    static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
