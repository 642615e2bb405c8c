package io.pontoon.compare.ratis;

import io.pontoon.compare.harness.Completion;
import io.pontoon.compare.harness.FreePorts;
import io.pontoon.compare.harness.HarnessOptions;
import io.pontoon.compare.harness.ReplicatedSystem;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An Apache Ratis 3.3.0 group of N servers in this JVM, gRPC between them on 127.0.0.1, each with its own
 * segmented log directory.
 *
 * <p>Submission: {@code server} (default) builds a write {@link RaftClientRequest} and calls
 * {@code submitClientRequestAsync} on the leader in-process, the same place SOFAJRaft and Pontoon are driven
 * from, on {@code -Dratis.submitters} threads (default 4; 0 = on the harness's submitter threads), since that call
 * does the leader's append work on the calling thread; {@code client} uses a {@link RaftClient} over gRPC
 * (async API, outstanding limit = --inflight), measured here at several times slower.
 * Ratis's Netty client transport is not used: it serves one request at a time per connection.
 *
 * <p>Election timeout 1-2 s, as SOFAJRaft's default and the Pontoon runner. A NotLeaderException reply makes
 * the next submit look for the new leader.
 *
 * <p>Durability: SYNC = Ratis's default (the log worker fsyncs each flush); PAGE_CACHE =
 * {@code Log.setUnsafeFlushEnabled(true)} (no fsync); NONE = {@code Log.setUseMemory(true)} (MemoryRaftLog).
 */
final class RatisSystem implements ReplicatedSystem {
    private static final long LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final RaftGroupId GROUP_ID =
        RaftGroupId.valueOf(UUID.nameUUIDFromBytes("pontoon-compare".getBytes(StandardCharsets.UTF_8)));

    private final String submitMode;
    private final int submitters;
    private ExecutorService submitPool;
    private final List<RaftServer> servers = new ArrayList<>();
    private final ClientId clientId = ClientId.randomId();
    private HarnessOptions options;
    private RaftGroup group;
    private RaftClient client;
    private volatile RaftServer leader;
    private volatile RaftPeerId leaderId;
    private volatile boolean leaderStale;
    /** Taken by every harness submitter thread. */
    private final java.util.concurrent.atomic.AtomicLong callId = new java.util.concurrent.atomic.AtomicLong();

    RatisSystem(String submitMode, int submitters) {
        if (submitters < 0 || submitters > 64) {
            throw new IllegalArgumentException("-Dratis.submitters must be in [0, 64], got " + submitters);
        }
        this.submitters = submitters;
        if (!submitMode.equals("server") && !submitMode.equals("client")) {
            throw new IllegalArgumentException("-Dratis.submit must be server or client, got '" + submitMode + "'");
        }
        this.submitMode = submitMode;
    }

    @Override
    public String name() {
        return "ratis";
    }

    @Override
    public void start(HarnessOptions options, Path dataDir) throws Exception {
        this.options = options;
        final int[] ports = FreePorts.loopback(options.nodes());
        final List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            peers.add(RaftPeer.newBuilder().setId("n" + (i + 1)).setAddress("127.0.0.1:" + ports[i]).build());
        }
        group = RaftGroup.valueOf(GROUP_ID, peers);
        for (int i = 0; i < peers.size(); i++) {
            final RaftProperties p = properties();
            final Path nodeDir = Files.createDirectories(dataDir.resolve("node-" + (i + 1)));
            RaftServerConfigKeys.setStorageDir(p, List.of(nodeDir.toFile()));
            GrpcConfigKeys.Server.setPort(p, ports[i]);
            final RaftServer server = RaftServer.newBuilder()
                .setServerId(peers.get(i).getId())
                .setGroup(group)
                .setProperties(p)
                .setStateMachine(new AppliedOnlyStateMachine())
                .setOption(RaftStorage.StartupOption.FORMAT)
                .build();
            servers.add(server);
            server.start();
        }
        awaitLeader();
        if (submitters > 0) {
            submitPool = Executors.newFixedThreadPool(submitters, r -> {
                final Thread t = new Thread(r, "ratis-submitter");
                t.setDaemon(true);
                return t;
            });
        }
        if (submitMode.equals("client")) {
            final RaftProperties p = properties();
            RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, options.inflight());
            client = RaftClient.newBuilder().setProperties(p).setRaftGroup(group).setClientId(clientId).build();
        }
    }

    private RaftProperties properties() {
        final RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        // Election timeout matched across the three systems: 1 s, randomized up to 2 s (SOFAJRaft's default).
        // Ratis's own default (150-300 ms) makes it lose leadership on a loaded 2-core machine.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        switch (options.durability()) {
            case PAGE_CACHE: RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, true); break;
            case NONE: RaftServerConfigKeys.Log.setUseMemory(p, true); break;
            default: break; // SYNC: Ratis's default flush (fsync)
        }
        return p;
    }

    private void awaitLeader() throws IOException {
        final long deadline = System.nanoTime() + LEADER_TIMEOUT_NS;
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers) {
                final RaftServer.Division d = s.getDivision(GROUP_ID);
                if (d.getInfo().isLeader() && d.getInfo().isLeaderReady()) {
                    leaderId = s.getId();
                    leader = s;
                    return;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new IllegalStateException("ratis: no leader within " + TimeUnit.NANOSECONDS.toSeconds(LEADER_TIMEOUT_NS) + " s");
    }

    @Override
    public String setup() {
        final String storage;
        switch (options.durability()) {
            case SYNC: storage = "segmented-log,default-flush(fsync)"; break;
            case PAGE_CACHE: storage = "segmented-log,Log.unsafeFlushEnabled=true(no-fsync)"; break;
            default: storage = "memory-log(Log.useMemory=true)"; break;
        }
        return "storage=" + storage + ",transport=grpc-loopback,submit="
            + (submitMode.equals("server") ? "submitClientRequestAsync-on-leader-in-process" : "RaftClient.async-over-grpc")
            + ",submit_threads=" + (submitters == 0 ? "driver" : Integer.toString(submitters))
            + ",election_timeout=1-2s,version=ratis-3.3.0";
    }

    @Override
    public boolean submit(byte[] payload, long startNs, Completion completion) {
        if (leaderStale && client == null) {
            refreshLeader();
        }
        final long call = callId.incrementAndGet();
        if (submitPool == null) {
            send(payload, call, startNs, completion);
        } else {
            // submitClientRequestAsync does the leader's append work on the calling thread: spread it over
            // several threads, as a server with several client connections would.
            submitPool.execute(() -> send(payload, call, startNs, completion));
        }
        return true;
    }

    /** Several submitter threads may see the stale flag at once: one looks the leader up. */
    private synchronized void refreshLeader() {
        if (!leaderStale) {
            return;
        }
        leaderStale = false;
        try {
            awaitLeader();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void send(byte[] payload, long call, long startNs, Completion completion) {
        final Message message = Message.valueOf(ByteString.copyFrom(payload));
        final CompletableFuture<RaftClientReply> reply;
        try {
            if (client != null) {
                reply = client.async().send(message);
            } else {
                final RaftClientRequest request = RaftClientRequest.newBuilder()
                    .setClientId(clientId)
                    .setServerId(leaderId)
                    .setGroupId(GROUP_ID)
                    .setCallId(call)
                    .setMessage(message)
                    .setType(RaftClientRequest.writeRequestType())
                    .build();
                reply = leader.submitClientRequestAsync(request);
            }
        } catch (IOException | RuntimeException e) {
            completion.onFailed(startNs, e.getClass().getSimpleName());
            return;
        }
        reply.whenComplete((r, error) -> {
            if (error == null && r.isSuccess()) {
                completion.onCommitted(startNs);
            } else {
                if (r != null && r.getNotLeaderException() != null) {
                    leaderStale = true;
                }
                completion.onFailed(startNs, error != null ? error.getClass().getSimpleName()
                    : r.getException() == null ? "FAILED" : r.getException().getClass().getSimpleName());
            }
        });
    }

    @Override
    public void close() throws IOException {
        if (submitPool != null) {
            submitPool.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
        for (RaftServer s : servers) {
            s.close();
        }
    }

    /** Applies by advancing the applied index; the reply carries an empty message. */
    private static final class AppliedOnlyStateMachine extends BaseStateMachine {
        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            final LogEntryProto entry = trx.getLogEntry();
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
    }
}
