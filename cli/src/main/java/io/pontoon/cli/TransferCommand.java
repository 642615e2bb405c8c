package io.pontoon.cli;

import io.pontoon.ProposalException;
import io.pontoon.RaftStatus;
import io.pontoon.Role;
import io.pontoon.transport.client.PontoonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ./pontoon transfer}: hands leadership to another member (thesis §3.10) over the client protocol's
 * CLIENT_ADMIN_REQUEST, then waits until that member leads.
 */
@Command(name = "transfer", mixinStandardHelpOptions = true,
    description = {"Hands leadership to node --to: asks each node for its status to find the leader, sends it the",
        "transfer, then waits until node --to leads. Prints one line: 'TRANSFER ok from=OLD to=ID term=T' (exit 0;",
        "also when node --to already leads), or 'TRANSFER failed code=CODE to=ID ...' (exit 1) where CODE is the",
        "leader's refusal (INVALID: not another member; LEADERSHIP_TRANSFER: another transfer is under way; ...),",
        "NO_LEADER (no listed node leads), UNREACHABLE (the leader's connection failed) or TIMEOUT (not done",
        "within --timeout-ms)."})
public final class TransferCommand implements Callable<Integer> {
    /** Between two status rounds while waiting for a leader. */
    private static final long POLL_INTERVAL_NS = 20_000_000L;

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ClientOptions options = new ClientOptions();

    @Option(names = "--to", required = true, description = "Node id of the new leader (>= 1).")
    int to;

    @Option(names = "--timeout-ms", defaultValue = "5000", description = "Time for the whole transfer: finding the "
        + "leader, the handover, seeing the new leader. Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Override
    public Integer call() throws IOException {
        OptionChecks.range(spec, "--to", to, 1, Integer.MAX_VALUE);
        OptionChecks.range(spec, "--timeout-ms", timeoutMs, 1, 600_000);
        final PrintWriter out = spec.commandLine().getOut();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try (PontoonClient client = new PontoonClient(options.config(spec, timeoutMs))) {
            final List<String> addresses = addresses(options.cluster);
            String leaderAddress = null;
            RaftStatus leader = null;
            while (leader == null && System.nanoTime() - deadlineNs < 0) {
                final Map<String, RaftStatus> statuses = statuses(client, addresses, deadlineNs);
                for (Map.Entry<String, RaftStatus> e : statuses.entrySet()) {
                    final RaftStatus s = e.getValue();
                    if (s.role() == Role.LEADER && (leader == null || s.term() > leader.term())) {
                        leader = s;
                        leaderAddress = e.getKey();
                    }
                }
                if (leader == null) {
                    LockSupport.parkNanos(POLL_INTERVAL_NS);
                }
            }
            if (leader == null) {
                return failed(out, "NO_LEADER", "to=" + to + " reason=no_listed_node_leads_within_" + timeoutMs + "_ms");
            }
            final int from = leader.nodeId();
            if (from == to) {
                out.println("TRANSFER ok from=" + from + " to=" + to + " term=" + leader.term());
                out.flush();
                return PontoonCli.EXIT_OK;
            }
            final String fromTo = "from=" + from + " to=" + to;
            try {
                client.transferLeadership(leaderAddress, to).get(remainingNs(deadlineNs), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                final Throwable cause = e.getCause();
                if (cause instanceof ProposalException refusal) {
                    return failed(out, refusal.code().name(), fromTo + " leader=" + refusal.leaderId());
                }
                return failed(out, "UNREACHABLE", fromTo + " reason=" + oneWord(cause));
            } catch (TimeoutException e) {
                return failed(out, "TIMEOUT", fromTo + " reason=no_handover_within_" + timeoutMs + "_ms");
            }
            // The old leader has seen node --to lead; wait until a listed node confirms it too.
            while (System.nanoTime() - deadlineNs < 0) {
                final long term = newLeaderTerm(statuses(client, addresses, deadlineNs));
                if (term >= 0) {
                    out.println("TRANSFER ok " + fromTo + " term=" + term);
                    out.flush();
                    return PontoonCli.EXIT_OK;
                }
                LockSupport.parkNanos(POLL_INTERVAL_NS);
            }
            return failed(out, "TIMEOUT", fromTo + " reason=node_" + to + "_not_seen_leading_within_" + timeoutMs + "_ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(out, "INTERRUPTED", "to=" + to);
        }
    }

    /**
     * The term in which node --to leads, by its own status; or, when it is not among the listed nodes, by a listed
     * node that follows it. -1 if not seen yet.
     */
    private long newLeaderTerm(Map<String, RaftStatus> statuses) {
        boolean targetListed = false;
        long followedInTerm = -1;
        for (RaftStatus s : statuses.values()) {
            if (s.nodeId() == to) {
                targetListed = true;
                if (s.role() == Role.LEADER) {
                    return s.term();
                }
            } else if (s.leaderId() == to) {
                followedInTerm = Math.max(followedInTerm, s.term());
            }
        }
        return targetListed ? -1 : followedInTerm;
    }

    private static int failed(PrintWriter out, String code, String detail) {
        out.println("TRANSFER failed code=" + code + " " + detail);
        out.flush();
        return PontoonCli.EXIT_FAILED;
    }

    private static long remainingNs(long deadlineNs) {
        return Math.max(0, deadlineNs - System.nanoTime());
    }

    /** The status of every listed node that answers before the deadline, in --cluster order. */
    static Map<String, RaftStatus> statuses(PontoonClient client, List<String> addresses, long deadlineNs)
        throws InterruptedException {
        final List<CompletableFuture<RaftStatus>> asked = new ArrayList<>();
        for (String a : addresses) {
            asked.add(client.status(a));
        }
        final Map<String, RaftStatus> answered = new LinkedHashMap<>();
        for (int i = 0; i < addresses.size(); i++) {
            try {
                answered.put(addresses.get(i), asked.get(i).get(remainingNs(deadlineNs), TimeUnit.NANOSECONDS));
            } catch (ExecutionException | TimeoutException e) {
                // down, unreachable or slow: the others may still name the leader
            }
        }
        return answered;
    }

    static List<String> addresses(String cluster) {
        final List<String> addresses = new ArrayList<>();
        for (String part : cluster.split(",")) {
            if (!part.isBlank()) {
                addresses.add(part.trim());
            }
        }
        return addresses;
    }

    /** A cause as one token for a result line: spaces become underscores. */
    static String oneWord(Throwable cause) {
        return String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause.toString()).replace(' ', '_');
    }
}
