package io.pontoon.cli;

import io.pontoon.RaftStatus;
import io.pontoon.transport.NettyTransportConfig;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import io.pontoon.transport.fault.FaultPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ./pontoon fault}: sets a running node's fault rules (its peer links only) over the client protocol's FAULT
 * admin op, to bench-test a real deployment under packet loss, delay or a partition. Authenticates with the nodes'
 * admin secret only: a client secret cannot set faults, so this command takes no {@code --secret-file}.
 */
@Command(name = "fault", mixinStandardHelpOptions = true,
    description = {"Sets the fault rules of node --node, a running './pontoon node --fault-control",
        "--admin-secret-file F' (a node started without --fault-control refuses, and",
        "says so). The rules act on the node's peer links only, never on client",
        "connections:",
        "  --drop P           the node drops each frame it sends to a peer with",
        "                     probability P",
        "  --delay-ms D       and delays each by D ms (plus 0 .. --jitter-ms at random)",
        "  --partition 1,2/3  the node keeps its links to its own group and cuts the",
        "                     others, both ways (peers in no group, or added later,",
        "                     too). Each node cuts its own links: to split a cluster,",
        "                     run it for every node of the smaller side.",
        "  --clear            removes every rule",
        "Each run replaces the node's previous rules: give every fault the node should",
        "have in one command. The node is found among --cluster by its id (its",
        "status), then asked directly (no redirect). Prints",
        "'FAULT ok node=ID address=HOST:PORT PLAN', PLAN being",
        "'drop=P delay_ms=D jitter_ms=J partition=IDS' (the parts set) or 'none'.",
        "A refusal or an unreachable node prints one line on stderr naming why, and",
        "exits 1."})
public final class FaultCommand implements Callable<Integer> {
    /** Longest --delay-ms and --jitter-ms. */
    static final long MAX_DELAY_MS = FaultPlan.MAX_DELAY.toMillis();

    @Spec
    CommandSpec spec;

    @Option(names = "--cluster", required = true, description = "Node addresses HOST:PORT, comma-separated; --node is "
        + "looked for among them.")
    String cluster;

    @Option(names = "--cluster-id", defaultValue = "1", description = "Cluster id. Default: ${DEFAULT-VALUE}.")
    int clusterId;

    @Option(names = "--node", required = true, description = "Id of the node whose peer links get the faults.")
    int node;

    @Option(names = "--admin-secret-file", required = true, description = "File holding the nodes' admin secret (their "
        + "--admin-secret-file). It authenticates every connection this command opens; a client secret is refused.")
    Path adminSecretFile;

    @Mixin
    TlsOptions tls = new TlsOptions();

    @Option(names = "--drop", paramLabel = "P", description = "Probability in [0, 1] that the node drops a frame it "
        + "sends to a peer.")
    Double drop;

    @Option(names = "--delay-ms", paramLabel = "D", description = "Delay added to every frame the node sends to a peer, "
        + "0 .. 60000 ms.")
    Long delayMs;

    @Option(names = "--jitter-ms", paramLabel = "J", description = "Plus a random 0 .. J ms per frame (frames may then "
        + "overtake each other), 0 .. 60000.")
    Long jitterMs;

    @Option(names = "--partition", paramLabel = "GROUPS", description = "Node ids in groups separated by '/', e.g. 1,2/3: "
        + "the node keeps its links to its own group only.")
    String partition;

    @Option(names = "--clear", description = "Remove every rule of the node.")
    boolean clear;

