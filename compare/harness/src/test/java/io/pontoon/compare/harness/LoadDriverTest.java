package io.pontoon.compare.harness;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadDriverTest {
    /** Completes every entry at once on the submitting thread; refuses every third submit (back-pressure). */
    private static final class InstantSystem implements ReplicatedSystem {
        final AtomicInteger submits = new AtomicInteger();
        int maxOutstanding;

        @Override
        public String name() {
            return "instant";
        }

        @Override
        public void start(HarnessOptions options, Path dataDir) {
        }

        @Override
        public String setup() {
            return "storage=none";
        }

        @Override
        public boolean submit(byte[] payload, long startNs, Completion completion) {
            if (submits.incrementAndGet() % 3 == 0) {
                return false;
            }
            completion.onCommitted(startNs);
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void closedLoopCountsCommitsAndRetriesBackPressure() {
        final InstantSystem system = new InstantSystem();
        final HarnessOptions options = HarnessOptions.parse("--warmup-seconds", "0", "--smoke", "--seconds", "1",
            "--inflight", "4", "--payload", "16");
        final LoadDriver driver = new LoadDriver(system, options, new PrintStream(new ByteArrayOutputStream()));
        driver.run();
        assertTrue(driver.committedInWindow() > 0);
        assertTrue(driver.backPressured() > 0);
        assertEquals(0, driver.failed());
        assertEquals(0, driver.undrained());
        assertEquals(driver.committedInWindow(), driver.windowLatencyNs().getTotalCount());
        final ResultLine line = HarnessMain.result(system, options, driver);
        assertEquals("instant", line.get("system"));
        assertEquals("true", line.get("smoke"));
    }

    @Test
    void openLoopSendsAtTheOfferedRateAtMost() {
        final InstantSystem system = new InstantSystem();
        final HarnessOptions options = HarnessOptions.parse("--warmup-seconds", "0", "--smoke", "--seconds", "1",
            "--rate", "200");
        final LoadDriver driver = new LoadDriver(system, options, new PrintStream(new ByteArrayOutputStream()));
        driver.run();
        // Due times are t0 + i/200 for i < 200 within one second: never more (the schedule, not the clock, decides).
        assertTrue(driver.sent() <= 201, "sent " + driver.sent());
    }

    /** Completes on its own thread, in batches; records the most requests it ever held at once. */
    private static final class AsyncSystem implements ReplicatedSystem {
        private final java.util.concurrent.ConcurrentLinkedQueue<long[]> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final AtomicInteger held = new AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger maxHeld = new AtomicInteger();
        private final java.util.Set<String> submitterThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean running = true;
        private volatile Completion completion;
        private final Thread completer = new Thread(() -> {
            while (running || !queue.isEmpty()) {
                long[] r;
                int n = 0;
                while ((r = queue.poll()) != null) {
                    held.decrementAndGet();
                    completion.onCommitted(r[0]);
                    n++;
                }
                if (n == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
            }
        }, "async-system");

        @Override
        public String name() {
            return "async";
        }

        @Override
        public void start(HarnessOptions options, Path dataDir) {
            completer.setDaemon(true);
            completer.start();
        }

        @Override
        public String setup() {
            return "storage=none";
        }

        @Override
        public boolean submit(byte[] payload, long startNs, Completion c) {
            completion = c;
            submitterThreads.add(Thread.currentThread().getName());
            maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
            queue.add(new long[] {startNs});
            return true;
        }

        @Override
        public void close() {
            running = false;
        }
    }

    @Test
    void severalSubmittersShareOneInflightLimit() {
        final AsyncSystem system = new AsyncSystem();
        final HarnessOptions options = HarnessOptions.parse("--warmup-seconds", "0", "--smoke", "--seconds", "1",
            "--inflight", "16", "--submitters", "3");
        system.start(options, Path.of("."));
        final LoadDriver driver = new LoadDriver(system, options, new PrintStream(new ByteArrayOutputStream()));
        driver.run();
        system.close();
        assertTrue(driver.committedInWindow() > 0);
        assertTrue(system.maxHeld.get() <= 16, "held at once: " + system.maxHeld.get());
        assertEquals(0, driver.undrained());
        assertEquals(3, system.submitterThreads.size(), "submitted from " + system.submitterThreads);
        assertEquals("3", HarnessMain.result(system, options, driver).get("submitters"));
    }
}
