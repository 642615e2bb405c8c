package io.pontoon.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The lost wake-up (issue 8, item 6). The park bound is an hour, so a wake-up that is lost parks the
 * thread for an hour and the {@code @Timeout} (a liveness guard, not a timing assertion) fails the test;
 * a wake-up that is kept returns at once. No spins or yields: the first idle call goes straight to park.
 */
class WakeableIdleStrategyTest {
    private static final long ONE_HOUR_NS = TimeUnit.HOURS.toNanos(1);

    /**
     * The race the Raft thread loses without the fix: its duty cycle reads durableIndex (unchanged), the
     * journal thread publishes a new durableIndex and calls wake() while the Raft thread is not yet
     * parked, and then the Raft thread parks. The ring is empty, so re-checking it does not help.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void wakeThatLandsBetweenTheDutyCycleAndTheParkIsNotLost() {
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(0, 0, ONE_HOUR_NS, () -> false);
        idle.wake();      // journal thread: durable index advanced, Raft thread is between doWork and park
        idle.idle(0);     // Raft thread: must not sleep through the wake-up
    }

    /** The same race on the second and later parks, once the strategy knows its owner thread. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void everyWakeBeforeAParkCancelsThatPark() {
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(0, 0, ONE_HOUR_NS, () -> false);
        for (int i = 0; i < 1_000; i++) {
            idle.wake();
            idle.idle(0);
        }
    }

    /** A wake-up is consumed by the park it cancels: it does not cancel the next one as well. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aWakeCancelsOneParkOnly() throws Exception {
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(0, 0, ONE_HOUR_NS, () -> false);
        final AtomicInteger parksEnded = new AtomicInteger();
        final Thread raft = new Thread(() -> {
            idle.wake();
            idle.idle(0);             // cancelled by the wake above
            parksEnded.incrementAndGet();
            idle.idle(0);             // parks until the main thread wakes it
            parksEnded.incrementAndGet();
        }, "raft");
        raft.setDaemon(true); // without the fix it would stay parked for an hour
        raft.start();
        awaitParked(raft);
        assertEquals(1, parksEnded.get(), "the second idle call should be parked");
        idle.wake();                  // any wake source: ring producer, journal thread, status request
        raft.join();
        assertEquals(2, parksEnded.get());
    }

    /** The inbound ring stays covered: pending work there cancels the park without any wake() call. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void pendingRingWorkCancelsThePark() {
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(0, 0, ONE_HOUR_NS, () -> true);
        idle.idle(0);
    }

    /** A wake() from another thread while the owner is parked ends the park. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void wakeUnparksAParkedOwner() throws Exception {
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(0, 0, ONE_HOUR_NS, () -> false);
        final Thread raft = new Thread(() -> idle.idle(0), "raft");
        raft.setDaemon(true);
        raft.start();
        awaitParked(raft);
        idle.wake();
        raft.join();
        assertFalse(raft.isAlive());
    }

    /** Waits (on a condition, with the class timeout as the deadline) until {@code t} is parked. */
    private static void awaitParked(Thread t) {
        while (t.getState() != Thread.State.TIMED_WAITING) {
            if (!t.isAlive()) {
                throw new AssertionError(t.getName() + " ended before parking");
            }
            Thread.onSpinWait();
        }
    }
}
