package io.pontoon.cli;

import io.pontoon.RaftStatus;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pontoon kv-node} as three real processes, written and read with {@code pontoon kv}: the nodes take every
 * option of {@code pontoon node}, and stopped with SIGTERM they print the same STATE digest.
 */
class KvNodeProcessTest {
    private static final Pattern STATE =
        Pattern.compile("^STATE node=(\\d+) index=(\\d+) keys=(\\d+) digest=([0-9a-f]+)$");

    @Test
    void threeKvNodesServeTheCommandLineAndStopHoldingTheSameMap() throws Exception {
        try (NodeProcesses nodes = new NodeProcesses("pontoon-kv-node-test")) {
            final int[] ports = NodeProcesses.freePorts(3);
            final String peers = "1=127.0.0.1:" + ports[0] + ",2=127.0.0.1:" + ports[1] + ",3=127.0.0.1:" + ports[2];
            final String cluster = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
            final List<NodeProcesses.Running> running = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                running.add(nodes.start("kv-node", "--id", String.valueOf(id), "--listen", "127.0.0.1:" + ports[id - 1],
                    "--peers", peers, "--data-dir", nodes.dataDir(id).toString(), "--durability", "PAGE_CACHE",
                    "--snapshot-every", "10"));
            }
            for (NodeProcesses.Running r : running) {
                r.awaitReady();
                assertTrue(r.out().stream().anyMatch(l -> l.startsWith("READY ") && l.contains("state_keys=0")
                    && l.contains("read_mode=READ_INDEX")), String.join("\n", r.out()));
            }
            for (int i = 0; i < 25; i++) {
                final CliRun put = CliRun.of("kv", "--cluster", cluster, "put", "k" + i, "v" + i);
                assertEquals(PontoonCli.EXIT_OK, put.exitCode(), put.out() + put.err());
            }
            final CliRun cas = CliRun.of("kv", "--cluster", cluster, "cas", "k3", "v3", "w3");
            assertEquals("OK", cas.lastOutLine(), cas.out() + cas.err());
            final CliRun get = CliRun.of("kv", "--cluster", cluster, "get", "k3");
            assertEquals("VALUE w3", get.lastOutLine(), get.out() + get.err());

            // every node has been handed every committed entry before it is stopped (it applies them as it closes)
            try (PontoonClient client = new PontoonClient(PontoonClientConfig.builder().addresses(cluster).build())) {
                final List<String> addresses = List.of(cluster.split(","));
                final long committed = NodeProcesses.awaitLeader(client, addresses).commitIndex();
                NodeProcesses.awaitCondition(() -> addresses.stream().allMatch(a -> {
                    final RaftStatus s = NodeProcesses.statusOrNull(client, a);
                    return s != null && s.lastApplied() >= committed;
                }), "every node applied up to " + committed);
            }
            final List<String> digests = new ArrayList<>();
            for (NodeProcesses.Running r : running) {
                r.stop();
                final String state = r.out().stream().filter(l -> l.startsWith("STATE ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no STATE line: " + NodeProcesses.lastLines(r.out(), 20)));
                final Matcher m = STATE.matcher(state);
                assertTrue(m.matches(), state);
                assertEquals("25", m.group(3), state);
                digests.add(m.group(4));
            }
            assertEquals(1, digests.stream().distinct().count(), "every node holds the same map: " + digests);
        }
    }
}