    @Option(names = "--timeout-ms", defaultValue = "5000", description = "Time for finding the node and its answer. "
        + "Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Override
    public Integer call() throws IOException, InterruptedException {
        OptionChecks.range(spec, "--node", node, 1, Integer.MAX_VALUE);
        OptionChecks.range(spec, "--timeout-ms", timeoutMs, 1, 600_000);
        final FaultPlan plan = plan();
        final PontoonClientConfig config = clientConfig();
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final String action = "fault --node " + node + (clear ? " --clear" : "");
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try (PontoonClient client = new PontoonClient(config)) {
            final Map<String, String> unreachable = new LinkedHashMap<>();
            final String address = find(client, deadlineNs, unreachable);
            if (address == null) {
                err.println(action + " failed: " + notFound(unreachable));
                err.flush();
                return PontoonCli.EXIT_FAILED;
            }
            try {
                client.fault(NettyTransportConfig.parseAddress("--cluster", address), node, plan)
                    .get(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                err.println(action + " failed: " + why(e.getCause()));
                err.flush();
                return PontoonCli.EXIT_FAILED;
            } catch (TimeoutException e) {
                err.println(action + " failed: no answer from node " + node + " at " + address + " within " + timeoutMs
                    + " ms; its rules may or may not have changed");
                err.flush();
                return PontoonCli.EXIT_FAILED;
            }
            out.println("FAULT ok node=" + node + " address=" + address + " " + plan.describe());
            out.flush();
            return PontoonCli.EXIT_OK;
        }
    }

    /** The plan the options describe; a usage error names what is wrong. */
    FaultPlan plan() {
        final boolean anyFault = drop != null || delayMs != null || jitterMs != null || partition != null;
        if (clear) {
            if (anyFault) {
                throw usage("--clear removes every rule; it cannot be combined with --drop, --delay-ms, --jitter-ms or "
                    + "--partition");
            }
            return FaultPlan.NONE;
        }
        if (!anyFault) {
            throw usage("give at least one of --drop, --delay-ms, --jitter-ms, --partition, or --clear");
        }
        if (drop != null && !(drop >= 0.0 && drop <= 1.0)) {
            throw usage("--drop must be a probability in [0, 1], got " + drop);
        }
        final long delay = delayMs == null ? 0 : OptionChecks.range(spec, "--delay-ms", delayMs, 0, MAX_DELAY_MS);
        final long jitter = jitterMs == null ? 0 : OptionChecks.range(spec, "--jitter-ms", jitterMs, 0, MAX_DELAY_MS);
        FaultPlan plan = FaultPlan.NONE.withDrop(drop == null ? 0.0 : drop)
            .withDelay(Duration.ofMillis(delay), Duration.ofMillis(jitter));
        if (partition != null) {
            plan = plan.withPartition(groupOf(partition, node));
        }
        return plan;
    }

    /**
     * The group of {@code nodeId} in {@code groups} ({@code 1,2/3}): at least two non-empty groups of positive ids,
     * each id in one group only, {@code nodeId} in one of them.
     */
    List<Integer> groupOf(String groups, int nodeId) {
        final String[] parts = groups.split("/", -1);
        if (parts.length < 2) {
            throw usage("--partition needs at least two groups of node ids separated by '/', e.g. 1,2/3; got '"
                + groups + "'");
        }
        final Set<Integer> seen = new LinkedHashSet<>();
        List<Integer> own = null;
        for (String part : parts) {
            final List<Integer> group = new ArrayList<>();
            for (String id : part.split(",", -1)) {
                final int n = parseId(id.trim(), groups);
                if (!seen.add(n)) {
                    throw usage("--partition '" + groups + "' lists node " + n + " twice");
                }
                group.add(n);
            }
            if (group.contains(nodeId)) {
                own = group;
            }
        }
        if (own == null) {
            throw usage("--partition '" + groups + "' puts node " + nodeId + " (--node) in no group");
        }
        return own;
    }

    private int parseId(String id, String groups) {
        try {
            final int n = Integer.parseInt(id);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw usage("--partition '" + groups + "': '" + id + "' is not a node id (a positive integer)"
            + (id.isEmpty() ? "; is a group empty?" : ""));
    }

    private PontoonClientConfig clientConfig() throws IOException {
        final PontoonClientConfig.Builder cb = PontoonClientConfig.builder().clusterId(clusterId)
            .requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(timeoutMs)).maxAttempts(1);
        try {
            cb.addresses(cluster);
            cb.tls(tls.toConfig(false));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        cb.secret(NodeCommand.readSecret(adminSecretFile, "--admin-secret-file"));
        try {
            return cb.build();
        } catch (IllegalArgumentException e) { // no address in --cluster
            throw new ParameterException(spec.commandLine(), "--cluster: " + e.getMessage());
        }
    }

    /** The --cluster address of node --node, asking each for its status; the others' failures go to unreachable. */
    private String find(PontoonClient client, long deadlineNs, Map<String, String> unreachable)
        throws InterruptedException {
        final Map<String, CompletableFuture<RaftStatus>> asked = new LinkedHashMap<>();
        for (String a : TransferCommand.addresses(cluster)) {
            asked.put(a, client.status(a));
        }
        String found = null;
        for (Map.Entry<String, CompletableFuture<RaftStatus>> e : asked.entrySet()) {
            try {
                final RaftStatus s = e.getValue().get(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (s.nodeId() == node && found == null) {
                    found = e.getKey();
                } else if (s.nodeId() != node) {
                    unreachable.put(e.getKey(), "node " + s.nodeId());
                }
            } catch (ExecutionException failed) {
                unreachable.put(e.getKey(), "unreachable: " + failed.getCause().getMessage());
            } catch (TimeoutException slow) {
                unreachable.put(e.getKey(), "no answer within " + timeoutMs + " ms");
            }
        }
        return found;
    }

    private String notFound(Map<String, String> others) {
        final StringBuilder s = new StringBuilder("node " + node + " is not among the nodes of --cluster (");
        others.forEach((address, what) -> s.append(address).append(": ").append(what).append("; "));
        s.setLength(s.length() - 2);
        s.append(')');
        if (others.values().stream().anyMatch(w -> w.startsWith("unreachable"))) {
            s.append(". A node that was not started with this --admin-secret-file refuses the connection");
        }
        return s.toString();
    }

    /** Why the node did not apply the plan, in words. */
    private String why(Throwable cause) {
        if (cause instanceof IllegalStateException) {
            return "refused: " + cause.getMessage();
        }
        if (cause instanceof ConnectException) {
            return "unreachable: " + cause.getMessage();
        }
        return MembersCommand.why(cause);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
