package io.pontoon.cli;

import io.pontoon.LocalCluster;
import io.pontoon.RaftConfig;
import io.pontoon.kv.KvClient;
import io.pontoon.kv.KvReadMode;
import io.pontoon.kv.KvRequestHandler;
import io.pontoon.kv.KvStateMachine;
import io.pontoon.storage.Durability;
import io.pontoon.storage.FileSnapshotStore;
import io.pontoon.storage.TempNodeStores;
import io.pontoon.testkit.Nemesis;
import io.pontoon.testkit.history.CheckResult;
import io.pontoon.testkit.history.LinearizabilityChecker;
import io.pontoon.transport.NettyLoopbackFabric;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code ./pontoon kv-bench}: a mixed get/put/cas workload on the key-value store, with or without a nemesis; it
 * records the history and checks it for linearizability.
 */
@Command(name = "kv-bench", mixinStandardHelpOptions = true,
    description = {"Runs a mixed get/put/cas workload on the key-value store, records the history (Jepsen",
        "semantics: an operation whose outcome is unknown is 'info') and checks it for linearizability; prints",
        "RESULT ops=... ok=... fail=... info=... ops_per_sec=... linearizable=true|false, and the counterexample",
        "when it is not. '--read-mode unsafe-local' makes a deliberately broken store: every get is answered by a",
        "random node from its own state, without ReadIndex (a follower read done wrong); the checker should",
        "catch it.",
        "--local N runs the cluster in this process (over Netty on loopback, Chronicle journals)",
        "with the in-process nemesis; --cluster runs against './pontoon kv-node' processes (faults there: use",
        "'./pontoon fault'). Exit status 0 if linearizable, 1 if not."})
