package io.pontoon.testkit.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The JSONL form of one event, written and read by hand (the format is fixed and tiny, so the test kit needs no
 * JSON library): {@code {"process":P,"type":"invoke|ok|fail|info","f":"read|write|cas","key":"K","value":V,
 * "time":NANOS}}. The reader accepts the fields in any order and with any JSON white space, ignores fields it does
 * not know (Jepsen tools add some), and takes integers only as numbers.
 */
final class HistoryJson {
    private HistoryJson() {
    }

    static String format(Event e) {
        final StringBuilder sb = new StringBuilder(96);
        sb.append("{\"process\":").append(e.process())
            .append(",\"type\":\"").append(e.type().jsonName())
            .append("\",\"f\":");
        appendString(sb, e.f());
        sb.append(",\"key\":");
        appendString(sb, e.key());
        sb.append(",\"value\":");
        appendValue(sb, e.value());
        sb.append(",\"time\":").append(e.timeNs()).append('}');
        return sb.toString();
    }

    /** A value as JSON; also how counterexamples print values. */
    static String formatValue(Object value) {
        final StringBuilder sb = new StringBuilder();
        appendValue(sb, value);
        return sb.toString();
    }

    static void appendValue(StringBuilder sb, Object value) {
        if (value instanceof String s) {
            appendString(sb, s);
        } else if (value instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendValue(sb, list.get(i));
            }
            sb.append(']');
        } else {
            sb.append(value); // null, Boolean, Long
        }
    }

    private static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Parses one non-blank line; every problem names the line and what is wrong. */
    static Event parse(String line, int lineNumber) throws HistoryFormatException {
        return new Parser(line, lineNumber).event();
    }

    /** A recursive-descent reader for the JSON subset above. */
    private static final class Parser {
        private static final Object ABSENT = new Object();

        private final String s;
        private final int lineNumber;
        private int pos;

        Parser(String s, int lineNumber) {
            this.s = s;
            this.lineNumber = lineNumber;
        }

        Event event() throws HistoryFormatException {
            Object process = ABSENT;
            Object type = ABSENT;
            Object f = ABSENT;
            Object key = ABSENT;
            Object value = ABSENT;
            Object time = ABSENT;
            skipSpace();
            expect('{', "a line must be one JSON object starting with '{'");
            skipSpace();
            if (peek() != '}') {
                while (true) {
                    skipSpace();
                    final String name = string();
                    skipSpace();
                    expect(':', "expected ':' after field \"" + name + "\"");
                    final Object v = value();
                    switch (name) {
                        case "process" -> process = unique(name, process, v);
                        case "type" -> type = unique(name, type, v);
                        case "f" -> f = unique(name, f, v);
                        case "key" -> key = unique(name, key, v);
                        case "value" -> value = unique(name, value, v);
                        case "time" -> time = unique(name, time, v);
                        default -> {
                            // a field this format does not define: ignored
                        }
                    }
                    skipSpace();
                    if (peek() == ',') {
                        pos++;
                    } else {
                        break;
                    }
                }
            }
            expect('}', "expected ',' or '}' after a field");
            skipSpace();
            if (pos < s.length()) {
                throw error("unexpected text after the object at column " + (pos + 1));
            }
            final long processLong = integer("process", process);
            if (processLong < 0 || processLong > Integer.MAX_VALUE) {
                throw error("\"process\" must be an integer from 0 to " + Integer.MAX_VALUE + ", but was "
                    + processLong);
            }
            final String typeName = text("type", type);
            final Event.Type eventType = Event.Type.ofJsonName(typeName);
            if (eventType == null) {
                throw error("\"type\" must be one of invoke, ok, fail, info, but was \"" + typeName + "\"");
            }
            if (value == ABSENT) {
                throw error("the field \"value\" is missing (write \"value\":null for none)");
            }
            return new Event((int) processLong, eventType, text("f", f), text("key", key), value,
                integer("time", time));
        }

        private Object unique(String name, Object previous, Object v) throws HistoryFormatException {
            if (previous != ABSENT) {
                throw error("the field \"" + name + "\" appears twice");
            }
            return v;
        }

        private long integer(String name, Object v) throws HistoryFormatException {
            if (v == ABSENT) {
                throw error("the field \"" + name + "\" is missing");
            }
            if (!(v instanceof Long l)) {
                throw error("\"" + name + "\" must be an integer, but was " + describe(v));
            }
            return l;
        }

        private String text(String name, Object v) throws HistoryFormatException {
            if (v == ABSENT) {
                throw error("the field \"" + name + "\" is missing");
            }
            if (!(v instanceof String str)) {
                throw error("\"" + name + "\" must be a string, but was " + describe(v));
            }
            return str;
        }

        private static String describe(Object v) {
            return v == null ? "null" : formatValue(v);
        }

        private Object value() throws HistoryFormatException {
            skipSpace();
            final char c = peek();
            switch (c) {
                case '"':
                    return string();
                case '[':
                    return array();
                case 'n':
                    literal("null");
                    return null;
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    if (c == '{') {
                        throw error("objects are not supported as values (column " + (pos + 1) + ")");
                    }
                    throw error(pos >= s.length() ? "the line ends where a value was expected"
                        : "unexpected '" + c + "' where a value was expected (column " + (pos + 1) + ")");
            }
        }

        private List<Object> array() throws HistoryFormatException {
            expect('[', "expected '['");
            final List<Object> list = new ArrayList<>();
            skipSpace();
            if (peek() == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            }
            while (true) {
                list.add(value());
                skipSpace();
                final char c = peek();
                pos++;
                if (c == ']') {
                    return Collections.unmodifiableList(list);
                }
                if (c != ',') {
                    throw error("expected ',' or ']' in an array (column " + pos + ")");
                }
            }
        }

        private Long number() throws HistoryFormatException {
            final int start = pos;
            if (peek() == '-') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (pos < s.length() && ".eE".indexOf(s.charAt(pos)) >= 0) {
                throw error("only integers are supported as numbers (column " + (start + 1) + ")");
            }
            final String digits = s.substring(start, pos);
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("\"" + digits + "\" is not an integer that fits in 64 bits (column " + (start + 1) + ")");
            }
        }

        private String string() throws HistoryFormatException {
            expect('"', "expected a string in double quotes");
            final StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("a string is not closed");
                }
                final char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("a string is not closed");
                }
                final char esc = s.charAt(pos++);
                switch (esc) {
                    case '"', '\\', '/' -> sb.append(esc);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("a \\u escape needs four hex digits (column " + (pos - 1) + ")");
                        }
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException e) {
                            throw error("a \\u escape needs four hex digits (column " + (pos - 1) + ")");
                        }
                        pos += 4;
                    }
                    default -> throw error("unknown escape \\" + esc + " in a string (column " + (pos - 1) + ")");
                }
            }
        }

        private void literal(String word) throws HistoryFormatException {
            if (!s.startsWith(word, pos)) {
                throw error("unexpected text at column " + (pos + 1) + " where a value was expected");
            }
            pos += word.length();
        }

        private void expect(char c, String problem) throws HistoryFormatException {
            if (peek() != c) {
                throw error(problem + (pos < s.length() ? " (column " + (pos + 1) + ")" : " (the line ends)"));
            }
            pos++;
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void skipSpace() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private HistoryFormatException error(String problem) {
            return new HistoryFormatException(lineNumber, problem);
        }
    }
}
