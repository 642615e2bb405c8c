package io.pontoon.testkit.history;

import java.util.Objects;

/**
 * One operation of a history: an invoke paired with its completion, as a {@link Model} sees it.
 *
 * @param process       the client that ran it
 * @param f             the function ({@code read}, {@code write}, {@code cas} for the KV)
 * @param key           the key
 * @param input         the invoke's value ({@code null} for a read, {@code [old, new]} for a cas)
 * @param output        the {@code ok} event's value (what a read returned); {@code null} unless {@link #isOk()}
 * @param outcome       {@link Event.Type#OK}, {@link Event.Type#FAIL} or {@link Event.Type#INFO} (also for an
 *                      operation the history never completed)
 * @param invokeNs      the invoke's time
 * @param completeNs    the completion's time, {@link Long#MAX_VALUE} if the operation never completed
 * @param invokeEvent   the invoke's 0-based position in the history (its JSONL line is {@code invokeEvent + 1})
 * @param completeEvent the completion's 0-based position, {@link #NOT_COMPLETED} if the history has none
 */
public record Operation(int process, String f, String key, Object input, Object output, Event.Type outcome,
                        long invokeNs, long completeNs, int invokeEvent, int completeEvent) {
    /** {@link #completeEvent()} of an operation that has no completion in the history. */
    public static final int NOT_COMPLETED = -1;

    public Operation {
        if (outcome == Event.Type.INVOKE) {
            throw new IllegalArgumentException("an operation's outcome is ok, fail or info, not invoke");
        }
    }

    /** It took effect exactly once, between its invoke and its completion, and returned {@link #output()}. */
    public boolean isOk() {
        return outcome == Event.Type.OK;
    }

    /** Its outcome is unknown: it may take effect at any time after its invoke, or never. */
    public boolean isInfo() {
        return outcome == Event.Type.INFO;
    }

    /** The history ends before it completed (the checker treats it as {@code info}). */
    public boolean isPending() {
        return completeEvent == NOT_COMPLETED;
    }

    /** The same operation as if its outcome were unknown. */
    Operation asUnknown() {
        return new Operation(process, f, key, input, null, Event.Type.INFO, invokeNs, Long.MAX_VALUE, invokeEvent,
            NOT_COMPLETED);
    }

    /** Like {@code p2 read "x" -> 1 (events 7-9)}, {@code p0 cas "x" [1,2] (info, events 3-)}. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        sb.append('p').append(process).append(' ').append(f).append(' ');
        HistoryJson.appendValue(sb, key);
        if (input != null) {
            sb.append(' ');
            HistoryJson.appendValue(sb, input);
        }
        if (isOk() && ("read".equals(f) || !Objects.equals(output, input))) {
            sb.append(" -> ");
            HistoryJson.appendValue(sb, output);
        }
        sb.append(" (");
        if (!isOk()) {
            sb.append(isPending() ? "never completed, " : outcome.jsonName() + ", ");
        }
        sb.append("events ").append(invokeEvent + 1).append('-');
        if (!isPending()) {
            sb.append(completeEvent + 1);
        }
        return sb.append(')').toString();
    }
}
