package io.pontoon.testkit.history;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * The Wing–Gong search with Lowe's improvements, for one partition (G. Lowe, "Testing for linearizability", 2017;
 * Porcupine's {@code checkSingle}). The history is a doubly linked list of call and return entries in real-time
 * order. At each point of the search, the candidates are the calls before the first return entry: an operation that
 * returned before another was invoked must come first. A candidate the model can take from the current state is
 * linearized, its call and return are lifted out of the list, and the search goes on from the new point; when no
 * candidate is left, the operation of the first return cannot be placed in time, so the last choice is undone and
 * its next sibling tried. Lowe's cache of (linearized set, state) pairs prunes every point already reached by
 * another order.
 *
 * <p>Two orderings keep the search short on real histories without changing what it can find. First, an ok
 * read-only operation that is legal now is placed at once, with no alternatives tried (it changes nothing, and every
 * operation that must precede it is already placed, so any linearization can be reordered to start with it); without
 * this the search tries every subset of the pending reads before each write, which took a one-key history from
 * 0.2 s to minutes. Second, the operation of the first return, which must be placed soonest, is tried first (Lowe's
 * just-in-time linearization).
 *
 * <p>An {@code info} operation has no return entry (its response time is +infinity): it can be placed at any point
 * after its call, and the search succeeds as soon as every {@code ok} operation is placed, leaving out the info ones
 * it never needed.
 */
final class LinearizationSearch<S> {
    private static final int HEAD = 0;
    private static final int NIL = -1;
    /** The phases of the walk over one point's candidates. */
    private static final int URGENT = 0;
    private static final int CALLS = 1;
    /** A legal read was placed here: no other candidate needs trying. */
    private static final int EXHAUSTED = 2;

    private final Model<S> model;
    private final Operation[] ops;
    /** Entry links; entry 0 is the head sentinel. */
    private final int[] next;
    private final int[] prev;
    /** The entry's operation. */
    private final int[] opOf;
    /** A call entry's return entry (NIL for an info operation); NIL for a return entry. */
    private final int[] returnOf;
    private final boolean[] isCall;
    /** An operation's call entry. */
    private final int[] callOf;
    /** The operation is ok and read-only ({@link Model#isReadOnly}). */
    private final boolean[] okRead;

    private int[] bestOrder = new int[0];

    LinearizationSearch(Model<S> model, List<Operation> operations) {
        this.model = model;
        this.ops = operations.toArray(new Operation[0]);
        int entries = 0;
        final long[] sorted = new long[ops.length * 2];
        for (int i = 0; i < ops.length; i++) {
            // the position in the history in the high bits: events are in real-time order, no two share a position
            sorted[entries++] = ((long) ops[i].invokeEvent() << 32) | ((long) i << 1);
            if (ops[i].isOk()) {
                sorted[entries++] = ((long) ops[i].completeEvent() << 32) | ((long) i << 1) | 1;
            }
        }
        Arrays.sort(sorted, 0, entries);
        next = new int[entries + 1];
        prev = new int[entries + 1];
        opOf = new int[entries + 1];
        returnOf = new int[entries + 1];
        isCall = new boolean[entries + 1];
        callOf = new int[ops.length];
        okRead = new boolean[ops.length];
        for (int e = 1; e <= entries; e++) {
            final long k = sorted[e - 1];
            final int op = (int) ((k & 0xFFFF_FFFFL) >>> 1);
            opOf[e] = op;
            isCall[e] = (k & 1) == 0;
            returnOf[e] = NIL;
            if (isCall[e]) {
                callOf[op] = e;
            } else {
                returnOf[callOf[op]] = e;
            }
        }
        for (int e = 0; e <= entries; e++) {
            next[e] = e == entries ? NIL : e + 1;
            prev[e] = e - 1;
        }
        for (int i = 0; i < ops.length; i++) {
            okRead[i] = ops[i].isOk() && model.isReadOnly(ops[i]);
        }
    }

