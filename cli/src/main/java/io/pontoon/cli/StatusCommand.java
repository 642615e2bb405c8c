package io.pontoon.cli;

import io.pontoon.RaftStatus;
import io.pontoon.spi.Membership;
import io.pontoon.transport.client.PontoonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code ./pontoon status}: the seed's DebugEvent over the wire, for every listed node. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Asks each node for its status: one line per node,",
        "'NODE address=A id=I role=R term=T leader=L commit_index=C last_applied=P last_log_index=X last_log_term=Y',",
        "or 'NODE address=A unreachable=REASON'. After the leader's line, one line per follower:",
        "'FOLLOWER of=LEADER id=F match_index=M next_index=N lag=ENTRIES",
        "state=PROBE|REPLICATE|SNAPSHOT voter=true|false' (voter=false: a learner). Then the node's configuration",
        "(its newest, committed or not): 'MEMBERSHIP of=ID voters=1,2,3 learners=4' (with 'outgoing=...' while a",
        "joint change is under way). Exit status 1 if any node did not answer."})
public final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ClientOptions options = new ClientOptions();

    @Option(names = "--timeout-ms", defaultValue = "3000", description = "Per-node timeout. Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Override
    public Integer call() throws Exception {
        final java.io.PrintWriter out = spec.commandLine().getOut();
        int unreachable = 0;
        try (PontoonClient client = new PontoonClient(options.config(spec, 0))) {
            for (String address : options.cluster.split(",")) {
                final String a = address.trim();
                try {
                    final RaftStatus s = client.status(a).get(timeoutMs, TimeUnit.MILLISECONDS);
                    out.println("NODE address=" + a + " id=" + s.nodeId() + " role=" + s.role() + " term=" + s.term()
                        + " leader=" + s.leaderId() + " commit_index=" + s.commitIndex() + " last_applied=" + s.lastApplied()
                        + " last_log_index=" + s.lastLogIndex() + " last_log_term=" + s.lastLogTerm());
                    for (RaftStatus.Follower f : s.followers()) {
                        out.println("FOLLOWER of=" + s.nodeId() + " id=" + f.nodeId() + " match_index="
                            + f.matchIndex() + " next_index=" + f.nextIndex() + " lag=" + f.lag(s.lastLogIndex())
                            + " state=" + f.state() + " voter=" + f.voter());
                    }
                    out.println(membershipLine(client, a, s.nodeId()));
                } catch (Exception e) {
                    unreachable++;
                    final Throwable cause = e.getCause() != null ? e.getCause() : e;
                    out.println("NODE address=" + a + " unreachable=" + String.valueOf(cause.getMessage()).replace(' ', '_'));
                }
            }
        }
        out.flush();
        return unreachable == 0 ? PontoonCli.EXIT_OK : PontoonCli.EXIT_FAILED;
    }

    /** The node's configuration in effect, as one line (or why it could not be had). */
    private String membershipLine(PontoonClient client, String address, int nodeId) {
        try {
            final Membership m = client.members(address).get(timeoutMs, TimeUnit.MILLISECONDS);
            return "MEMBERSHIP of=" + nodeId + " voters=" + ids(m.voters()) + " learners=" + ids(m.learners())
                + (m.isJoint() ? " outgoing=" + ids(m.outgoingVoters()) : "");
        } catch (Exception e) {
            final Throwable cause = e.getCause() != null ? e.getCause() : e;
            return "MEMBERSHIP of=" + nodeId + " unknown=" + String.valueOf(cause.getMessage()).replace(' ', '_');
        }
    }

    private static String ids(int[] ids) {
        return ids.length == 0 ? "-" : java.util.Arrays.stream(ids).mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(","));
    }
}
