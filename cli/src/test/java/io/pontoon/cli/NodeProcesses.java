package io.pontoon.cli;

import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.transport.client.PontoonClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./pontoon} processes for tests: JVMs on this test's class path, their output collected line by line,
 * {@code pontoon node} processes with data under one temporary root, and {@code pontoon dump} of a data directory.
 * {@link #close()} kills whatever is still running and deletes the root. Waits poll a condition with a deadline.
 */
final class NodeProcesses implements AutoCloseable {
    private static final Pattern ENTRY = Pattern.compile("^ENTRY lsn=(\\d+) term=(\\d+) crc=([0-9a-f]{8})( config .*)?$");
    private static final Pattern RESULT_DUMP = Pattern.compile("^RESULT last_lsn=(\\d+) commit_index=(\\d+)$");
    private static final long DEADLINE_NS = TimeUnit.MINUTES.toNanos(3);

    final Path root;
    private final List<Process> processes = new ArrayList<>();

    NodeProcesses(String prefix) throws IOException {
        root = Files.createTempDirectory(prefix);
    }

    /** A running process and its output so far. */
    record Running(Process process, ConcurrentLinkedQueue<String> out, CompletableFuture<Void> outDone) {
        /** Waits until the node printed READY; fails with its output if it exited first. */
        void awaitReady() {
            awaitCondition(() -> {
                if (!process.isAlive() && out.stream().noneMatch(l -> l.startsWith("READY"))) {
                    throw new AssertionError("node exited: " + String.join("\n", out));
                }
                return out.stream().anyMatch(l -> l.startsWith("READY"));
            }, "node READY");
        }

        /**
         * SIGTERM, then waits for the exit and the end of its output. Through the handle: {@code Process.destroy()}
         * would also close our end of the output pipe, and the last lines (STATE) would be lost.
         */
        void stop() throws Exception {
            process.toHandle().destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("process did not stop on SIGTERM: " + lastLines(out, 20));
            }
            outDone.get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code pontoon node --id ID} on 127.0.0.1:{@code port} with data in {@code root/node-ID}; not waited for. */
    Running startNode(int id, int port, String peers, String... extra) throws IOException {
        final List<String> args = new ArrayList<>(List.of("node", "--id", String.valueOf(id), "--listen",
            "127.0.0.1:" + port, "--peers", peers, "--data-dir", dataDir(id).toString()));
        args.addAll(List.of(extra));
        return start(args.toArray(new String[0]));
    }

    Path dataDir(int id) {
        return root.resolve("node-" + id);
    }

    /** {@code pontoon ARGS...} in a new JVM with this one's class path and module flags. */
    Running start(String... args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dchronicle")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx512m");
        if (System.getProperty("pontoon.log.dir") != null) { // client commands' log files into target/, as in-process
            cmd.add("-Dpontoon.log.dir=" + System.getProperty("pontoon.log.dir"));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(PontoonCli.class.getName());
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        final ConcurrentLinkedQueue<String> out = new ConcurrentLinkedQueue<>();
        return new Running(p, out, pump(p, out));
    }

    private static CompletableFuture<Void> pump(Process p, ConcurrentLinkedQueue<String> lines) {
        return CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // process killed
            }
        }, r -> {
            final Thread t = new Thread(r, "pump");
            t.setDaemon(true);
            t.start();
        });
    }

    /** {@code pontoon dump} of node {@code id}'s directory: committed LSN to payload CRC (configuration entries too). */
    Map<Long, String> dump(int id) throws Exception {
        final Running p = start("dump", "--data-dir", dataDir(id).toString());
        if (!p.process().waitFor(2, TimeUnit.MINUTES)) {
            throw new AssertionError("dump of node " + id + " did not finish");
        }
        p.outDone().get(30, TimeUnit.SECONDS);
        if (p.process().exitValue() != 0) {
            throw new AssertionError("dump of node " + id + " exited " + p.process().exitValue() + ":\n"
                + lastLines(p.out(), 20));
        }
        final Map<Long, String> entries = new HashMap<>();
        boolean result = false;
        for (String line : p.out()) {
            final Matcher m = ENTRY.matcher(line);
            if (m.matches()) {
                entries.put(Long.parseLong(m.group(1)), m.group(3));
            } else if (RESULT_DUMP.matcher(line).matches()) {
                result = true;
            }
        }
        if (!result) {
            throw new AssertionError("dump of node " + id + " has no RESULT line: " + lastLines(p.out(), 20));
        }
        return entries;
    }

    static RaftStatus statusOrNull(PontoonClient client, String address) {
        try {
            return client.status(address).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** The status of the node among {@code addresses} that leads, waiting until one does. */
    static RaftStatus awaitLeader(PontoonClient client, List<String> addresses) {
        final RaftStatus[] leader = {null};
        awaitCondition(() -> {
            for (String a : addresses) {
                final RaftStatus s = statusOrNull(client, a);
                if (s != null && s.role() == Role.LEADER) {
                    leader[0] = s;
                    return true;
                }
            }
            return false;
        }, "a leader among " + addresses);
        return leader[0];
    }

    static void awaitCondition(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    static int[] freePorts(int n) throws IOException {
        final int[] ports = new int[n];
        final ServerSocket[] sockets = new ServerSocket[n];
        for (int i = 0; i < n; i++) {
            sockets[i] = new ServerSocket(0);
            ports[i] = sockets[i].getLocalPort();
        }
        for (ServerSocket s : sockets) {
            s.close();
        }
        return ports;
    }

    static String lastLines(java.util.Collection<String> lines, int n) {
        final List<String> all = new ArrayList<>(lines);
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /** Kills every process still running (kill -9) and waits for them to exit. */
    void killAll() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Kills every process still running, then deletes the root. */
    @Override
    public void close() throws IOException {
        killAll();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
