package io.pontoon.cli;

import io.pontoon.RaftStatus;
import io.pontoon.testkit.history.CheckResult;
import io.pontoon.testkit.history.History;
import io.pontoon.testkit.history.LinearizabilityChecker;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pontoon.cli.NodeProcesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-value store as three real {@code pontoon kv-node} processes under a nemesis, checked for linearizability:
 * {@code pontoon kv-bench --cluster} runs a get/put/cas workload against them for 15 s and records the history, while
 * the nemesis kills the leader's process with kill -9 and restarts it on its data directory, makes the next leader
 * drop a fifth of the frames it sends to its peers ({@code pontoon fault --drop 0.2}, then {@code --clear}), and kills
 * and restarts the leader again. The bench's RESULT says linearizable, the history file it wrote parses and is
 * linearizable checked again here, some operations succeeded, and once the faults are over every node applies
 * what was committed and, stopped with SIGTERM, prints the same map digest.
 */
class KvProcessNemesisTest {
    private static final Pattern RESULT = Pattern.compile(
        "RESULT ops=(\\d+) ok=(\\d+) fail=(\\d+) info=(\\d+) ops_per_sec=(\\d+) linearizable=(true|false)");
    private static final Pattern STATE =
        Pattern.compile("^STATE node=(\\d+) index=(\\d+) keys=(\\d+) digest=([0-9a-f]+)$");
    private static final int BENCH_SECONDS = 15;
    /** How long a killed node stays down before it is restarted. */
    private static final long DOWN_NS = TimeUnit.MILLISECONDS.toNanos(1_000);
    /** How long the leader drops frames. */
    private static final long LOSS_NS = TimeUnit.SECONDS.toNanos(3);

    private NodeProcesses nodes;
    private final NodeProcesses.Running[] running = new NodeProcesses.Running[4];
    private final List<String> nemesisEvents = new ArrayList<>();
    private int[] ports;
    private String peers;
    private String cluster;
    private Path adminSecretFile;
    private Path peerSecretFile;
    private Path clientSecretFile;

    @AfterEach
    void cleanUp() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void kvNodesKilledAndLosingFramesStayLinearizableAndEndWithTheSameMap() throws Exception {
        try {
            runUnderNemesis();
        } catch (AssertionError e) {
            final StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
            sb.append("\nnemesis: ").append(nemesisEvents).append("\nnode output:");
            for (int id = 1; id <= 3; id++) {
                if (running[id] != null) {
                    sb.append("\n--- node ").append(id).append('\n')
                        .append(NodeProcesses.lastLines(running[id].out(), 30));
                }
            }
            throw new AssertionError(sb.toString(), e);
        }
    }

