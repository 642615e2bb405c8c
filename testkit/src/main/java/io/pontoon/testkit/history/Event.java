package io.pontoon.testkit.history;

import java.util.Locale;

/**
 * One line of a history: a process invoking an operation, or the operation's completion. Events are immutable and
 * safe to share between threads.
 *
 * @param process the client (Jepsen's process) that runs the operation; one operation at a time per process
 * @param type    invoke, or how the operation completed
 * @param f       the function: {@code read}, {@code write} or {@code cas} for the KV; any name for other models
 * @param key     the key the operation acts on
 * @param value   the argument on an invoke ({@code null} for a read, {@code [old, new]} for a cas); the result on an
 *                {@code ok} (the value read, {@code null} if absent); the invoke's argument on {@code fail} and
 *                {@code info}. Only {@code null}, {@link String}, {@link Boolean}, {@link Long} and lists of these.
 * @param timeNs  when it happened, from the recorder's clock ({@link System#nanoTime()} by default)
 */
public record Event(int process, Type type, String f, String key, Object value, long timeNs) {

    /** The four Jepsen event types. */
    public enum Type {
        /** The process sent the operation. */
        INVOKE,
        /** The operation took effect, once, between its invoke and this event. */
        OK,
        /** The operation certainly did not take effect (a cas that found another value, a refused request). */
        FAIL,
        /**
         * The outcome is unknown (a timeout, a lost connection): the operation may take effect at any time after
         * its invoke, or never.
         */
        INFO;

        private final String jsonName = name().toLowerCase(Locale.ROOT);

        /** The name used in the JSONL file: {@code invoke}, {@code ok}, {@code fail}, {@code info}. */
        public String jsonName() {
            return jsonName;
        }

        /** The type with this JSONL name, or null if there is none. */
        static Type ofJsonName(String name) {
            for (Type t : values()) {
                if (t.jsonName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    public Event {
        if (type == null || f == null || key == null) {
            throw new IllegalArgumentException("an event needs a type, an f and a key: type=" + type + " f=" + f
                + " key=" + key);
        }
        value = Values.normalize(value);
    }

    /** The event as one JSONL line (without the newline). */
    @Override
    public String toString() {
        return HistoryJson.format(this);
    }
}