public final class KvBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--local", description = "Run an in-process cluster of N nodes (3 to 7).")
    int local;

    @Option(names = "--cluster", description = "Node addresses HOST:PORT of kv-node processes, comma-separated.")
    String cluster;

    @Option(names = "--cluster-id", defaultValue = "1", description = "Cluster id with --cluster. "
        + "Default: ${DEFAULT-VALUE}.")
    int clusterId;

    @Option(names = "--secret-file", description = "Client secret file with --cluster.")
    Path secretFile;

    @Option(names = "--seconds", defaultValue = "10", description = "Duration of the workload. Default: "
        + "${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--keys", defaultValue = "8", description = "Keys the workload uses. Default: ${DEFAULT-VALUE}.")
    int keys;

    @Option(names = "--clients", defaultValue = "4", description = "Concurrent clients. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(names = "--nemesis", split = ",", description = "Faults to inject. With --local: partition, one-way, "
        + "loss, delay, kill, pause, isolate-leader, membership. With --cluster (through each node's fault control, "
        + "needs --admin-secret-file): partition, loss, delay, isolate-leader.")
    List<String> nemesis = List.of();

    @Option(names = "--admin-secret-file", description = "With --cluster and --nemesis: the nodes' admin secret "
        + "(they run with --fault-control).")
    Path adminSecretFile;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the workload and the nemesis schedule.")
    long seed;

    @Option(names = "--read-mode", defaultValue = "linearizable", description = "With --local: linearizable, lease "
        + "or unsafe-local (a deliberately broken store: reads from the node's own state, no ReadIndex).")
    String readMode;

    @Option(names = "--history", description = "Write the history here, one JSON object per line.")
    Path historyFile;

    @Option(names = "--timeout-ms", defaultValue = "3000", description = "Time an operation may take before it is "
        + "recorded as info (outcome unknown). Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Override
    public Integer call() throws Exception {
        OptionChecks.range(spec, "--seconds", seconds, 1, 86_400);
        OptionChecks.range(spec, "--keys", keys, 1, 1_000_000);
        OptionChecks.range(spec, "--clients", clients, 1, 1_000);
        OptionChecks.range(spec, "--timeout-ms", timeoutMs, 100, 600_000);
        if ((local == 0) == (cluster == null)) {
            throw new ParameterException(spec.commandLine(), "give either --local N or --cluster HOST:PORT,...");
        }
        final EnumSet<Nemesis.Fault> faults = faults();
        final KvReadMode mode = readMode();
        if (cluster != null && mode != KvReadMode.READ_INDEX) {
            throw new ParameterException(spec.commandLine(), "--read-mode applies to --local only (with --cluster the "
                + "nodes' own --read-mode holds)");
        }
        if (cluster != null && !faults.isEmpty()) {
            final EnumSet<Nemesis.Fault> unsupported = EnumSet.copyOf(faults);
            unsupported.removeAll(RemoteNemesis.SUPPORTED);
            if (!unsupported.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--nemesis " + unsupported.stream()
                    .map(f -> f.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(","))
                    + " needs --local: against --cluster only partition, loss, delay and isolate-leader are "
                    + "injected (kill the kv-node processes yourself)");
            }
            if (adminSecretFile == null) {
                throw new ParameterException(spec.commandLine(), "--nemesis with --cluster needs "
                    + "--admin-secret-file (the nodes' admin secret; they run with --fault-control)");
            }
        }
        final KvWorkload workload = new KvWorkload(clients, keys, Duration.ofSeconds(seconds), seed,
            Duration.ofMillis(timeoutMs));
        final long start = System.nanoTime();
        if (local > 0) {
            OptionChecks.range(spec, "--local", local, 3, 7);
            runLocal(workload, faults, mode);
        } else {
            final PontoonClientConfig.Builder b = PontoonClientConfig.builder().clusterId(clusterId)
                .requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMs, 2_000)));
            try {
                b.addresses(cluster);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--cluster: " + e.getMessage());
            }
            if (secretFile != null) {
                b.secret(NodeCommand.readSecret(secretFile));
            }
            final PontoonClientConfig config = b.build();
            if (faults.isEmpty()) {
                workload.run(clientsOf(config));
            } else {
                final PontoonClientConfig adminConfig = PontoonClientConfig.builder().clusterId(clusterId)
                    .addresses(cluster).secret(NodeCommand.readSecret(adminSecretFile)).build();
                final List<InetSocketAddress> nodes = java.util.Arrays.stream(cluster.split(",")).map(String::trim)
                    .map(a -> io.pontoon.transport.NettyTransportConfig.parseAddress("--cluster", a)).toList();
                try (PontoonClient admin = new PontoonClient(adminConfig)) {
                    final RemoteNemesis nem = new RemoteNemesis(admin, nodes, faults, seed).start();
                    try {
                        workload.run(clientsOf(config));
                    } finally {
                        nem.close();
                        spec.commandLine().getOut().println("NEMESIS " + String.join("; ", nem.events()));
                    }
                }
            }
        }
        final double elapsed = (System.nanoTime() - start) / 1e9;
        return report(workload, elapsed);
    }

    private int report(KvWorkload workload, double elapsedSeconds) throws java.io.IOException {
        final PrintWriter out = spec.commandLine().getOut();
        if (historyFile != null) {
            workload.history().writeJsonl(historyFile);
        }
        final CheckResult result = LinearizabilityChecker.forKv().check(workload.history());
        final long ops = workload.ok() + workload.fail() + workload.info();
        if (!result.linearizable()) {
            out.println(result);
        }
        out.println("RESULT ops=" + ops + " ok=" + workload.ok() + " fail=" + workload.fail() + " info="
            + workload.info() + " ops_per_sec=" + Math.round(ops / Math.max(elapsedSeconds, 1e-9)) + " linearizable="
            + result.linearizable());
        out.flush();
        return result.linearizable() ? PontoonCli.EXIT_OK : PontoonCli.EXIT_FAILED;
    }

    /** Each client thread gets a PontoonClient of its own: clients follow leaders independently, as real ones do. */
    private Supplier<KvClient> clientsOf(PontoonClientConfig config) {
        return () -> new KvClient(config);
    }

    private void runLocal(KvWorkload workload, EnumSet<Nemesis.Fault> faults, KvReadMode mode) throws Exception {
        final TempNodeStores stores = new TempNodeStores("pontoon-kv-bench", Durability.PAGE_CACHE,
            16 * 1024 * 1024);
        final NettyLoopbackFabric fabric = new NettyLoopbackFabric(seed, stores::logStore, stores::metaStore,
            stores::close);
        fabric.snapshotStores(id -> FileSnapshotStore.open(stores.dataDir(id)));
        final RaftConfig config = RaftConfig.builder().electionTimeout(Duration.ofMillis(300))
            .heartbeatInterval(Duration.ofMillis(50)).proposalTimeout(Duration.ofMillis(Math.max(1_000, timeoutMs)))
            .preVote(true).checkQuorum(true).leaseReads(mode == KvReadMode.LEASE).maxClockDrift(Duration.ofMillis(50))
            .build();
        try (LocalCluster c = LocalCluster.start(local, config, fabric, 0, id -> new KvStateMachine())) {
            c.awaitLeader(Duration.ofSeconds(30));
            final java.util.function.IntFunction<io.pontoon.transport.ApplicationHandler> handlers =
                i -> new KvRequestHandler((KvStateMachine) c.stateMachine(i), mode);
            if (mode == KvReadMode.UNSAFE_LOCAL) {
                // The broken store's reads: any node answers from its own state (a follower read without ReadIndex).
                workload.localReads((random, key) -> java.util.Optional.ofNullable(
                    ((KvStateMachine) c.stateMachine(random.nextInt(local))).localGet(key)));
            }
            fabric.serveClients(c, handlers);
            final String addresses = java.util.stream.IntStream.rangeClosed(1, local).mapToObj(id -> {
                final InetSocketAddress a = fabric.address(id);
                return a.getHostString() + ":" + a.getPort();
            }).collect(Collectors.joining(","));
            final PontoonClientConfig clientConfig = PontoonClientConfig.builder()
                .clusterId(NettyLoopbackFabric.CLUSTER_ID).addresses(addresses)
                .requestTimeoutNs(TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMs, 1_000))).build();
            final Nemesis nem = faults.isEmpty() ? null : Nemesis.builder(c).seed(seed).faults(faults)
                .interval(Duration.ofMillis(700)).faultDuration(Duration.ofMillis(1_200))
                .afterRestart(i -> fabric.serveClients(c, handlers)).build().start();
            try {
                workload.run(clientsOf(clientConfig));
            } finally {
                if (nem != null) {
                    nem.close();
                    final PrintWriter out = spec.commandLine().getOut();
                    out.println("NEMESIS " + String.join("; ", nem.events()));
                }
            }
        }
    }

    private EnumSet<Nemesis.Fault> faults() {
        final EnumSet<Nemesis.Fault> set = EnumSet.noneOf(Nemesis.Fault.class);
        for (String name : nemesis) {
            try {
                set.add(Nemesis.Fault.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--nemesis: unknown fault '" + name + "' (known: "
                    + java.util.Arrays.stream(Nemesis.Fault.values()).map(f -> f.name().toLowerCase(Locale.ROOT)
                    .replace('_', '-')).collect(Collectors.joining(", ")) + ")");
            }
        }
        return set;
    }

    private KvReadMode readMode() {
        switch (readMode.toLowerCase(Locale.ROOT)) {
            case "linearizable": return KvReadMode.READ_INDEX;
            case "lease": return KvReadMode.LEASE;
            case "unsafe-local": return KvReadMode.UNSAFE_LOCAL;
            default:
                throw new ParameterException(spec.commandLine(), "--read-mode: unknown mode '" + readMode
                    + "' (linearizable, lease or unsafe-local)");
        }
    }
}