    private void runUnderNemesis() throws Exception {
        nodes = new NodeProcesses("pontoon-kv-nemesis-test");
        adminSecretFile = Files.write(nodes.root.resolve("admin.secret"),
            "kv-nemesis admin secret, operators".getBytes(StandardCharsets.US_ASCII));
        peerSecretFile = Files.write(nodes.root.resolve("peer.secret"),
            "kv-nemesis peer secret, nodes only".getBytes(StandardCharsets.US_ASCII));
        clientSecretFile = Files.write(nodes.root.resolve("client.secret"),
            "kv-nemesis client secret, for apps".getBytes(StandardCharsets.US_ASCII));
        ports = NodeProcesses.freePorts(3);
        peers = "1=127.0.0.1:" + ports[0] + ",2=127.0.0.1:" + ports[1] + ",3=127.0.0.1:" + ports[2];
        cluster = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        for (int id = 1; id <= 3; id++) {
            startKvNode(id);
        }
        for (int id = 1; id <= 3; id++) {
            running[id].awaitReady();
        }

        final Path historyFile = nodes.root.resolve("history.jsonl");
        final CompletableFuture<CliRun> bench = CompletableFuture.supplyAsync(() -> CliRun.of("kv-bench",
            "--cluster", cluster, "--secret-file", clientSecretFile.toString(), "--seconds",
            String.valueOf(BENCH_SECONDS), "--keys", "6", "--clients", "4", "--seed", "7",
            "--history", historyFile.toString()), r -> {
                final Thread t = new Thread(r, "kv-bench");
                t.setDaemon(true);
                t.start();
            });
        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(cluster)
            .secret(NodeCommand.readSecret(clientSecretFile)).build())) {
            nemesis(client, System.nanoTime());
        }
        final CliRun run = bench.get(BENCH_SECONDS + 120, TimeUnit.SECONDS);

        final Matcher m = RESULT.matcher(run.out());
        assertTrue(m.find(), "a RESULT line:\n" + run.out() + run.err());
        assertEquals("true", m.group(6), run.out());
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), run.out() + run.err());
        assertTrue(Long.parseLong(m.group(2)) > 0, "operations succeeded: " + m.group());
        final History history = History.readJsonl(historyFile);
        assertEquals(2 * Long.parseLong(m.group(1)), history.size(), "an invoke and a completion per operation");
        final CheckResult recheck = LinearizabilityChecker.forKv().check(history);
        assertTrue(recheck.linearizable(), "the history file is linearizable: " + recheck);

        assertEveryNodeEndsWithTheSameMap();
    }

    /**
     * Kill the leader, restart it; the new leader drops 20% of its peer frames for a while; kill the leader again,
     * restart it. Parks between steps follow the schedule; every wait for a state polls with a deadline.
     */
    private void nemesis(PontoonClient client, long startNs) throws Exception {
        parkUntil(startNs + TimeUnit.SECONDS.toNanos(2));
        killAndRestartLeader(client);

        parkUntil(startNs + TimeUnit.SECONDS.toNanos(6));
        final int lossy = NodeProcesses.awaitLeader(client, List.of(cluster.split(","))).nodeId();
        fault(lossy, "--drop", "0.2");
        parkUntil(System.nanoTime() + LOSS_NS);
        fault(lossy, "--clear");

        parkUntil(startNs + TimeUnit.SECONDS.toNanos(10));
        killAndRestartLeader(client);
    }

    private void killAndRestartLeader(PontoonClient client) throws Exception {
        final int id = NodeProcesses.awaitLeader(client, List.of(cluster.split(","))).nodeId();
        assertTrue(running[id].process().destroyForcibly().waitFor(30, TimeUnit.SECONDS), "node " + id + " killed");
        nemesisEvents.add("kill -9 node " + id);
        parkUntil(System.nanoTime() + DOWN_NS);
        startKvNode(id);
        running[id].awaitReady();
        nemesisEvents.add("restarted node " + id);
    }

    private void fault(int id, String... rule) {
        final List<String> args = new ArrayList<>(List.of("fault", "--cluster", cluster, "--node", String.valueOf(id),
            "--admin-secret-file", adminSecretFile.toString()));
        args.addAll(List.of(rule));
        final CliRun run = CliRun.of(args.toArray(new String[0]));
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), String.join(" ", args) + ": " + run.out() + run.err());
        assertTrue(run.lastOutLine().startsWith("FAULT ok node=" + id), run.out());
        nemesisEvents.add(run.lastOutLine());
    }

    /** Once every node applied what was committed, SIGTERM each: their STATE lines hold the same map. */
    private void assertEveryNodeEndsWithTheSameMap() throws Exception {
        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(cluster)
            .secret(NodeCommand.readSecret(clientSecretFile)).build())) {
            final List<String> addresses = List.of(cluster.split(","));
            final long committed = NodeProcesses.awaitLeader(client, addresses).commitIndex();
            awaitCondition(() -> addresses.stream().allMatch(a -> {
                final RaftStatus s = NodeProcesses.statusOrNull(client, a);
                return s != null && s.lastApplied() >= committed;
            }), "every node applied up to " + committed);
        }
        final List<String> maps = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            final NodeProcesses.Running r = running[id];
            r.stop();
            final String state = r.out().stream().filter(l -> l.startsWith("STATE ")).findFirst()
                .orElseThrow(() -> new AssertionError("no STATE line: " + NodeProcesses.lastLines(r.out(), 20)));
            final Matcher m = STATE.matcher(state);
            assertTrue(m.matches(), state);
            maps.add("keys=" + m.group(3) + " digest=" + m.group(4));
        }
        assertEquals(1, maps.stream().distinct().count(), "every node holds the same map: " + maps);
    }

    /**
     * {@code pontoon kv-node ID} on its port and data directory (a restart reuses both). PAGE_CACHE: a kill -9 of
     * the process loses nothing the node wrote (the kernel keeps it), and the test stays fast; a snapshot every 300
     * entries, so a restarted node also recovers from a snapshot.
     */
    private void startKvNode(int id) throws Exception {
        running[id] = nodes.start("kv-node", "--id", String.valueOf(id), "--listen", "127.0.0.1:" + ports[id - 1],
            "--peers", peers, "--data-dir", nodes.dataDir(id).toString(), "--durability", "PAGE_CACHE",
            "--snapshot-every", "300", "--peer-secret-file", peerSecretFile.toString(), "--client-secret-file",
            clientSecretFile.toString(), "--admin-secret-file", adminSecretFile.toString(), "--fault-control");
    }

    /** The nemesis schedule's pause between steps (not a wait for a state: those poll with a deadline). */
    private static void parkUntil(long deadlineNs) {
        for (long left = deadlineNs - System.nanoTime(); left > 0; left = deadlineNs - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
