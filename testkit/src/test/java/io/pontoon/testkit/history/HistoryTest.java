package io.pontoon.testkit.history;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest {
    private final History h = new History(new AtomicLong(100)::incrementAndGet);

    @Test
    void recordsInvokeAndCompletionWithJepsenValues() {
        final long w = h.invokeWrite(0, "k", 5); // an int is kept as a long
        final long r = h.invokeRead(1, "k");
        h.ok(w);
        h.ok(r, null);
        final long c = h.invokeCas(0, "k", 5, "six");
        h.fail(c);
        final long t = h.invoke(1, History.WRITE, "k", true);
        h.info(t);
        assertEquals(List.of(
            new Event(0, Event.Type.INVOKE, "write", "k", 5L, 101),
            new Event(1, Event.Type.INVOKE, "read", "k", null, 102),
            new Event(0, Event.Type.OK, "write", "k", 5L, 103),
            new Event(1, Event.Type.OK, "read", "k", null, 104),
            new Event(0, Event.Type.INVOKE, "cas", "k", List.of(5L, "six"), 105),
            new Event(0, Event.Type.FAIL, "cas", "k", List.of(5L, "six"), 106),
            new Event(1, Event.Type.INVOKE, "write", "k", true, 107),
            new Event(1, Event.Type.INFO, "write", "k", true, 108)), h.events());
        assertEquals("{\"process\":0,\"type\":\"invoke\",\"f\":\"cas\",\"key\":\"k\",\"value\":[5,\"six\"],"
            + "\"time\":105}",
            h.events().get(4).toString());
    }

    @Test
    void operationsPairEachInvokeWithItsCompletionAndLeaveOpenOnesUnknown() {
        final long w = h.invokeWrite(0, "k", 1);
        final long r = h.invokeRead(1, "k");
        h.ok(r, 1);
        h.ok(w);
        h.invokeCas(2, "k", null, 1);
        final List<Operation> ops = h.operations();
        assertEquals(3, ops.size());
        assertEquals(new Operation(0, "write", "k", 1L, 1L, Event.Type.OK, 101, 104, 0, 3), ops.get(0));
        assertEquals(new Operation(1, "read", "k", null, 1L, Event.Type.OK, 102, 103, 1, 2), ops.get(1));
        assertTrue(ops.get(2).isPending() && ops.get(2).isInfo());
        assertEquals(Arrays.asList(null, 1L), ops.get(2).input());
        assertEquals("p1 read \"k\" -> 1 (events 2-3)", ops.get(1).toString());
        assertEquals("p2 cas \"k\" [null,1] (never completed, events 5-)", ops.get(2).toString());
    }

    @Test
    void aProcessRunsOneOperationAtATime() {
        final long w = h.invokeWrite(0, "k", 1);
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.invokeRead(0, "k"));
        assertEquals("process 0 invokes read while its write from event 1 is still open (complete it first, as info"
            + " if unknown)", e.getMessage());
        h.info(w);
        h.invokeRead(0, "k"); // after an info, the process may go on
    }

    @Test
    void anOperationCompletesOnce() {
        final long w = h.invokeWrite(3, "k", 1);
        h.ok(w);
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.fail(w));
        assertEquals("operation 0 (write of process 3) is already completed", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> h.ok(1));
        assertThrows(IllegalArgumentException.class, () -> h.ok(-1));
    }

    @Test
    void badInvokeValuesAreRefusedWithTheReason() {
        assertEquals("a read's invoke has the value null, but this one has 3",
            assertThrows(IllegalArgumentException.class, () -> h.invoke(0, "read", "k", 3)).getMessage());
        assertEquals("a cas's invoke has the value [old,new], but this one has [1]",
            assertThrows(IllegalArgumentException.class, () -> h.invoke(0, "cas", "k", List.of(1))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> h.invokeWrite(0, "k", 1.5)).getMessage()
            .contains("must be null, a String, a Boolean, an integer or a List of these, but was a java.lang.Double"));
        assertEquals(0, h.size());
    }

    @Test
    void aClockThatGoesBackIsRefused() {
        final long[] now = {10};
        final History backwards = new History(() -> now[0]--);
        backwards.invokeWrite(0, "k", 1);
        assertTrue(assertThrows(IllegalStateException.class, () -> backwards.invokeRead(1, "k")).getMessage()
            .startsWith("time 9 is earlier than the time 10 of the event before"));
    }

    @Test
    void threadsRecordingAtOnceKeepEveryEventInRealTimeOrder() throws Exception {
        final History shared = new History();
        final int threads = 8;
        final int opsPerThread = 2_000;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> workers = new ArrayList<>();
        for (int p = 0; p < threads; p++) {
            final int process = p;
            final Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < opsPerThread; i++) {
                    shared.ok(shared.invokeWrite(process, "k" + (i % 4), i));
                }
            });
            t.start();
            workers.add(t);
        }
        start.countDown();
        for (Thread t : workers) {
            t.join();
        }
        final List<Event> events = shared.events();
        assertEquals(threads * opsPerThread * 2, events.size());
        final Map<Integer, Long> next = new HashMap<>();
        long last = Long.MIN_VALUE;
        for (Event e : events) {
            assertTrue(e.timeNs() >= last, "time went back at " + e);
            last = e.timeNs();
            final long n = next.merge(e.process(), 1L, Long::sum) - 1;
            assertEquals(n % 2 == 0 ? Event.Type.INVOKE : Event.Type.OK, e.type(), e.toString());
            assertEquals(n / 2, e.value());
        }
        History.of(events); // and it is a well-formed history
        assertTrue(LinearizabilityChecker.forKv().check(shared).linearizable());
    }

    @Test
    void ofNamesTheEventThatDoesNotFit() {
        final List<Event> events = List.of(
            new Event(0, Event.Type.INVOKE, "read", "k", null, 1),
            new Event(1, Event.Type.OK, "read", "k", 1L, 2));
        assertEquals("event 2: process 1 has no open operation for this ok to complete",
            assertThrows(IllegalArgumentException.class, () -> History.of(events)).getMessage());
    }
}
