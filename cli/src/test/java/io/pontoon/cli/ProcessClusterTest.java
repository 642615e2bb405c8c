package io.pontoon.cli;

import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real processes: three {@code pontoon node} JVMs with Chronicle journals (SYNC), a {@code pontoon append}
 * client JVM, the leader killed with kill -9 mid-load and restarted on its directory. Afterwards every
 * acknowledged LSN is in every node's {@code pontoon dump} with the same CRC, and no two nodes disagree.
 */
class ProcessClusterTest {
    private static final Pattern ACK = Pattern.compile("^ACK lsn=(\\d+) crc=([0-9a-f]{8})$");
    private static final Pattern ENTRY = Pattern.compile("^ENTRY lsn=(\\d+) term=(\\d+) crc=([0-9a-f]{8})$");
    private static final Pattern RESULT_DUMP = Pattern.compile("^RESULT last_lsn=(\\d+) commit_index=(\\d+)$");

    private final List<Process> processes = new ArrayList<>();
    private Path root;

    @AfterEach
    void cleanUp() throws IOException {
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
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void leaderKilledMidLoadLosesNoAcknowledgedEntry() throws Exception {
        root = Files.createTempDirectory("pontoon-process-test");
        final Cluster c = startCluster();
        final String cluster = c.addresses();
        final Node[] nodes = c.nodes();

        final Process append = start("append", "--cluster", cluster, "--count", "4000", "--payload", "100",
            "--concurrency", "32", "--seed", "7");
        final ConcurrentLinkedQueue<String> appendOut = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Void> appendDone = pump(append, appendOut);

        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(cluster).build())) {
            // Kill the leader once a good part of the load is acknowledged.
            awaitCondition(() -> appendOut.stream().filter(l -> l.startsWith("ACK")).count() >= 1000, "1000 acks");
            final int leader = findLeader(client, cluster.split(","));
            nodes[leader - 1].process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            restart(c, leader);

            assertTrue(append.waitFor(5, TimeUnit.MINUTES), "append client finished");
            appendDone.get(30, TimeUnit.SECONDS);
            // Every node catches up to the leader's commit index.
            final String[] addresses = cluster.split(",");
            final int newLeader = findLeader(client, addresses);
            final long target = client.status(addresses[newLeader - 1]).get(10, TimeUnit.SECONDS).commitIndex();
            for (String a : addresses) {
                awaitCondition(() -> statusOrNull(client, a) != null && statusOrNull(client, a).commitIndex() >= target,
                    a + " commits up to " + target);
            }
        }
        for (Node n : nodes) {
            n.process.destroy(); // SIGTERM: graceful, records the final commit index hint
            assertTrue(n.process.waitFor(60, TimeUnit.SECONDS), "node stops on SIGTERM");
        }

