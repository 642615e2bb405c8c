package io.pontoon.cli;

import io.pontoon.ProposalException;
import io.pontoon.spi.Membership;
import io.pontoon.transport.client.PontoonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code ./pontoon members}: lists or changes the cluster's configuration (thesis §4) over the client protocol. */
@Command(name = "members", mixinStandardHelpOptions = true,
    description = {"Lists or changes the cluster's members through the leader (requests follow leader redirects):",
        "  list                      the configuration the leader has",
        "  add ID=HOST:PORT          adds node ID, listening at HOST:PORT, as a voter (--learner: as a learner)",
        "  promote ID                makes learner ID a voter",
        "  remove ID                 removes member ID (voter or learner)",
        "A change completes once committed; a refused one is retried while another change is still uncommitted, up",
        "to --timeout-ms. Prints the resulting configuration, one line per member: 'VOTER 1 HOST:PORT',",
        "'LEARNER 4 HOST:PORT' ('OUTGOING 3 HOST:PORT' while a joint change is under way; '-' for an unknown",
        "address). A failure prints one line on stderr naming the action and why, exit status 1.",
        "To add a node: start it (./pontoon node --peers <the members and itself> --learners <its id>), run",
        "'members add ID=HOST:PORT --learner', wait until ./pontoon status shows its lag small, 'members promote ID'."})
public final class MembersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ClientOptions options = new ClientOptions();

    @Parameters(index = "0", paramLabel = "ACTION", description = "list, add, promote or remove.")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MEMBER",
        description = "add: ID=HOST:PORT; promote and remove: ID.")
    String member;

    @Option(names = "--learner", description = "add: as a learner (receives the log, never votes) instead of a voter.")
    boolean learner;

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "Time for the whole request, retries "
        + "included. Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Override
    public Integer call() throws IOException, InterruptedException {
        OptionChecks.range(spec, "--timeout-ms", timeoutMs, 1, 600_000);
        final Request request = parse();
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try (PontoonClient client = new PontoonClient(options.config(spec, timeoutMs))) {
            final Membership m = send(client, request)
                .get(timeoutMs + TimeUnit.SECONDS.toMillis(5), TimeUnit.MILLISECONDS); // the client times out first
            printMembers(out, m);
            out.flush();
            return PontoonCli.EXIT_OK;
        } catch (ExecutionException e) {
            err.println(request.describe() + " failed: " + why(e.getCause()));
        } catch (TimeoutException e) {
            err.println(request.describe() + " failed: no answer within " + timeoutMs + " ms");
        }
        err.flush();
        return PontoonCli.EXIT_FAILED;
    }

    /** What the command line asks; a usage error names what is wrong. */
    private record Request(String action, int nodeId, String address, boolean learner) {
        String describe() {
            return "members " + action + (nodeId == 0 ? "" : " " + nodeId) + (address == null ? "" : "=" + address)
                + (learner ? " --learner" : "");
        }
    }

    private Request parse() {
        final String a = action.trim().toLowerCase(java.util.Locale.ROOT);
        if (!Arrays.asList("list", "add", "promote", "remove").contains(a)) {
            throw usage("ACTION must be list, add, promote or remove, got '" + action + "'");
        }
        if (learner && !a.equals("add")) {
            throw usage("--learner goes with 'add', not '" + a + "'");
        }
        if (a.equals("list")) {
            if (member != null) {
                throw usage("'list' takes no MEMBER, got '" + member + "'");
            }
            return new Request(a, 0, null, false);
        }
        if (member == null || member.isBlank()) {
            throw usage("'" + a + "' needs " + (a.equals("add") ? "ID=HOST:PORT" : "a node ID"));
        }
        final String m = member.trim();
        if (!a.equals("add")) {
            return new Request(a, nodeId(m, m), null, false);
        }
        final int eq = m.indexOf('=');
        if (eq < 0) {
            throw usage("'add' needs ID=HOST:PORT, got '" + m + "'");
        }
        final String address = m.substring(eq + 1).trim();
        final String problem = PontoonClient.checkMemberAddress(address);
        if (problem != null) {
            throw usage("'add " + m + "': " + problem);
        }
        return new Request(a, nodeId(m.substring(0, eq).trim(), m), address, learner);
    }

    private int nodeId(String id, String member) {
        try {
            final int n = Integer.parseInt(id);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw usage("node ID must be a positive integer, got '" + id + "'" + (id.equals(member) ? "" : " in '" + member
            + "'"));
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), "members: " + message);
    }

    private static CompletableFuture<Membership> send(PontoonClient client, Request r) {
        switch (r.action()) {
            case "add": return r.learner() ? client.addLearner(r.nodeId(), r.address())
                : client.addVoter(r.nodeId(), r.address());
            case "promote": return client.promote(r.nodeId());
            case "remove": return client.removeMember(r.nodeId());
            default: return client.members();
        }
    }

    /** One line per member, by id: VOTER, LEARNER, or OUTGOING (a voter being left by a joint change). */
    static void printMembers(PrintWriter out, Membership m) {
        for (int id : m.members()) {
            final String role = m.isIncomingVoter(id) ? "VOTER" : m.isLearner(id) ? "LEARNER" : "OUTGOING";
            final String address = m.address(id);
            out.println(role + " " + id + " " + (address == null ? "-" : address));
        }
    }

    /** Why a request failed, in words: the leader's reason, or what a result code means for the user. */
    static String why(Throwable cause) {
        if (cause instanceof IllegalArgumentException) {
            return "refused: " + cause.getMessage();
        }
        if (cause instanceof ConnectException) {
            return "unreachable: " + cause.getMessage();
        }
        if (!(cause instanceof ProposalException p)) {
            return String.valueOf(cause);
        }
        switch (p.code()) {
            case NOT_LEADER: return "NOT_LEADER: no listed node could name a reachable leader"
                + (p.leaderId() == 0 ? "" : " (last named: node " + p.leaderId() + ")");
            case MEMBERSHIP_CHANGE_PENDING: return "MEMBERSHIP_CHANGE_PENDING: another membership change (or the new "
                + "leader's first entry) is still uncommitted; try again";
            case LEADERSHIP_TRANSFER: return "LEADERSHIP_TRANSFER: the leader is handing over; try again";
            case TIMEOUT: return "TIMEOUT: outcome unknown, the change may still commit; check with 'members list'";
            case CLOSED: return "CLOSED: the connection broke after sending; the change may still commit; check with "
                + "'members list'";
            default: return p.getMessage();
        }
    }
}