    /** True if the operations have a linearization; if not, {@link #bestOrder()} is the longest one found. */
    boolean run() {
        final Operation[] ops = this.ops;
        final long[] linearized = new long[(ops.length + 63) >>> 6];
        final HashSet<Configuration> cache = new HashSet<>();
        final Frame[] stack = new Frame[ops.length];
        int depth = 0;
        int bestDepth = 0;
        boolean bestUnsaved = false;
        int okLeft = 0;
        for (Operation op : ops) {
            okLeft += op.isOk() ? 1 : 0;
        }
        if (okLeft == 0) {
            return true;
        }
        S state = model.init();
        // the walk over this point's candidates
        int firstReturn = firstReturn();
        int phase = URGENT;
        int cursor = NIL;
        while (true) {
            int candidate = NIL;
            if (phase == URGENT) {
                candidate = legalRead(state);
                if (candidate != NIL) {
                    phase = EXHAUSTED;
                } else {
                    candidate = callOf[opOf[firstReturn]];
                    phase = CALLS;
                    cursor = next[HEAD];
                }
            } else if (phase == CALLS) {
                if (cursor == callOf[opOf[firstReturn]]) {
                    cursor = next[cursor]; // tried first
                }
                if (cursor != NIL && isCall[cursor]) {
                    candidate = cursor;
                    cursor = next[cursor];
                }
            }
            if (candidate != NIL) {
                final int op = opOf[candidate];
                final StepResult<S> step = model.step(state, ops[op]);
                if (!step.isLegal()) {
                    continue;
                }
                linearized[op >>> 6] |= 1L << op;
                if (!cache.add(new Configuration(linearized, step.next()))) {
                    linearized[op >>> 6] &= ~(1L << op);
                    continue; // reached before by another order, and it failed
                }
                stack[depth++] = new Frame(candidate, state, firstReturn, phase, cursor);
                if (depth > bestDepth) {
                    bestDepth = depth;
                    bestUnsaved = true;
                }
                state = step.next();
                lift(candidate);
                if (ops[op].isOk() && --okLeft == 0) {
                    bestOrder = orderOf(stack, depth);
                    return true;
                }
                firstReturn = firstReturn();
                phase = URGENT;
                continue;
            }
            // no candidate left here: undo the last choice and go on with its next sibling
            if (bestUnsaved) {
                bestOrder = orderOf(stack, depth); // the first step back from a new deepest point
                bestUnsaved = false;
            }
            if (depth == 0) {
                return false;
            }
            final Frame f = stack[--depth];
            stack[depth] = null;
            @SuppressWarnings("unchecked") final S previous = (S) f.state;
            state = previous;
            final int op = opOf[f.entry];
            linearized[op >>> 6] &= ~(1L << op);
            okLeft += ops[op].isOk() ? 1 : 0;
            unlift(f.entry);
            firstReturn = f.firstReturn;
            phase = f.phase;
            cursor = f.cursor;
        }
    }

    /** The longest order of operations (indices into the list given) found legal, in linearization order. */
    int[] bestOrder() {
        return bestOrder;
    }

    /**
     * A candidate that is an ok read legal in {@code state}, or NIL. Placing it now loses nothing: it leaves the
     * state as it is, and every operation that must precede it is already placed.
     */
    private int legalRead(S state) {
        for (int e = next[HEAD]; isCall[e]; e = next[e]) {
            if (okRead[opOf[e]] && model.step(state, ops[opOf[e]]).isLegal()) {
                return e;
            }
        }
        return NIL;
    }

    /** The first return entry: its operation has to be placed before any operation invoked after it returned. */
    private int firstReturn() {
        int e = next[HEAD];
        while (isCall[e]) {
            e = next[e];
        }
        return e;
    }

    private int[] orderOf(Frame[] stack, int depth) {
        final int[] order = new int[depth];
        for (int i = 0; i < depth; i++) {
            order[i] = opOf[stack[i].entry];
        }
        return order;
    }

    private void lift(int call) {
        unlink(call);
        if (returnOf[call] != NIL) {
            unlink(returnOf[call]);
        }
    }

    /** Undoes {@link #lift} (dancing links: lifted entries still point at their old neighbours). */
    private void unlift(int call) {
        if (returnOf[call] != NIL) {
            relink(returnOf[call]);
        }
        relink(call);
    }

    private void unlink(int e) {
        next[prev[e]] = next[e];
        if (next[e] != NIL) {
            prev[next[e]] = prev[e];
        }
    }

    private void relink(int e) {
        next[prev[e]] = e;
        if (next[e] != NIL) {
            prev[next[e]] = e;
        }
    }

    /** One choice on the search path: the entry placed, and the walk it was placed from, to resume there. */
    private record Frame(int entry, Object state, int firstReturn, int phase, int cursor) {
    }

    /**
     * A node of Lowe's cache: the set of operations linearized so far and the state they lead to. Operations are
     * mostly linearized in invoke order, so the set is kept as its number of leading all-ones words and the words
     * after them up to the last non-zero one: a few words, even for a partition of 10,000 operations.
     */
    private static final class Configuration {
        private final int fullWords;
        private final long[] rest;
        private final Object state;
        private final int hash;

        Configuration(long[] linearized, Object state) {
            int first = 0;
            while (first < linearized.length && linearized[first] == -1L) {
                first++;
            }
            int last = linearized.length;
            while (last > first && linearized[last - 1] == 0) {
                last--;
            }
            this.fullWords = first;
            this.rest = Arrays.copyOfRange(linearized, first, last);
            this.state = state;
            this.hash = 31 * (31 * first + Arrays.hashCode(rest)) + Objects.hashCode(state);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Configuration c && hash == c.hash && fullWords == c.fullWords
                && Arrays.equals(rest, c.rest) && Objects.equals(state, c.state);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
