package io.pontoon.testkit.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a history for linearizability against a sequential {@link Model}: is there an order of the operations
 * that respects real time (an operation that completed before another was invoked comes first) and in which every
 * step is legal in the model? {@code fail} operations are left out (they did not take effect); {@code info} ones
 * (and operations never completed) may be placed anywhere after their invoke, or left out.
 *
 * <p>The history is split by {@link Model#partition} (each key on its own for the KV, as Porcupine does: a history
 * is linearizable if and only if each key's sub-history is) and each part is searched with the Wing–Gong / Lowe
 * algorithm ({@link LinearizationSearch}). When a part is not linearizable, the checker finds the shortest prefix
 * of it that is already not linearizable and reports it as a {@link Counterexample}.
 *
 * <p>The search is exponential in the worst case (linearizability checking is NP-complete), but with a bounded
 * number of concurrent clients and Lowe's cache it is fast in practice. A checker holds no state between calls;
 * {@link #check} runs on the calling thread.
 *
 * @param <S> the model's state
 */
public final class LinearizabilityChecker<S> {
    private final Model<S> model;

    public LinearizabilityChecker(Model<S> model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** A checker for the KV's read, write and cas ({@link KvModel}). */
    public static LinearizabilityChecker<Object> forKv() {
        return new LinearizabilityChecker<>(new KvModel());
    }

    /** Checks the history's operations so far; the history may still be recording. */
    public CheckResult check(History history) {
        return check(history.operations());
    }

    /** Checks operations taken from one history (their event positions must be those of that history). */
    public CheckResult check(List<Operation> operations) {
        final Map<String, List<Operation>> partitions = new LinkedHashMap<>();
        int checked = 0;
        for (Operation op : operations) {
            if (relevant(op)) {
                partitions.computeIfAbsent(model.partition(op), k -> new ArrayList<>()).add(op);
                checked++;
            }
        }
        final List<Counterexample> counterexamples = new ArrayList<>();
        for (Map.Entry<String, List<Operation>> part : partitions.entrySet()) {
            final List<Operation> all = part.getValue();
            all.sort((a, b) -> Integer.compare(a.invokeEvent(), b.invokeEvent()));
            final List<Operation> ops = model.prune(all);
            if (!new LinearizationSearch<>(model, ops).run()) {
                counterexamples.add(counterexample(part.getKey(), ops));
            }
        }
        return new CheckResult(checked, partitions.size(), counterexamples);
    }

    private boolean relevant(Operation op) {
        return !(op.outcome() == Event.Type.FAIL || op.isInfo() && model.isReadOnly(op));
    }

    /**
     * The shortest failing prefix of a partition that is not linearizable: whether a prefix is linearizable only
     * changes from yes to no as it grows, and only at an ok completion, so a binary search over those finds it.
     */
    private Counterexample counterexample(String partition, List<Operation> ops) {
        final int[] cuts = ops.stream().filter(Operation::isOk).mapToInt(Operation::completeEvent).sorted().toArray();
        int lo = 0;
        int hi = cuts.length - 1; // the whole partition fails, and its last ok completion is cuts[hi]
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (new LinearizationSearch<>(model, prefix(ops, cuts[mid])).run()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        final List<Operation> failing = prefix(ops, cuts[lo]);
        final LinearizationSearch<S> search = new LinearizationSearch<>(model, failing);
        search.run();
        return explain(partition, failing, cuts[lo], search.bestOrder());
    }

    /** The partition as it stood at event {@code last}: later invokes are gone, later completions unknown. */
    private List<Operation> prefix(List<Operation> ops, int last) {
        final List<Operation> prefix = new ArrayList<>();
        for (Operation op : ops) {
            if (op.invokeEvent() > last) {
                break;
            }
            final Operation cut = op.isPending() || op.completeEvent() > last ? op.asUnknown() : op;
            if (relevant(cut)) {
                prefix.add(cut);
            }
        }
        return model.prune(prefix);
    }

    private Counterexample explain(String partition, List<Operation> ops, int lastEvent, int[] order) {
        final List<Operation> linearized = new ArrayList<>(order.length);
        final List<String> states = new ArrayList<>(order.length);
        final boolean[] placed = new boolean[ops.size()];
        S state = model.init();
        for (int i : order) {
            placed[i] = true;
            state = model.step(state, ops.get(i)).next();
            linearized.add(ops.get(i));
            states.add(model.describe(state));
        }
        // the unplaced ok operation that completed first had to come next at the latest
        int deadline = Integer.MAX_VALUE;
        Operation culprit = null;
        for (int i = 0; i < ops.size(); i++) {
            final Operation op = ops.get(i);
            if (!placed[i] && op.isOk() && op.completeEvent() < deadline) {
                deadline = op.completeEvent();
            }
            if (op.isOk() && op.completeEvent() == lastEvent) {
                culprit = op;
            }
        }
        final List<Counterexample.Unplaced> unplaced = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (placed[i]) {
                continue;
            }
            final Operation op = ops.get(i);
            final Counterexample.Verdict verdict;
            if (op.invokeEvent() > deadline) {
                verdict = Counterexample.Verdict.INVOKED_TOO_LATE;
            } else if (model.step(state, op).isLegal()) {
                verdict = Counterexample.Verdict.DEAD_END;
            } else {
                verdict = Counterexample.Verdict.ILLEGAL;
            }
            unplaced.add(new Counterexample.Unplaced(op, verdict));
        }
        return new Counterexample(partition, lastEvent, culprit, ops.size(), linearized, states,
            model.describe(state), unplaced);
    }
}
