package io.pontoon.cli;

import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.storage.JournalDump;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.pontoon.cli.NodeProcesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replacing a node with real processes, under a steady client load: three {@code pontoon node} JVMs take appends from
 * one client in this JVM, never restarted. Node 4 starts as a learner of the running cluster, {@code pontoon members
 * add 4=... --learner} adds it, it catches up (its lag in {@code pontoon status}), {@code members promote 4} makes it
 * a voter, node 3 is made leader ({@code pontoon transfer}) and {@code members remove 3} takes it out, and node 3's
 * process stops. The client keeps being acknowledged
 * throughout, and every acknowledged append is in the journals of nodes 1, 2 and 4 with its payload's CRC, which
 * agree with each other, as do their state machines.
 */
class MembershipProcessTest {
    /** Appends kept in flight by the load. */
    private static final int IN_FLIGHT = 8;
    /** Lag (entries) under which node 4 counts as caught up. */
    private static final long CAUGHT_UP_LAG = 200;

    private NodeProcesses nodes;

    @AfterEach
    void cleanUp() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    private final NodeProcesses.Running[] running = new NodeProcesses.Running[5];
    private Load load;

    @Test
    void aNodeIsReplacedUnderLoadWithoutLosingAnAcknowledgedAppend() throws Exception {
        try {
            replaceNodeThreeWithNodeFour();
        } catch (AssertionError e) {
            final StringBuilder sb = new StringBuilder(e.getMessage());
            if (load != null) {
                sb.append("\nload: ").append(load.acked.size()).append(" acknowledged, failures ")
                    .append(load.failures).append(' ').append(load.otherFailures);
            }
            sb.append("\nnode output:");
            for (int id = 1; id <= 4; id++) {
                if (running[id] != null) {
                    sb.append("\n--- node ").append(id).append('\n')
                        .append(NodeProcesses.lastLines(running[id].out(), 40));
                }
            }
            throw new AssertionError(sb.toString(), e);
        }
    }

    private void replaceNodeThreeWithNodeFour() throws Exception {
        nodes = new NodeProcesses("pontoon-membership-process-test");
        final int[] ports = NodeProcesses.freePorts(4);
        final String peers = "1=127.0.0.1:" + ports[0] + ",2=127.0.0.1:" + ports[1] + ",3=127.0.0.1:" + ports[2];
        final String node4 = "127.0.0.1:" + ports[3];
        // PAGE_CACHE: no process is killed here, so what a node wrote survives its exit; it keeps the test fast.
        final String[] nodeArgs = {"--durability", "PAGE_CACHE"};
        for (int id = 1; id <= 3; id++) {
            running[id] = nodes.startNode(id, ports[id - 1], peers, nodeArgs);
        }
        for (int id = 1; id <= 3; id++) {
            running[id].awaitReady();
        }
        final String cluster = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];

