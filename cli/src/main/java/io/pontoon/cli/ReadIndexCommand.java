package io.pontoon.cli;

import io.pontoon.ProposalException;
import io.pontoon.ReadPolicy;
import io.pontoon.transport.NettyTransportConfig;
import io.pontoon.transport.client.PontoonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code ./pontoon read-index}: a read index (thesis §6.4) from one node or each listed node, over the client protocol. */
@Command(name = "read-index", mixinStandardHelpOptions = true,
    description = {"Asks --node (default: each node of --cluster) for a read index: the index the node has applied",
        "through that covers every write acknowledged before the request (leader or follower). One line per node:",
        "'READ_INDEX node=ADDR index=I', or 'READ_INDEX node=ADDR failed=CODE' (NOT_LEADER: no leader known, or",
        "--lease on a follower; LEASE_EXPIRED; LEADERSHIP_TRANSFER; TIMEOUT; UNREACHABLE ...). Exit status 1 if any",
        "node failed."})
public final class ReadIndexCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ClientOptions options = new ClientOptions();

    @Option(names = "--node", description = "Ask only this node (HOST:PORT). Default: each node of --cluster.")
    String node;

    @Option(names = "--lease", description = "A lease read instead of a linearizable ReadIndex round: leader only, and "
        + "only with RaftConfig.leaseReads on (./pontoon node leaves it off: LEASE_EXPIRED).")
    boolean lease;

    @Option(names = "--timeout-ms", defaultValue = "5000", description = "Per-node timeout. Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Override
    public Integer call() throws IOException, InterruptedException {
        OptionChecks.range(spec, "--timeout-ms", timeoutMs, 1, 600_000);
        final List<String> nodes = new ArrayList<>();
        if (node != null) {
            try {
                NettyTransportConfig.parseAddress("--node", node.trim());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            nodes.add(node.trim());
        } else {
            nodes.addAll(TransferCommand.addresses(options.cluster));
        }
        final ReadPolicy policy = lease ? ReadPolicy.LEASE : ReadPolicy.LINEARIZABLE;
        final PrintWriter out = spec.commandLine().getOut();
        int failed = 0;
        try (PontoonClient client = new PontoonClient(options.config(spec, timeoutMs))) {
            final List<CompletableFuture<Long>> asked = new ArrayList<>();
            for (String a : nodes) {
                asked.add(client.readIndex(a, policy));
            }
            for (int i = 0; i < nodes.size(); i++) {
                final String line = "READ_INDEX node=" + nodes.get(i) + " ";
                try {
                    out.println(line + "index=" + asked.get(i).get(timeoutMs, TimeUnit.MILLISECONDS));
                } catch (ExecutionException e) {
                    failed++;
                    out.println(line + "failed=" + (e.getCause() instanceof ProposalException refusal
                        ? refusal.code().name() : "UNREACHABLE reason=" + TransferCommand.oneWord(e.getCause())));
                } catch (TimeoutException e) {
                    failed++;
                    out.println(line + "failed=TIMEOUT");
                }
            }
        }
        out.flush();
        return failed == 0 ? PontoonCli.EXIT_OK : PontoonCli.EXIT_FAILED;
    }
}
