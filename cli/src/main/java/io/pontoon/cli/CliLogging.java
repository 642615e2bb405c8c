package io.pontoon.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Where the libraries' log lines go: Chronicle's, Netty's and Pontoon's own runtime, storage and transport
 * lines (the {@code pontoon role ...} lines too). SLF4J is bound to {@code java.util.logging} (slf4j-jdk14)
 * and {@link System.Logger} defaults to it, so the root JUL logger's handlers decide for all of them.
 *
 * <ul>
 *   <li>{@link #toConsole()}: every line on stderr, for {@code node}, {@code kv-node} (servers) and
 *       {@code --verbose};</li>
 *   <li>{@link #toFile(Path)}: the demo and the client commands, whose console shows only their own lines;
 *       library lines go to a file, opened on the first line (a command that logs nothing leaves no file), which
 *       stderr names once. ERROR lines also go to stderr: a fail-stop is never hidden.</li>
 * </ul>
 *
 * <p>One line per record, in slf4j-simple's format: {@code [thread] LEVEL logger - message}. Handlers run on the
 * thread that logs; both write under their own lock.
 */
final class CliLogging implements AutoCloseable {
    private final Logger root = Logger.getLogger("");
    private final Handler[] previousHandlers;
    private final Level previousLevel;
    private final Handler[] installed;

    private CliLogging(Handler... handlers) {
        previousHandlers = root.getHandlers();
        previousLevel = root.getLevel();
        for (Handler h : previousHandlers) {
            root.removeHandler(h);
        }
        root.setLevel(Level.INFO);
        for (Handler h : handlers) {
            root.addHandler(h);
        }
        installed = handlers;
    }

    /** Every library line on stderr. */
    static CliLogging toConsole() {
        return new CliLogging(new ConsoleLines(Level.INFO));
    }

    /** Library lines into {@code file} (appended, created on the first line); ERROR lines also on stderr. */
    static CliLogging toFile(Path file) {
        return new CliLogging(new FileLines(file), new ConsoleLines(Level.SEVERE));
    }

    /** Puts back the handlers found at install: in-process callers (tests) get their logging back. */
    @Override
    public void close() {
        for (Handler h : installed) {
            root.removeHandler(h);
            h.close();
        }
        for (Handler h : previousHandlers) {
            root.addHandler(h);
        }
        root.setLevel(previousLevel);
    }

    /** {@code [thread] LEVEL logger - message}, then the stack trace if any. */
    static String format(LogRecord r) {
        final StringBuilder b = new StringBuilder(128)
            .append('[').append(Thread.currentThread().getName()).append("] ")
            .append(levelName(r.getLevel())).append(' ')
            .append(r.getLoggerName()).append(" - ")
            .append(MESSAGE.formatMessage(r))
            .append(System.lineSeparator());
        if (r.getThrown() != null) {
            final StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            b.append(trace);
        }
        return b.toString();
    }

    private static final java.util.logging.Formatter MESSAGE = new java.util.logging.SimpleFormatter();

    /** SLF4J's level names: what slf4j-jdk14 maps them from. */
    private static String levelName(Level level) {
        final int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        } else if (v >= Level.WARNING.intValue()) {
            return "WARN";
        } else if (v >= Level.INFO.intValue()) {
            return "INFO";
        } else if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    /** Writes to {@link System#err} as it is at each line, so a caller that swaps stderr sees the lines. */
    private static final class ConsoleLines extends Handler {
        ConsoleLines(Level level) {
            setLevel(level);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            if (isLoggable(r)) {
                System.err.print(format(r));
                System.err.flush();
            }
        }

        @Override
        public void flush() {
            System.err.flush();
        }

        @Override
        public void close() {
        }
    }

    /** Appends to a file opened on the first line; if it cannot be opened, the lines go to stderr instead. */
    private static final class FileLines extends Handler {
        private final Path file;
        private Writer out;
        private boolean opened;

        FileLines(Path file) {
            this.file = file.toAbsolutePath().normalize();
            setLevel(Level.INFO);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            if (!isLoggable(r)) {
                return;
            }
            if (!opened) {
                opened = true;
                open();
            }
            final String line = format(r);
            if (out == null) {
                System.err.print(line);
                return;
            }
            try {
                out.write(line);
                out.flush(); // a crash keeps every line written before it
            } catch (IOException e) {
                System.err.print(line);
            }
        }

        private void open() {
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
                out.write("---- pontoon pid " + ProcessHandle.current().pid() + " at " + Instant.now()
                    + System.lineSeparator());
                System.err.println("pontoon: library log lines go to " + file + " (--verbose prints them here)");
            } catch (IOException | RuntimeException e) {
                out = null;
                System.err.println("pontoon: cannot write " + file + " (" + e + "); library log lines follow here");
            }
        }

        @Override
        public synchronized void flush() {
            if (out != null) {
                try {
                    out.flush();
                } catch (IOException e) {
                    // reported by the next publish, which falls back to stderr
                }
            }
        }

        @Override
        public synchronized void close() {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    // nothing left to write to
                }
                out = null;
            }
        }
    }
}