        final Map<Long, String> acked = new ConcurrentHashMap<>();
        try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(cluster).build());
             Load load = new Load(client, acked)) {
            this.load = load;
            load.start();
            awaitCondition(() -> load.acked.size() >= 300, "300 appends acknowledged before the change");

            // Node 4 starts knowing the members and itself as a learner, then the leader adds it.
            running[4] = nodes.startNode(4, ports[3], peers + ",4=" + node4, concat(nodeArgs, "--learners", "4"));
            running[4].awaitReady();
            final List<String> added = members(cluster, "add", "4=" + node4, "--learner");
            assertTrue(added.contains("LEARNER 4 " + node4), "after add: " + added);

            awaitCondition(() -> lagOf(cluster, 4) <= CAUGHT_UP_LAG, "node 4 within " + CAUGHT_UP_LAG + " entries");
            final List<String> promoted = members(cluster, "promote", "4");
            assertTrue(promoted.contains("VOTER 4 " + node4), "after promote: " + promoted);

            // The hardest case, every run: node 3 leads (the client's appends go to it) and removes itself; it commits
            // its removal, then steps down, and the client follows the new leader.
            final CliRun transfer = CliRun.of("transfer", "--cluster", cluster, "--to", "3", "--timeout-ms", "30000");
            assertEquals(PontoonCli.EXIT_OK, transfer.exitCode(), transfer.out() + transfer.err());
            final List<String> removed = members(cluster, "remove", "3");
            assertEquals(List.of("VOTER 1 127.0.0.1:" + ports[0], "VOTER 2 127.0.0.1:" + ports[1], "VOTER 4 " + node4),
                removed);
            running[3].stop();

            final long acksWithoutNode3 = load.acked.size();
            awaitCondition(() -> load.acked.size() >= acksWithoutNode3 + 300, "300 more appends acknowledged after "
                + "node 3 stopped (failures so far: " + load.failures + ")");
            load.stopAndAwait();
            assertTrue(load.failures.stream().allMatch(c -> c == ResultCode.TIMEOUT || c == ResultCode.CLOSED),
                "only appends whose outcome is unknown may fail (in flight on node 3, or across its step-down): "
                    + load.failures + " " + load.otherFailures);
            assertTrue(load.otherFailures.isEmpty(), "failures that are no result code: " + load.otherFailures);
            assertEquals(List.of("VOTER 1 127.0.0.1:" + ports[0], "VOTER 2 127.0.0.1:" + ports[1], "VOTER 4 " + node4),
                members(cluster + "," + node4, "list"));

            // Every remaining node commits up to the leader's commit index before it is stopped.
            final List<String> remaining = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1], node4);
            final long target = NodeProcesses.awaitLeader(client, remaining).commitIndex();
            for (String a : remaining) {
                awaitCondition(() -> {
                    final RaftStatus s = NodeProcesses.statusOrNull(client, a);
                    return s != null && s.lastApplied() >= target;
                }, a + " applies up to " + target);
            }
        }

        final List<String> states = new ArrayList<>();
        for (int id : new int[] {1, 2, 4}) {
            running[id].stop();
            final String state = running[id].out().stream().filter(l -> l.startsWith("STATE ")).findFirst()
                .orElseThrow(() -> new AssertionError("no STATE line: " + NodeProcesses.lastLines(running[id].out(), 20)));
            states.add(state.substring(state.indexOf(" index=")));
        }
        assertEquals(states.get(0), states.get(1), "nodes 1 and 2 hold the same state");
        assertEquals(states.get(0), states.get(2), "nodes 1 and 4 hold the same state");

        final List<Map<Long, String>> dumps = List.of(nodes.dump(1), nodes.dump(2), nodes.dump(4));
        final int[] ids = {1, 2, 4};
        for (int i = 0; i < dumps.size(); i++) {
            final Map<Long, String> d = dumps.get(i);
            for (Map.Entry<Long, String> e : acked.entrySet()) {
                assertEquals(e.getValue(), d.get(e.getKey()), "node " + ids[i] + " lsn " + e.getKey()
                    + " (acknowledged)");
            }
            for (Map.Entry<Long, String> e : d.entrySet()) {
                for (Map<Long, String> other : dumps) {
                    final String o = other.get(e.getKey());
                    assertTrue(o == null || o.equals(e.getValue()), "nodes disagree on lsn " + e.getKey());
                }
            }
        }
    }

    /** {@code pontoon members ACTION...} in-process; must succeed. Its output lines. */
    private static List<String> members(String cluster, String... action) {
        final String[] args = concat(new String[] {"members", "--cluster", cluster, "--timeout-ms", "30000"}, action);
        final CliRun run = CliRun.of(args);
        assertEquals(PontoonCli.EXIT_OK, run.exitCode(), String.join(" ", args) + ": " + run.out() + run.err());
        return run.outLines();
    }

    /** Node {@code id}'s lag on the leader as {@code pontoon status} prints it; MAX_VALUE when not shown. */
    private static long lagOf(String cluster, int id) {
        final CliRun run = CliRun.of("status", "--cluster", cluster);
        for (String line : run.outLines()) {
            if (line.startsWith("FOLLOWER ") && line.contains(" id=" + id + " ")) {
                final int at = line.indexOf(" lag=") + 5;
                return Long.parseLong(line.substring(at, line.indexOf(' ', at)));
            }
        }
        return Long.MAX_VALUE;
    }

    private static String[] concat(String[] a, String... b) {
        final String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * {@value #IN_FLIGHT} appends in flight through one client until stopped: each outcome sends the next (on the
     * client's I/O thread). Acknowledged LSNs map to the CRC32C of their payload, as {@code pontoon dump} prints it.
     */
    private static final class Load implements AutoCloseable {
        final Map<Long, String> acked;
        final ConcurrentLinkedQueue<ResultCode> failures = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> otherFailures = new ConcurrentLinkedQueue<>();
        private final PontoonClient client;
        private final AtomicLong sequence = new AtomicLong();
        private final AtomicInteger outstanding = new AtomicInteger();
        private volatile boolean stopped;

        Load(PontoonClient client, Map<Long, String> acked) {
            this.client = client;
            this.acked = acked;
        }

        void start() {
            for (int i = 0; i < IN_FLIGHT; i++) {
                next();
            }
        }

        private void next() {
            if (stopped) {
                return;
            }
            final byte[] payload = String.format("load-%010d-%s", sequence.incrementAndGet(), "x".repeat(40))
                .getBytes(StandardCharsets.US_ASCII);
            final String crc = JournalDump.payloadCrcHex(payload);
            outstanding.incrementAndGet();
            client.append(payload).whenComplete((lsn, error) -> {
                if (error == null) {
                    acked.put(lsn, crc);
                } else {
                    final Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                    if (cause instanceof ProposalException p) {
                        failures.add(p.code());
                    } else {
                        otherFailures.add(cause);
                    }
                }
                outstanding.decrementAndGet();
                next();
            });
        }

        /** Sends no more, and waits until every append sent has its outcome. */
        void stopAndAwait() {
            stopped = true;
            awaitCondition(() -> outstanding.get() == 0, "the load's last appends complete");
            assertFalse(acked.isEmpty());
        }

        @Override
        public void close() {
            stopped = true;
        }
    }
}
