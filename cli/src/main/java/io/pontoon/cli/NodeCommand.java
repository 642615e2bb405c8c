package io.pontoon.cli;

import io.pontoon.HashingStateMachine;
import io.pontoon.StateMachine;
import io.pontoon.server.PontoonServer;
import io.pontoon.storage.Durability;
import io.pontoon.transport.NettyTransportConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** {@code ./pontoon node}: one Raft member as a process, Netty transport and a Chronicle journal, until stopped. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = {"Runs one Pontoon node as a process until stopped (SIGTERM/Ctrl-C): Netty transport on --listen,",
        "a Chronicle Queue journal and term/vote file in --data-dir. Clients (./pontoon append/status) use the same port.",
        "Prints 'READY node=ID listen=HOST:PORT' once it accepts connections."})
public class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /**
     * What a node runs: its state machine, what it adds to the server (a request handler) and the state its READY and
     * STATE lines report. {@code node} runs a {@link HashingStateMachine}; {@code kv-node} ({@link KvNodeCommand}) the
     * key-value store, with every option of this command.
     */
    interface Application {
        StateMachine stateMachine();

        /** Adds what the application needs to the server: its request handler, engine settings. */
        void configure(PontoonServer.Builder server);

        /** The READY line's state fields, e.g. {@code " state_index=12 state_count=10"}. */
        String readyFields();

        /** The STATE line's fields once the node closed, e.g. {@code " index=12 count=10 hash=ab"}. */
        String stateFields();
    }

    /** The demo's state machine: a count and a running hash of the payloads applied. */
    Application application() {
        final HashingStateMachine sm = new HashingStateMachine();
        return new Application() {
            @Override
            public StateMachine stateMachine() {
                return sm;
            }

            @Override
            public void configure(PontoonServer.Builder server) {
                // no request handler: clients append, and read the state through status
            }

            @Override
            public String readyFields() {
                return " state_index=" + sm.index() + " state_count=" + sm.count();
            }

            @Override
            public String stateFields() {
                return " index=" + sm.index() + " count=" + sm.count() + " hash=" + Long.toHexString(sm.hash());
            }
        };
    }

    @Option(names = "--id", required = true, description = "This node's id (positive, listed in --peers).")
    int id;

    @Option(names = "--listen", required = true, description = "Address to listen on, HOST:PORT.")
    String listen;

    @Option(names = "--peers", required = true,
        description = "Every member as ID=HOST:PORT, comma-separated, this node included.")
    String peers;

    @Option(names = "--data-dir", required = true, description = "Directory for the journal and term/vote file (created if missing).")
    Path dataDir;

    @Option(names = "--durability", defaultValue = "SYNC",
        description = "SYNC (fdatasync per group commit: survives power loss) or PAGE_CACHE (survives a process crash). Default: ${DEFAULT-VALUE}.")
    Durability durability;

    @Option(names = "--cluster-id", defaultValue = "1", description = "Cluster id; connections from another cluster are refused. Default: ${DEFAULT-VALUE}.")
    int clusterId;

    @Option(names = "--peer-secret-file", description = "File holding the peer secret: the other nodes must prove it in "
        + "the handshake (HMAC), and this node proves it to them. Clients never get it.")
    Path peerSecretFile;

    @Option(names = "--client-secret-file", description = "File holding a client secret (repeatable: clients may hold any "
        + "one). A client secret never opens a peer link. Without one, clients are not authenticated.")
    List<Path> clientSecretFiles = new ArrayList<>();

    @Option(names = "--secret-file", description = "One secret for peers and clients alike (whoever holds it can also act "
        + "as a peer); prefer --peer-secret-file with --client-secret-file.")
    Path secretFile;

    @Option(names = "--admin-secret-file", description = "File holding the admin secret: a client that proves it may "
        + "also use the admin ops (./pontoon fault, with --fault-control). It must differ from the peer and client "
        + "secrets and never opens a peer link.")
    Path adminSecretFile;

    @Option(names = "--fault-control", description = "Let admin clients set this node's fault rules at run time "
        + "(./pontoon fault: drop, delay or cut its peer links) to bench-test a deployment. Needs --admin-secret-file. "
        + "Without it, fault requests are refused.")
    boolean faultControl;

    @picocli.CommandLine.Mixin
    TlsOptions tls = new TlsOptions();

    @Option(names = "--insecure", description = "Allow listening on a non-loopback address without a peer secret "
        + "(anyone who reaches the port is then accepted as a peer).")
    boolean insecure;

    @Option(names = "--election-timeout-ms", defaultValue = "300", description = "Minimum election timeout. Default: ${DEFAULT-VALUE}.")
    long electionTimeoutMs;

    @Option(names = "--heartbeat-ms", defaultValue = "50", description = "Leader heartbeat interval. Default: ${DEFAULT-VALUE}.")
    long heartbeatMs;

    @Option(names = "--io-threads", defaultValue = "1", description = "Netty I/O threads. Default: ${DEFAULT-VALUE}.")
    int ioThreads;

    @Option(names = "--snapshot-every", defaultValue = "1000000", description = "Snapshot the state machine (a running "
        + "hash and count of the payloads) every N applied entries, then compact the journal up to the previous "
        + "snapshot; 0 = only on size (--snapshot-every-mb). Default: ${DEFAULT-VALUE}.")
    long snapshotEvery;

    @Option(names = "--snapshot-every-mb", defaultValue = "256", description = "Also snapshot after this many MiB of "
        + "payload applied; 0 = only by count. Default: ${DEFAULT-VALUE}.")
    long snapshotEveryMb;

    @Option(names = "--roll-cycle", defaultValue = "FAST_HOURLY", description = "Chronicle roll cycle of the journal "
        + "files (compaction deletes whole files): a Chronicle cycle such as FAST_HOURLY or TEN_MINUTELY, TEN_SECONDLY, or "
        + "a test cycle such as TEST_SECONDLY. "
        + "Default: ${DEFAULT-VALUE}.")
    String rollCycle;

    @Option(names = "--learners", split = ",", description = "Ids of members (in --peers) that are learners: they "
        + "receive and apply the log but never vote or lead. Every node lists the same ones. A node joining a running "
        + "cluster lists the members and itself in --peers and itself here, then is added with './pontoon members add "
        + "ID=HOST:PORT --learner'. Default: none.")
    int[] learners = new int[0];

    @Option(names = "--metrics-port", defaultValue = "0", description = "Serve /metrics (Prometheus text format), "
        + "/status (JSON) and a live status page at / over HTTP on this port of the --listen host; read-only and "
        + "unauthenticated. 0 = off. Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--snapshot-keep", defaultValue = "2", description = "Snapshots kept in DATA_DIR/snapshots "
        + "(at least 1; the journal is kept from the oldest). Default: ${DEFAULT-VALUE}.")
    int snapshotKeep;

    /** Roll cycles by name: Chronicle's standard ones, its small test ones, and the demo's ten-second cycle. */
    private static java.util.Map<String, net.openhft.chronicle.queue.RollCycle> rollCycles() {
        final java.util.Map<String, net.openhft.chronicle.queue.RollCycle> all = new java.util.LinkedHashMap<>();
        for (net.openhft.chronicle.queue.RollCycle c : net.openhft.chronicle.queue.RollCycles.values()) {
            all.put(((Enum<?>) c).name(), c);
        }
        all.put("TEN_SECONDLY", io.pontoon.storage.ShortRollCycles.TEN_SECONDLY);
        for (net.openhft.chronicle.queue.RollCycle c : net.openhft.chronicle.queue.rollcycles.TestRollCycles.values()) {
            all.putIfAbsent(((Enum<?>) c).name(), c);
        }
        return all;
    }

    static net.openhft.chronicle.queue.RollCycle rollCycle(String name) {
        return rollCycles().get(name);
    }

    static String rollCycleNames() {
        return String.join(", ", rollCycles().keySet());
    }

    /** Parses {@code 1=h:p,2=h:p}; the message names the bad element. */
    static Map<Integer, InetSocketAddress> parsePeers(String spec) {
        final Map<Integer, InetSocketAddress> map = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            final String p = part.trim();
            final int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--peers element '" + p + "' is not ID=HOST:PORT");
            }
            final int peerId;
            try {
                peerId = Integer.parseInt(p.substring(0, eq).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--peers element '" + p + "' has a non-numeric id");
            }
            if (peerId <= 0) {
                throw new IllegalArgumentException("--peers element '" + p + "': node ids must be positive");
            }
            if (map.put(peerId, NettyTransportConfig.parseAddress("--peers", p.substring(eq + 1).trim())) != null) {
                throw new IllegalArgumentException("--peers lists node " + peerId + " twice");
            }
        }
        return map;
    }

    @Override
    public Integer call() throws Exception {
        final Map<Integer, InetSocketAddress> members;
        final InetSocketAddress listenAddress;
        try {
            members = parsePeers(peers);
            if (!members.containsKey(id)) {
                throw new IllegalArgumentException("--id " + id + " is not one of the --peers ids " + members.keySet());
            }
            listenAddress = NettyTransportConfig.parseAddress("--listen", listen);
            if (snapshotKeep < 1) {
                throw new IllegalArgumentException("--snapshot-keep must be at least 1, got " + snapshotKeep);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new IllegalArgumentException("--data-dir " + dataDir + " exists and is not a directory");
        }
        if (secretFile != null && (peerSecretFile != null || !clientSecretFiles.isEmpty())) {
            throw new ParameterException(spec.commandLine(),
                "--secret-file (one shared secret) cannot be combined with --peer-secret-file or --client-secret-file");
        }
        final Application app = application();
        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicReference<Throwable> failed = new AtomicReference<>();
        final PontoonServer.Builder server;
        try {
            server = PontoonServer.builder().nodeId(id).listen(listenAddress).peers(members).dataDir(dataDir)
                .clusterId(clusterId).ioThreads(ioThreads).durability(durability)
                .electionTimeout(Duration.ofMillis(electionTimeoutMs)).heartbeatInterval(Duration.ofMillis(heartbeatMs))
                .snapshotEvery(snapshotEvery).snapshotEveryBytes(snapshotEveryMb * 1024 * 1024).snapshotKeep(snapshotKeep)
                .stateMachine(app.stateMachine())
                .learners(learners)
                .metricsPort(metricsPort)
                .errorHandler(cause -> {
                    // Fail-stop (issue 9): the node is closed already; one line naming the cause, then exit non-zero.
                    failed.set(cause);
                    stopped.countDown();
                });
            app.configure(server);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (secretFile != null) {
            server.secret(readSecret(secretFile, "--secret-file"));
        }
        if (peerSecretFile != null) {
            server.peerSecret(readSecret(peerSecretFile, "--peer-secret-file"));
        }
        for (Path f : clientSecretFiles) {
            server.clientSecret(readSecret(f, "--client-secret-file"));
        }
        if (faultControl && adminSecretFile == null) {
            throw new ParameterException(spec.commandLine(), "--fault-control needs --admin-secret-file: only clients "
                + "that prove the admin secret may set faults");
        }
        if (adminSecretFile != null) {
            server.adminSecret(readSecret(adminSecretFile, "--admin-secret-file")).faultControl(faultControl);
        }
        final io.pontoon.transport.TlsConfig tlsConfig;
        try {
            tlsConfig = tls.toConfig(true);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        server.tls(tlsConfig).insecure(insecure);
        // The same rule as PontoonServer's, in the command line's terms.
        if (peerSecretFile == null && secretFile == null && tlsConfig == null && !insecure
            && (listenAddress.getAddress() == null || !listenAddress.getAddress().isLoopbackAddress())) {
            throw new ParameterException(spec.commandLine(), "refusing to listen on " + listen
                + " without peer authentication: anyone who reaches that port would be accepted as a peer. Give "
                + "--peer-secret-file (and --client-secret-file for clients) or --tls-cert/--tls-key/--tls-ca, or "
                + "--insecure to accept that.");
        }
        final net.openhft.chronicle.queue.RollCycle cycle = rollCycle(rollCycle);
        if (cycle == null) {
            throw new ParameterException(spec.commandLine(), "--roll-cycle " + rollCycle + " is not a roll cycle; use "
                + "one of " + rollCycleNames());
        }
        server.rollCycle(cycle);
        try {
            server.validate();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        final PontoonServer running = server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (RuntimeException e) {
                System.err.println("pontoon node " + id + ": closing: " + e);
            } finally {
                // The state machine after the close (which applies what was committed and handed over): nodes that
                // applied the same entries print the same line.
                System.out.println("STATE node=" + id + app.stateFields());
                System.out.flush();
                stopped.countDown();
            }
        }, "pontoon-node-shutdown"));
        System.out.println("READY node=" + id + " listen=" + NettyTransportConfig.format(running.localAddress())
            + " data_dir=" + dataDir.toAbsolutePath() + " durability=" + durability
            + (running.metricsAddress() == null ? "" : " metrics=" + NettyTransportConfig.format(running.metricsAddress()))
            + app.readyFields());
        System.out.flush();
        stopped.await();
        final Throwable cause = failed.get();
        if (cause != null) {
            System.err.println("pontoon node " + id + " FAILED: " + describe(cause));
            System.err.flush();
            return PontoonCli.EXIT_FAILED;
        }
        return PontoonCli.EXIT_OK;
    }

    /** The cause's own message (a StorageException names the directory and says "disk full" when it is). */
    static String describe(Throwable cause) {
        final String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.toString() : message;
    }

    static byte[] readSecret(Path file) throws IOException {
        return readSecret(file, "--secret-file");
    }

    static byte[] readSecret(Path file, String option) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + " does not exist or is not a file");
        }
        final byte[] secret = Files.readAllBytes(file);
        if (secret.length == 0) {
            throw new IllegalArgumentException(option + " " + file + " is empty");
        }
        if (secret.length < 16 || secret.length > 1024) {
            throw new IllegalArgumentException(option + " " + file + " holds " + secret.length
                + " bytes; a secret must be 16 .. 1024 bytes");
        }
        return secret;
    }
}
