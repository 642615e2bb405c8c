package io.pontoon.cli;

import io.pontoon.RaftConfig;
import io.pontoon.StateMachine;
import io.pontoon.kv.KvReadMode;
import io.pontoon.kv.KvRequestHandler;
import io.pontoon.kv.KvStateMachine;
import io.pontoon.server.PontoonServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./pontoon kv-node}: {@code ./pontoon node} (every option of it) running the replicated key-value store
 * ({@link KvStateMachine}, served by {@link KvRequestHandler}) instead of the demo's hashing state machine.
 */
@Command(name = "kv-node", mixinStandardHelpOptions = true,
    description = {"Runs one node of the replicated key-value store as a process until stopped (SIGTERM/Ctrl-C): the",
        "same options as 'node'; clients use './pontoon kv' (or KvClient) on the same port. Gets are linearizable",
        "(ReadIndex) unless --read-mode says otherwise; writes are applied exactly once.",
        "Prints 'READY node=ID listen=HOST:PORT ... state_keys=N' once it accepts connections, and",
        "'STATE node=ID index=I keys=N digest=D' when stopped (nodes holding the same map print the same digest)."})
public final class KvNodeCommand extends NodeCommand {
    @Option(names = "--read-mode", defaultValue = "READ_INDEX", description = "How gets are served: READ_INDEX "
        + "(linearizable: a heartbeat round confirms the leader), LEASE (the leader's lease, no round; linearizable "
        + "while clocks drift less than the engine's bound), or UNSAFE_LOCAL (deliberately broken: any node answers "
        + "from its own state, stale on a follower; for testing a linearizability checker only). "
        + "Default: ${DEFAULT-VALUE}.")
    KvReadMode readMode;

    @Override
    Application application() {
        final KvStateMachine sm = new KvStateMachine();
        final KvReadMode mode = readMode;
        return new Application() {
            @Override
            public StateMachine stateMachine() {
                return sm;
            }

            @Override
            public void configure(PontoonServer.Builder server) {
                server.requestHandler(new KvRequestHandler(sm, mode));
                if (mode == KvReadMode.LEASE) {
                    server.raftConfig(RaftConfig.defaults().toBuilder().leaseReads(true).build());
                }
            }

            @Override
            public String readyFields() {
                return " state_index=" + sm.lastApplied() + " state_keys=" + sm.size() + " read_mode=" + mode;
            }

            @Override
            public String stateFields() {
                return " index=" + sm.lastApplied() + " keys=" + sm.size() + " digest=" + Long.toHexString(sm.digest());
            }
        };
    }
}
