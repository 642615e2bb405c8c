package io.pontoon.testkit.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Random linearizable KV histories from a simulated atomic store: concurrent processes invoke reads, writes and cas
 * on random keys, each operation takes effect atomically at a random moment between its invoke and its completion,
 * and steps of different processes interleave at random, so operations overlap at random. Some operations time out
 * (info) before or after taking effect, and some of those take effect later still, after their info. Every written
 * value is unique, so a value read names the one operation that wrote it.
 */
final class RandomRegisterHistories {
    private enum Phase { IDLE, INVOKED, APPLIED }

    private record Call(String f, String key, Object input) {
    }

    private RandomRegisterHistories() {
    }

    static History linearizable(long seed, int operations, int processes, int keys) {
        final SplittableRandom random = new SplittableRandom(seed);
        final History h = new History(new AtomicLong()::incrementAndGet);
        final Map<String, Object> store = new HashMap<>();
        final Phase[] phase = new Phase[processes];
        final long[] handle = new long[processes];
        final Call[] invoked = new Call[processes];
        final Object[] result = new Object[processes];
        final boolean[] casFailed = new boolean[processes];
        final List<Call> lateEffects = new ArrayList<>(); // info operations that take effect after their info
        Arrays.fill(phase, Phase.IDLE);
        long nextValue = 1;
        int started = 0;
        int open = 0;
        while (started < operations || open > 0) {
            if (!lateEffects.isEmpty() && random.nextInt(20) == 0) {
                apply(store, lateEffects.remove(random.nextInt(lateEffects.size())));
            }
            final int p = random.nextInt(processes);
            switch (phase[p]) {
                case IDLE -> {
                    if (started == operations) {
                        continue;
                    }
                    final String key = "k" + random.nextInt(keys);
                    final int kind = random.nextInt(10);
                    if (kind < 5) {
                        invoked[p] = new Call(History.READ, key, null);
                    } else if (kind < 8) {
                        invoked[p] = new Call(History.WRITE, key, nextValue++);
                    } else {
                        // usually the current value, sometimes an old one (the cas then fails)
                        final Object expected = random.nextInt(4) == 0 ? random.nextLong(nextValue) : store.get(key);
                        invoked[p] = new Call(History.CAS, key, Values.pair(expected, nextValue++));
                    }
                    handle[p] = h.invoke(p, invoked[p].f(), key, invoked[p].input());
                    phase[p] = Phase.INVOKED;
                    started++;
                    open++;
                }
                case INVOKED -> {
                    if (random.nextInt(50) == 0) {
                        // times out before taking effect: maybe never, maybe later
                        h.info(handle[p]);
                        if (random.nextBoolean() && !History.READ.equals(invoked[p].f())) {
                            lateEffects.add(invoked[p]);
                        }
                        phase[p] = Phase.IDLE;
                        open--;
                    } else {
                        // the linearization point
                        final Object before = store.get(invoked[p].key());
                        casFailed[p] = History.CAS.equals(invoked[p].f())
                            && !Objects.equals(before, ((List<?>) invoked[p].input()).get(0));
                        result[p] = before;
                        if (!casFailed[p]) {
                            apply(store, invoked[p]);
                        }
                        phase[p] = Phase.APPLIED;
                    }
                }
                case APPLIED -> {
                    if (random.nextInt(50) == 0) {
                        h.info(handle[p]); // took effect, but the reply was lost
                    } else if (casFailed[p]) {
                        h.fail(handle[p]);
                    } else if (History.READ.equals(invoked[p].f())) {
                        h.ok(handle[p], result[p]);
                    } else {
                        h.ok(handle[p]);
                    }
                    phase[p] = Phase.IDLE;
                    open--;
                }
                default -> throw new IllegalStateException("phase " + phase[p]);
            }
        }
        return h;
    }

    private static void apply(Map<String, Object> store, Call op) {
        switch (op.f()) {
            case History.WRITE -> store.put(op.key(), op.input());
            case History.CAS -> {
                if (Objects.equals(store.get(op.key()), ((List<?>) op.input()).get(0))) {
                    store.put(op.key(), ((List<?>) op.input()).get(1));
                }
            }
            default -> {
                // a read changes nothing
            }
        }
    }

    /** A history with one read changed to return {@code value}, a value overwritten before the read began. */
    record Stale(History history, Operation read, Object value) {
    }

    /**
     * Changes one ok read to return the value of a write W1 that a later write W2 overwrote before the read was
     * invoked (W1, W2 and the read in real-time order). Values are unique, so nothing else wrote it: not linearizable.
     */
    static Stale staleRead(History h, SplittableRandom random) {
        final List<Operation> ops = h.operations();
        final List<Operation> reads = new ArrayList<>();
        for (Operation op : ops) {
            if (op.isOk() && History.READ.equals(op.f())) {
                reads.add(op);
            }
        }
        final int start = random.nextInt(reads.size());
        for (int i = 0; i < reads.size(); i++) {
            final Operation read = reads.get((start + i) % reads.size());
            final Operation w1 = overwrittenBefore(ops, read);
            if (w1 != null) {
                final List<Event> events = new ArrayList<>(h.events());
                final Event ok = events.get(read.completeEvent());
                events.set(read.completeEvent(), new Event(ok.process(), ok.type(), ok.f(), ok.key(), w1.input(),
                    ok.timeNs()));
                return new Stale(History.of(events), read, w1.input());
            }
        }
        throw new AssertionError("no read has an overwritten write before it");
    }

    private static Operation overwrittenBefore(List<Operation> ops, Operation read) {
        for (Operation w2 : ops) {
            if (!isOkWrite(w2, read.key()) || w2.completeEvent() > read.invokeEvent()) {
                continue;
            }
            for (Operation w1 : ops) {
                if (isOkWrite(w1, read.key()) && w1.completeEvent() < w2.invokeEvent()
                    && !Objects.equals(w1.input(), read.output())) {
                    return w1;
                }
            }
        }
        return null;
    }

    private static boolean isOkWrite(Operation op, String key) {
        return op.isOk() && History.WRITE.equals(op.f()) && op.key().equals(key);
    }
}
