package io.pontoon.testkit.history;

import java.util.List;

/**
 * Why one partition (one key, for the KV) of a history is not linearizable, in the style of Knossos and Porcupine:
 * the shortest prefix of the key's history that is already not linearizable, which ends with the completion of
 * {@link #culprit()}; the longest legal order of its operations the search found; and the operations that could
 * not come after that order, each with the reason. {@link #toString()} formats it for people.
 */
public final class Counterexample {
    /** How many operations of a long order {@link #toString()} prints (the last ones). */
    private static final int SHOWN_LINEARIZED = 12;
    private static final int SHOWN_UNPLACED = 20;

    /** Why an operation could not come after the longest legal order found. */
    public enum Verdict {
        /** The model says the operation cannot run on the state the order leaves (e.g. a read of another value). */
        ILLEGAL,
        /** It can run, but no order of the remaining operations follows from there. */
        DEAD_END,
        /** It was invoked after another unplaced operation had completed, so that one must come first. */
        INVOKED_TOO_LATE
    }

    /** An operation left out of the longest order, and why. */
    public record Unplaced(Operation operation, Verdict verdict) {
    }

    private final String key;
    private final int lastEvent;
    private final Operation culprit;
    private final int prefixOperations;
    private final List<Operation> linearized;
    private final List<String> states;
    private final String stateAfter;
    private final List<Unplaced> unplaced;

    Counterexample(String key, int lastEvent, Operation culprit, int prefixOperations, List<Operation> linearized,
                   List<String> states, String stateAfter, List<Unplaced> unplaced) {
        this.key = key;
        this.lastEvent = lastEvent;
        this.culprit = culprit;
        this.prefixOperations = prefixOperations;
        this.linearized = List.copyOf(linearized);
        this.states = List.copyOf(states);
        this.stateAfter = stateAfter;
        this.unplaced = List.copyOf(unplaced);
    }

    /** The partition: the key, for the KV. */
    public String key() {
        return key;
    }

    /**
     * The 0-based position of the event that makes the key's history not linearizable: up to the event before it,
     * it is.
     */
    public int lastEvent() {
        return lastEvent;
    }

    /** The ok operation whose completion is {@link #lastEvent()}. */
    public Operation culprit() {
        return culprit;
    }

    /** The longest legal order found for the failing prefix, in linearization order. */
    public List<Operation> linearized() {
        return linearized;
    }

    /** The model's state after {@link #linearized()}. */
    public String stateAfter() {
        return stateAfter;
    }

    /** The failing prefix's operations that are not in {@link #linearized()}, in invoke order. */
    public List<Unplaced> unplaced() {
        return unplaced;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        sb.append("key ").append(HistoryJson.formatValue(key)).append(" is not linearizable. Its history is")
            .append(" linearizable up to event ").append(lastEvent).append(", and not from event ").append(lastEvent + 1)
            .append(" on,\nthe completion of ").append(culprit).append(".\n");
        sb.append("Longest legal order found for its ").append(prefixOperations).append(" operations up to there (")
            .append(linearized.size()).append(" placed):\n");
        final int skipped = Math.max(0, linearized.size() - SHOWN_LINEARIZED);
        if (skipped > 0) {
            sb.append("  ... ").append(skipped).append(" earlier operations\n");
        }
        for (int i = skipped; i < linearized.size(); i++) {
            final String op = linearized.get(i).toString();
            sb.append("  ").append(op).append(" ".repeat(Math.max(1, 48 - op.length())))
                .append("-> ").append(states.get(i)).append('\n');
        }
        if (linearized.isEmpty()) {
            sb.append("  (none)\n");
        }
        sb.append("After it the state is ").append(stateAfter).append(", and none of these can come next:\n");
        for (int i = 0; i < Math.min(unplaced.size(), SHOWN_UNPLACED); i++) {
            final Unplaced u = unplaced.get(i);
            final String op = u.operation().toString();
            sb.append("  ").append(op).append(" ".repeat(Math.max(1, 48 - op.length()))).append(reason(u.verdict()))
                .append('\n');
        }
        if (unplaced.size() > SHOWN_UNPLACED) {
            sb.append("  ... ").append(unplaced.size() - SHOWN_UNPLACED).append(" more\n");
        }
        sb.append("(Events are numbered from 1 in the history's order: the lines of its JSONL file.)");
        return sb.toString();
    }

    private String reason(Verdict verdict) {
        return switch (verdict) {
            case ILLEGAL -> "illegal in state " + stateAfter;
            case DEAD_END -> "legal, but nothing legal follows";
            case INVOKED_TOO_LATE -> "invoked after an unplaced operation completed";
        };
    }
}
