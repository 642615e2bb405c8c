package io.pontoon.testkit.history;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A history of client operations in real-time order, as Jepsen records it: each operation is an {@code invoke}
 * event and later one completion, {@code ok} (it took effect once, between the two), {@code fail} (it certainly did
 * not take effect) or {@code info} (unknown: a timeout, a lost connection; it may take effect at any time after its
 * invoke, or never). An operation still open when the history is checked counts as {@code info}.
 *
 * <p>Thread-safe: any thread may record, and each event is stamped with the clock under the same lock that appends
 * it, so the order of {@link #events()} is the real-time order and the times never go backwards. A process (a
 * client) runs one operation at a time, which is what lets a completion in the file find its invoke; a client that
 * gives up on an operation completes it as {@code info} before it invokes the next.
 *
 * <p>Values are {@code null}, {@link String}, {@link Boolean}, integers and lists of these. The KV's functions are
 * {@link #READ} (invoke value {@code null}; the ok carries the value read, {@code null} if absent), {@link #WRITE}
 * (a delete is a write of {@code null}) and {@link #CAS} (invoke value {@code [old, new]}; a cas that found a
 * different value completes as {@code fail}). Other models may use other function names.
 *
 * <p>The JSONL file ({@link #writeJsonl}, {@link #readJsonl}) has one event per line:
 * {@code {"process":P,"type":"invoke|ok|fail|info","f":"read|write|cas","key":"K","value":V,"time":NANOS}}.
 */
public final class History {
    public static final String READ = "read";
    public static final String WRITE = "write";
    public static final String CAS = "cas";

    private final LongSupplier clockNs;
    private final ArrayList<Event> events = new ArrayList<>();
    /** process -> index of its open invoke. */
    private final Map<Integer, Integer> openInvokes = new HashMap<>();

    /** A history stamped with {@link System#nanoTime()}. */
    public History() {
        this(System::nanoTime);
    }

    /**
     * A history stamped with another clock, e.g. a simulator's time. It is read under the history's lock and must
     * never go backwards.
     */
    public History(LongSupplier clockNs) {
        this.clockNs = Objects.requireNonNull(clockNs, "clockNs");
    }

    /**
     * Records that {@code process} invokes {@code f} on {@code key} with {@code value}.
     *
     * @return the handle to complete the operation with
     * @throws IllegalStateException    if the process still has an operation open
     * @throws IllegalArgumentException if a read has a value, a cas's value is not {@code [old, new]}, or the value
     *                                  has a type a history cannot hold
     */
    public synchronized long invoke(int process, String f, String key, Object value) {
        final Event e = new Event(process, Event.Type.INVOKE, f, key, value, clockNs.getAsLong());
        final String badValue = invokeValueProblem(e);
        if (badValue != null) {
            throw new IllegalArgumentException(badValue);
        }
        final String problem = problemWith(e);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        append(e);
        return events.size() - 1;
    }

    /** Records a read's invoke; complete it with {@link #ok(long, Object)} and the value read. */
    public long invokeRead(int process, String key) {
        return invoke(process, READ, key, null);
    }

    /** Records a write's invoke; a {@code null} value is a delete. */
    public long invokeWrite(int process, String key, Object value) {
        return invoke(process, WRITE, key, value);
    }

    /** Records a cas's invoke (value {@code [expected, update]}); if it finds another value, complete it as fail. */
    public long invokeCas(int process, String key, Object expected, Object update) {
        return invoke(process, CAS, key, Values.pair(expected, update));
    }

    /** The operation took effect; its ok carries the invoke's value (for a write or a cas). */
    public void ok(long handle) {
        complete(handle, Event.Type.OK, null, true);
    }

    /** The operation took effect and returned {@code value} (for a read: the value read, null if absent). */
    public void ok(long handle, Object value) {
        complete(handle, Event.Type.OK, value, false);
    }

    /** The operation certainly did not take effect. */
    public void fail(long handle) {
        complete(handle, Event.Type.FAIL, null, true);
    }

    /** The operation's outcome is unknown: it may take effect at any time after its invoke, or never. */
    public void info(long handle) {
        complete(handle, Event.Type.INFO, null, true);
    }

    private synchronized void complete(long handle, Event.Type type, Object value, boolean invokeValue) {
        if (handle < 0 || handle >= events.size() || events.get((int) handle).type() != Event.Type.INVOKE) {
            throw new IllegalArgumentException("no operation has the handle " + handle);
        }
        final Event invoke = events.get((int) handle);
        final Integer open = openInvokes.get(invoke.process());
        if (open == null || open != handle) {
            throw new IllegalStateException("operation " + handle + " (" + invoke.f() + " of process "
                + invoke.process() + ") is already completed");
        }
        append(new Event(invoke.process(), type, invoke.f(), invoke.key(), invokeValue ? invoke.value() : value,
            clockNs.getAsLong()));
    }

    /** Why {@code e} cannot come next, or null if it can; the caller holds the lock. */
    private String problemWith(Event e) {
        if (!events.isEmpty() && e.timeNs() < events.get(events.size() - 1).timeNs()) {
            return "time " + e.timeNs() + " is earlier than the time " + events.get(events.size() - 1).timeNs()
                + " of the event before: events must be in real-time order";
        }
        final Integer open = openInvokes.get(e.process());
        if (e.type() == Event.Type.INVOKE) {
            if (open != null) {
                return "process " + e.process() + " invokes " + e.f() + " while its " + events.get(open).f()
                    + " from event " + (open + 1) + " is still open (complete it first, as info if unknown)";
            }
            return invokeValueProblem(e);
        }
        if (open == null) {
            return "process " + e.process() + " has no open operation for this " + e.type().jsonName()
                + " to complete";
        }
        final Event invoke = events.get(open);
        if (!invoke.f().equals(e.f()) || !invoke.key().equals(e.key())) {
            return "this " + e.type().jsonName() + " of process " + e.process() + " is for " + e.f() + " of key "
                + HistoryJson.formatValue(e.key()) + ", but the process's open invoke (event " + (open + 1)
                + ") is " + invoke.f() + " of key " + HistoryJson.formatValue(invoke.key());
        }
        return null;
    }

    private static String invokeValueProblem(Event e) {
        if (READ.equals(e.f()) && e.value() != null) {
            return "a read's invoke has the value null, but this one has " + HistoryJson.formatValue(e.value());
        }
        if (CAS.equals(e.f()) && !(e.value() instanceof List<?> pair && pair.size() == 2)) {
            return "a cas's invoke has the value [old,new], but this one has " + HistoryJson.formatValue(e.value());
        }
        return null;
    }

    private void append(Event e) {
        if (e.type() == Event.Type.INVOKE) {
            openInvokes.put(e.process(), events.size());
        } else {
            openInvokes.remove(e.process());
        }
        events.add(e);
    }

    /** A copy of the events so far, in real-time order. */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized int size() {
        return events.size();
    }

    /** The operations so far, each invoke paired with its completion, in invoke order. */
    public List<Operation> operations() {
        return pair(events());
    }

    static List<Operation> pair(List<Event> events) {
        final List<Operation> ops = new ArrayList<>();
        final Map<Integer, Integer> open = new HashMap<>();
        final int[] completion = new int[events.size()];
        for (int i = 0; i < events.size(); i++) {
            final Event e = events.get(i);
            completion[i] = Operation.NOT_COMPLETED;
            if (e.type() == Event.Type.INVOKE) {
                open.put(e.process(), i);
            } else {
                completion[open.remove(e.process())] = i;
            }
        }
        for (int i = 0; i < events.size(); i++) {
            final Event e = events.get(i);
            if (e.type() != Event.Type.INVOKE) {
                continue;
            }
            final int c = completion[i];
            if (c == Operation.NOT_COMPLETED) {
                ops.add(new Operation(e.process(), e.f(), e.key(), e.value(), null, Event.Type.INFO, e.timeNs(),
                    Long.MAX_VALUE, i, c));
            } else {
                final Event done = events.get(c);
                ops.add(new Operation(e.process(), e.f(), e.key(), e.value(),
                    done.type() == Event.Type.OK ? done.value() : null, done.type(), e.timeNs(), done.timeNs(), i, c));
            }
        }
        return ops;
    }

    /**
     * A history holding {@code events}, checked as if read from a file.
     *
     * @throws IllegalArgumentException naming the (1-based) event that does not fit the ones before it
     */
    public static History of(List<Event> events) {
        final History h = new History();
        for (int i = 0; i < events.size(); i++) {
            final String problem = h.problemWith(events.get(i));
            if (problem != null) {
                throw new IllegalArgumentException("event " + (i + 1) + ": " + problem);
            }
            h.append(events.get(i));
        }
        return h;
    }

    /** Writes the events so far as JSONL, one event per line, in real-time order. */
    public void writeJsonl(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writeJsonl(w);
        }
    }

    /** Writes the events so far as JSONL to {@code out}, which stays open. */
    public void writeJsonl(Writer out) throws IOException {
        final Writer w = out instanceof BufferedWriter ? out : new BufferedWriter(out);
        for (Event e : events()) {
            w.write(HistoryJson.format(e));
            w.write('\n');
        }
        w.flush();
    }

    /** Reads a JSONL history file (UTF-8). */
    public static History readJsonl(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return readJsonl(r);
        } catch (HistoryFormatException e) {
            throw new HistoryFormatException(e.lineNumber(), file + ": " + e.getMessage());
        }
    }

    /**
     * Reads a JSONL history; blank lines are skipped.
     *
     * @throws HistoryFormatException naming the line and what is wrong with it: not a JSON object, a missing or
     *                                mistyped field, an unknown type, a completion with no open invoke, an invoke
     *                                while the process has one open, a time earlier than the line before
     */
    public static History readJsonl(Reader in) throws IOException {
        final BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        final History h = new History();
        int lineNumber = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            final Event e = HistoryJson.parse(line, lineNumber);
            final String problem = h.problemWith(e);
            if (problem != null) {
                throw new HistoryFormatException(lineNumber, problem);
            }
            h.append(e);
        }
        return h;
    }

    /** Reads a JSONL history from a string, e.g. in a test. */
    public static History parseJsonl(String text) throws HistoryFormatException {
        try {
            return readJsonl(new StringReader(text));
        } catch (HistoryFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
    }
}
