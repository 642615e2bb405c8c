package io.pontoon.testkit.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The values a history can hold, as JSON can write them: {@code null}, {@link String}, {@link Boolean}, integers
 * (kept as {@link Long} so that {@code 1} and {@code 1L} compare equal in a model) and lists of these (which may
 * hold nulls: a cas from an absent key is {@code [null, "v"]}).
 */
final class Values {
    private Values() {
    }

    /** The value in its one stored form; throws if its type cannot be written to a history file. */
    static Object normalize(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof List<?> list) {
            final List<Object> copy = new ArrayList<>(list.size());
            for (Object element : list) {
                copy.add(normalize(element));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException("a history value must be null, a String, a Boolean, an integer or a List"
            + " of these, but was a " + value.getClass().getName() + ": " + value);
    }

    /** The cas argument {@code [expected, update]}. */
    static List<Object> pair(Object expected, Object update) {
        final List<Object> pair = new ArrayList<>(2);
        pair.add(normalize(expected));
        pair.add(normalize(update));
        return Collections.unmodifiableList(pair);
    }
}
