package io.pontoon.compare.sofajraft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.pontoon.compare.harness.Completion;
import io.pontoon.compare.harness.Durability;
import io.pontoon.compare.harness.FreePorts;
import io.pontoon.compare.harness.HarnessOptions;
import io.pontoon.compare.harness.ReplicatedSystem;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A SOFAJRaft 1.4.1 group of N nodes in this JVM, each with its own bolt RPC server on 127.0.0.1 and its own
 * RocksDB log. Entries are submitted in-process on the leader with {@code Node.apply(Task)}; the task's
 * closure completes when the leader's state machine applies the entry (the FSM runs it with OK).
 *
 * <p>Durability: SYNC = {@code RaftOptions.setSync(true)} (RocksDB WAL synced per log batch) and synced
 * meta; PAGE_CACHE = {@code setSync(false)}; NONE = an in-memory {@link LogStorage} ({@link MemoryLogStorage})
 * through the service factory. Everything else is jraft's default (pipeline off, election timeout 1 s,
 * no snapshots).
 */
final class SofaJraftSystem implements ReplicatedSystem {
    private static final String GROUP = "compare";
    private static final long LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final List<RaftGroupService> services = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private HarnessOptions options;
    private volatile Node leader;

    @Override
    public String name() {
        return "sofajraft";
    }

    @Override
    public void start(HarnessOptions options, Path dataDir) throws Exception {
        this.options = options;
        System.setProperty("logging.path", dataDir.resolve("logs").toString()); // sofa-common-tools log files
        final int[] ports = FreePorts.loopback(options.nodes());
        final Configuration conf = new Configuration();
        final List<PeerId> peers = new ArrayList<>();
        for (int port : ports) {
            final PeerId peer = new PeerId("127.0.0.1", port);
            peers.add(peer);
            conf.addPeer(peer);
        }
        for (int i = 0; i < peers.size(); i++) {
            final Path nodeDir = Files.createDirectories(dataDir.resolve("node-" + (i + 1)));
            final NodeOptions nodeOptions = new NodeOptions();
            nodeOptions.setElectionTimeoutMs(1000);
            nodeOptions.setInitialConf(conf.copy());
            nodeOptions.setFsm(new ApplyingStateMachine());
            nodeOptions.setLogUri(nodeDir.resolve("log").toString());
            nodeOptions.setRaftMetaUri(nodeDir.resolve("meta").toString());
            final RaftOptions raftOptions = new RaftOptions();
            raftOptions.setSync(options.durability() == Durability.SYNC);
            raftOptions.setSyncMeta(options.durability() == Durability.SYNC);
            nodeOptions.setRaftOptions(raftOptions);
            if (options.durability() == Durability.NONE) {
                nodeOptions.setServiceFactory(new DefaultJRaftServiceFactory() {
                    @Override
                    public LogStorage createLogStorage(String uri, RaftOptions opts) {
                        return new MemoryLogStorage();
                    }
                });
            }
            final RaftGroupService service = new RaftGroupService(GROUP, peers.get(i), nodeOptions);
            services.add(service);
            nodes.add(service.start());
        }
        leader = awaitLeader();
    }

    private Node awaitLeader() {
        final long deadline = System.nanoTime() + LEADER_TIMEOUT_NS;
        while (System.nanoTime() < deadline) {
            for (Node n : nodes) {
                if (n.isLeader()) {
                    return n;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new IllegalStateException("sofajraft: no leader within " + TimeUnit.NANOSECONDS.toSeconds(LEADER_TIMEOUT_NS) + " s");
    }

    @Override
    public String setup() {
        final String storage;
        switch (options.durability()) {
            case SYNC: storage = "rocksdb-log,raftOptions.sync=true,syncMeta=true"; break;
            case PAGE_CACHE: storage = "rocksdb-log,raftOptions.sync=false"; break;
            default: storage = "in-memory-log(custom-LogStorage)"; break;
        }
        return "storage=" + storage + ",transport=bolt-tcp-loopback,submit=Node.apply-on-leader-in-process,"
            + "election_timeout=1s(default),version=jraft-core-1.4.1,netty=4.1.42";
    }

    @Override
    public boolean submit(byte[] payload, long startNs, Completion completion) {
        Node current = leader;
        if (!current.isLeader()) {
            current = awaitLeader();
            leader = current;
        }
        current.apply(new Task(ByteBuffer.wrap(payload), new Done(startNs, completion)));
        return true;
    }

    @Override
    public void close() {
        for (RaftGroupService s : services) {
            s.shutdown();
        }
        for (Node n : nodes) {
            try {
                n.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The task's closure: reports the outcome to the harness. Runs on jraft's FSM or closure threads. */
    private static final class Done implements Closure {
        private final long startNs;
        private final Completion completion;

        Done(long startNs, Completion completion) {
            this.startNs = startNs;
            this.completion = completion;
        }

        @Override
        public void run(Status status) {
            if (status.isOk()) {
                completion.onCommitted(startNs);
            } else {
                completion.onFailed(startNs, status.getRaftError() == null ? "ERROR" : status.getRaftError().name());
            }
        }
    }

    /** Applies entries by completing their closures (present on the node that accepted them). */
    private static final class ApplyingStateMachine extends StateMachineAdapter {
        @Override
        public void onApply(Iterator iter) {
            while (iter.hasNext()) {
                final Closure done = iter.done();
                if (done != null) {
                    done.run(Status.OK());
                }
                iter.next();
            }
        }
    }
}
