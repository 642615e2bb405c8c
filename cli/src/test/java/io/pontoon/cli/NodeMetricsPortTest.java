package io.pontoon.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static io.pontoon.cli.NodeProcesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./pontoon node --metrics-port P}: the READY line names the port, which serves /status, /metrics and /. */
class NodeMetricsPortTest {
    private NodeProcesses fixture;

    @AfterEach
    void cleanUp() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void nodeWithMetricsPortServesStatusMetricsAndThePage() throws Exception {
        fixture = new NodeProcesses("pontoon-metrics-port-test");
        final int[] ports = NodeProcesses.freePorts(2);
        final NodeProcesses.Running node = fixture.startNode(1, ports[0], "1=127.0.0.1:" + ports[0],
            "--durability", "PAGE_CACHE", "--metrics-port", String.valueOf(ports[1]));
        node.awaitReady();
        assertTrue(node.out().stream().anyMatch(l -> l.startsWith("READY node=1 ")
            && l.contains(" metrics=127.0.0.1:" + ports[1] + " ")), String.join("\n", node.out()));
        final String base = "http://127.0.0.1:" + ports[1];
        // A single voter elects itself.
        awaitCondition(() -> getOrEmpty(base + "/status").contains("\"role\":\"LEADER\""), "the node leads");
        // PontoonMetrics' meters, tagged with the node; the role is published by the Raft thread's next duty cycle.
        awaitCondition(() -> getOrEmpty(base + "/metrics").contains("\npontoon_role{node=\"1\"} 3.0\n"),
            "/metrics shows the node leading (pontoon_role 3)");
        final String metrics = getOrEmpty(base + "/metrics");
        assertTrue(metrics.contains("\npontoon_term{node=\"1\"} ")
            && metrics.contains("\npontoon_commits_total{node=\"1\"} ")
            && metrics.contains("\npontoon_leader{node=\"1\"} 1.0\n"), metrics);
        assertTrue(getOrEmpty(base + "/").contains("<title>Pontoon node</title>"));
        node.stop();
    }

    private static String getOrEmpty(String url) {
        try {
            final HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(10_000);
            if (c.getResponseCode() != 200) {
                return "";
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return "";
        }
    }
}