        final Map<Long, String> acked = new HashMap<>();
        for (String line : appendOut) {
            final Matcher m = ACK.matcher(line);
            if (m.matches()) {
                acked.put(Long.parseLong(m.group(1)), m.group(2));
            }
        }
        assertTrue(acked.size() >= 1000, "acknowledged " + acked.size());
        final List<Map<Long, String>> dumps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            dumps.add(dump(root.resolve("node-" + (i + 1))));
        }
        for (int i = 0; i < 3; i++) {
            final Map<Long, String> d = dumps.get(i);
            for (Map.Entry<Long, String> e : acked.entrySet()) {
                assertEquals(e.getValue(), d.get(e.getKey()), "node " + (i + 1) + " lsn " + e.getKey());
            }
            for (Map.Entry<Long, String> e : d.entrySet()) {
                for (Map<Long, String> other : dumps) {
                    final String o = other.get(e.getKey());
                    assertTrue(o == null || o.equals(e.getValue()), "nodes disagree on lsn " + e.getKey());
                }
            }
        }
    }

    /**
     * Issue 10: a node is killed; the other two take snapshots and compact their journals past everything it holds
     * (one-second journal files, a snapshot every 300 entries); restarted, it can only catch up through
     * InstallSnapshot, and does. In the end every node's state machine (a running hash and count of the payloads)
     * is the same, and counts every acknowledged entry exactly once.
     */
    @Test
    void aKilledNodeTheClusterCompactedPastCatchesUpThroughInstallSnapshot() throws Exception {
        root = Files.createTempDirectory("pontoon-process-test");
        final Cluster c = startCluster("--roll-cycle", "TEST_SECONDLY", "--snapshot-every", "300");
        final String[] addresses = c.addresses().split(",");
        long acked = appendAll(c.addresses(), 600, 1);
        final int lagging;
        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(c.addresses()).build())) {
            lagging = findLeader(client, addresses) % 3 + 1;
        }
        c.nodes()[lagging - 1].process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        // The first entries after the killed node's last one go into the live nodes' newest files: keep the cluster
        // busy until both have deleted those files, so the leader no longer holds what the killed node needs next.
        acked += appendAll(c.addresses(), 300, 2);
        final int live = lagging % 3 + 1;
        final String lastFile = journalFiles(live).get(journalFiles(live).size() - 1);
        long seed = 3;
        while (!compactedPast(lagging, lastFile)) {
            acked += appendAll(c.addresses(), 300, seed++);
            if (seed > 200) {
                throw new AssertionError("the live nodes never compacted past " + lastFile + ": " + journalFiles(1)
                    + " " + journalFiles(2) + " " + journalFiles(3));
            }
        }
        restart(c, lagging);
        final Node restarted = c.nodes()[lagging - 1];
        acked += appendAll(c.addresses(), 200, 1000);
        try {
            awaitCondition(() -> restarted.out.stream().anyMatch(l -> l.contains("installed the leader's snapshot")),
                "node " + lagging + " installs the leader's snapshot");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; its output: " + String.join("\n", restarted.out), e);
        }
        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(c.addresses()).build())) {
            final int leader = findLeader(client, addresses);
            final long target = client.status(addresses[leader - 1]).get(10, TimeUnit.SECONDS).commitIndex();
            for (String a : addresses) {
                awaitCondition(() -> statusOrNull(client, a) != null && statusOrNull(client, a).lastApplied() >= target,
                    a + " applies up to " + target);
            }
        }
        final List<String> states = new ArrayList<>();
        for (Node n : c.nodes()) {
            // SIGTERM through the handle: Process.destroy() would also close our end of its output pipe, and the node's
            // last lines (STATE) would be lost. The node closes, its state machine applies what it was handed.
            n.process.toHandle().destroy();
            assertTrue(n.process.waitFor(60, TimeUnit.SECONDS), "node stops on SIGTERM");
            // The output is read by another thread: wait for the line rather than race the reader.
            try {
                awaitCondition(() -> n.out.stream().anyMatch(l -> l.startsWith("STATE ")), "a STATE line");
            } catch (AssertionError e) {
                final List<String> all = new ArrayList<>(n.out);
                throw new AssertionError(e.getMessage() + " (exit " + n.process.exitValue() + "); last output:\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size())), e);
            }
            final String state = n.out.stream().filter(l -> l.startsWith("STATE ")).findFirst().orElseThrow();
            states.add(state.substring(state.indexOf(" index=")));
        }
        assertEquals(states.get(0), states.get(1), "nodes 1 and 2 hold the same state");
        assertEquals(states.get(0), states.get(2), "nodes 1 and 3 hold the same state");
        assertTrue(states.get(0).contains(" count=" + acked + " "), "every acknowledged append counted once: "
            + acked + " acknowledged, state" + states.get(0));

        // `./pontoon dump` lists the snapshots first, newest first.
        final Process dump = start("dump", "--data-dir", root.resolve("node-" + lagging).toString());
        final ConcurrentLinkedQueue<String> dumped = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Void> dumpDone = pump(dump, dumped);
        assertTrue(dump.waitFor(2, TimeUnit.MINUTES));
        dumpDone.get(30, TimeUnit.SECONDS);
        final List<String> snapshotLines = dumped.stream().filter(l -> l.startsWith("SNAPSHOT index=")).toList();
        assertTrue(!snapshotLines.isEmpty() && snapshotLines.get(0).matches(
            "SNAPSHOT index=\\d+ term=\\d+ bytes=24 crc32c=[0-9a-f]{8} members=\\[1,2,3]"), "dump lists snapshots: "
            + snapshotLines);
    }

    /** Runs `pontoon append` to completion; every request must be acknowledged. Returns the count. */
    private long appendAll(String cluster, int count, long seed) throws Exception {
        final Process append = start("append", "--cluster", cluster, "--count", String.valueOf(count), "--payload", "64",
            "--concurrency", "16", "--seed", String.valueOf(seed));
        final ConcurrentLinkedQueue<String> out = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Void> done = pump(append, out);
        assertTrue(append.waitFor(3, TimeUnit.MINUTES), "append finished");
        done.get(30, TimeUnit.SECONDS);
        assertEquals(0, append.exitValue(), "append: " + lastLines(out));
        final long acks = out.stream().filter(l -> ACK.matcher(l).matches()).count();
        assertEquals(count, acks, "every append acknowledged: " + lastLines(out));
        return acks;
    }

    private List<String> journalFiles(int id) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("node-" + id).resolve("journal"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
    }

    /** Both live nodes' oldest journal file is newer than {@code lastFile} of the killed node. */
    private boolean compactedPast(int killed, String lastFile) throws IOException {
        for (int id = 1; id <= 3; id++) {
            if (id != killed) {
                final List<String> files = journalFiles(id);
                if (files.isEmpty() || files.get(0).compareTo(lastFile) <= 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Issue 9, disk full: node 1's data directory is a 16 MiB tmpfs. Under load it fills; node 1 must fail-stop
     * and exit non-zero with one line naming the full directory, while the other two keep acknowledging. Once space
     * is freed (the tmpfs grown), node 1 restarts on the same directory and ends up with every acknowledged entry.
     * Needs root for the mount (as CI and the development machine have); without it the test is skipped, since
     * no small filesystem can be made.
     */
    @Test
    void aNodeWhoseDiskFillsUpStopsWithAClearErrorAndRecoversOnceSpaceIsFreed() throws Exception {
        root = Files.createTempDirectory("pontoon-disk-full-test");
        final Path disk = root.resolve("node-1");
        Files.createDirectories(disk);
        org.junit.jupiter.api.Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", disk.toString()),
            "mounting a small tmpfs needs root");
        try {
            final Cluster c = startCluster();
            final String cluster = c.addresses();
            final Node[] nodes = c.nodes();
            // 1 KiB entries: the tmpfs fills within seconds.
            final Process append = start("append", "--cluster", cluster, "--count", "60000", "--payload", "1000",
                "--concurrency", "64", "--seed", "11");
            final ConcurrentLinkedQueue<String> appendOut = new ConcurrentLinkedQueue<>();
            final CompletableFuture<Void> appendDone = pump(append, appendOut);

            assertTrue(nodes[0].process.waitFor(3, TimeUnit.MINUTES), "node 1 stops when its disk is full");
            assertEquals(PontoonCli.EXIT_FAILED, nodes[0].process.exitValue(), String.join("\n", nodes[0].out));
            final String failedLine = nodes[0].out.stream().filter(l -> l.startsWith("pontoon node 1 FAILED: "))
                .findFirst().orElseThrow(() -> new AssertionError("no FAILED line: " + String.join("\n", nodes[0].out)));
            assertTrue(failedLine.contains("disk full") && failedLine.contains(disk.toString()), failedLine);

            // The other two keep acknowledging.
            final long acksAtFailure = appendOut.stream().filter(l -> l.startsWith("ACK")).count();
            awaitCondition(() -> appendOut.stream().filter(l -> l.startsWith("ACK")).count() >= acksAtFailure + 2000,
                "2000 more acks without node 1");

            // Space freed: node 1 restarts on its directory and catches up.
            assertTrue(run("mount", "-o", "remount,size=2g", disk.toString()), "grow the tmpfs");
            restart(c, 1);
            assertTrue(append.waitFor(5, TimeUnit.MINUTES), "append client finished");
            appendDone.get(30, TimeUnit.SECONDS);
            // Appends in flight on node 1 when it stopped may have failed (outcome unknown); the rest were acknowledged.
            assertTrue(appendOut.stream().filter(l -> l.startsWith("ACK")).count() > acksAtFailure + 2000,
                lastLines(appendOut));
            try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(cluster).build())) {
                final String[] addresses = cluster.split(",");
                final int leader = findLeader(client, addresses);
                final long target = client.status(addresses[leader - 1]).get(10, TimeUnit.SECONDS).commitIndex();
                awaitCondition(() -> statusOrNull(client, addresses[0]) != null
                    && statusOrNull(client, addresses[0]).commitIndex() >= target, "node 1 commits up to " + target);
            }
            for (Node n : nodes) {
                n.process.destroy();
                assertTrue(n.process.waitFor(60, TimeUnit.SECONDS), "node stops on SIGTERM");
            }
            final Map<Long, String> acked = new HashMap<>();
            for (String line : appendOut) {
                final Matcher m = ACK.matcher(line);
                if (m.matches()) {
                    acked.put(Long.parseLong(m.group(1)), m.group(2));
                }
            }
            final Map<Long, String> node1 = dump(disk);
            for (Map.Entry<Long, String> e : acked.entrySet()) {
                assertEquals(e.getValue(), node1.get(e.getKey()), "node 1 lsn " + e.getKey());
            }
        } finally {
            for (Process p : processes) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            run("umount", disk.toString());
        }
    }

    private static String lastLines(ConcurrentLinkedQueue<String> lines) {
        final List<String> all = new ArrayList<>(lines);
        return String.join("\n", all.subList(Math.max(0, all.size() - 5), all.size()));
    }

    /** Runs a system command; true if it exited 0. */
    private static boolean run(String... command) {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Three `pontoon node` processes on free loopback ports, data under {@link #root}, all READY. */
    private Cluster startCluster(String... extraNodeArgs) throws IOException {
        final int[] ports = freePorts(3);
        final StringBuilder peers = new StringBuilder();
        final StringBuilder addresses = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            peers.append(i == 0 ? "" : ",").append(i + 1).append("=127.0.0.1:").append(ports[i]);
            addresses.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports[i]);
        }
        final Node[] nodes = new Node[3];
        for (int i = 0; i < 3; i++) {
            nodes[i] = startNode(i + 1, ports[i], peers.toString(), extraNodeArgs);
        }
        for (Node n : nodes) {
            n.awaitReady();
        }
        return new Cluster(ports, peers.toString(), addresses.toString(), nodes, extraNodeArgs);
    }

    private record Cluster(int[] ports, String peers, String addresses, Node[] nodes, String[] extraNodeArgs) {
    }

    /** Starts node {@code id} of {@code c} again on its directory and port, and waits until it is READY. */
    private void restart(Cluster c, int id) throws IOException {
        c.nodes()[id - 1] = startNode(id, c.ports()[id - 1], c.peers(), c.extraNodeArgs());
        c.nodes()[id - 1].awaitReady();
    }

    private Map<Long, String> dump(Path dir) throws Exception {
        final Process p = start("dump", "--data-dir", dir.toString());
        final ConcurrentLinkedQueue<String> out = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Void> done = pump(p, out);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        done.get(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), "dump of " + dir + ": " + out);
        final Map<Long, String> entries = new HashMap<>();
        boolean result = false;
        for (String line : out) {
            final Matcher m = ENTRY.matcher(line);
            if (m.matches()) {
                entries.put(Long.parseLong(m.group(1)), m.group(3));
            } else if (RESULT_DUMP.matcher(line).matches()) {
                result = true;
            }
        }
        assertTrue(result, "dump of " + dir + " ends with RESULT");
        return entries;
    }

    private static RaftStatus statusOrNull(PontoonClient client, String address) {
        try {
            return client.status(address).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    private static int findLeader(PontoonClient client, String[] addresses) {
        final int[] leader = {-1};
        awaitCondition(() -> {
            for (String a : addresses) {
                final RaftStatus s = statusOrNull(client, a);
                if (s != null && s.role() == Role.LEADER) {
                    leader[0] = s.nodeId();
                    return true;
                }
            }
            return false;
        }, "a leader");
        return leader[0];
    }

    private Node startNode(int id, int port, String peers, String... extra) throws IOException {
        final List<String> args = new ArrayList<>(List.of("node", "--id", String.valueOf(id), "--listen",
            "127.0.0.1:" + port, "--peers", peers, "--data-dir", root.resolve("node-" + id).toString(),
            "--durability", "SYNC"));
        args.addAll(List.of(extra));
        final Process p = start(args.toArray(new String[0]));
        final ConcurrentLinkedQueue<String> out = new ConcurrentLinkedQueue<>();
        pump(p, out);
        return new Node(p, out);
    }

    private Process start(String... args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dchronicle")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(PontoonCli.class.getName());
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return p;
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

    static void awaitCondition(BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    private static int[] freePorts(int n) throws IOException {
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

    private static final class Node {
        final Process process;
        final ConcurrentLinkedQueue<String> out;

        Node(Process process, ConcurrentLinkedQueue<String> out) {
            this.process = process;
            this.out = out;
        }

        void awaitReady() {
            awaitCondition(() -> {
                if (!process.isAlive() && out.stream().noneMatch(l -> l.startsWith("READY"))) {
                    throw new AssertionError("node exited: " + out);
                }
                return out.stream().anyMatch(l -> l.startsWith("READY"));
            }, "node READY");
        }
    }
}
