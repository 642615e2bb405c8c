package io.pontoon.testkit.history;

import java.util.List;
import java.util.Optional;

/** What {@link LinearizabilityChecker#check} found: linearizable, or a counterexample for each key that is not. */
public final class CheckResult {
    private final int operations;
    private final int keys;
    private final List<Counterexample> counterexamples;

    CheckResult(int operations, int keys, List<Counterexample> counterexamples) {
        this.operations = operations;
        this.keys = keys;
        this.counterexamples = List.copyOf(counterexamples);
    }

    public boolean linearizable() {
        return counterexamples.isEmpty();
    }

    /** The operations checked: all but the {@code fail} ones and the {@code info} reads. */
    public int operations() {
        return operations;
    }

    /** The partitions (keys) checked, each on its own. */
    public int keys() {
        return keys;
    }

    /** One counterexample per key that is not linearizable, in the order of the keys' first invokes. */
    public List<Counterexample> counterexamples() {
        return counterexamples;
    }

    /** The first key's counterexample, if any. */
    public Optional<Counterexample> counterexample() {
        return counterexamples.stream().findFirst();
    }

    /** One line if linearizable; otherwise the keys that are not and the first key's counterexample. */
    @Override
    public String toString() {
        final String summary = operations + " operations over " + keys + " keys";
        if (linearizable()) {
            return "linearizable: " + summary;
        }
        final StringBuilder sb = new StringBuilder("NOT linearizable: ").append(summary).append("; ")
            .append(counterexamples.size()).append(counterexamples.size() == 1 ? " key fails: " : " keys fail: ");
        for (int i = 0; i < counterexamples.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(HistoryJson.formatValue(counterexamples.get(i).key()));
        }
        return sb.append('\n').append(counterexamples.get(0)).toString();
    }
}
