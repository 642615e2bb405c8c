package io.pontoon.cli;

import io.pontoon.ProposalException;
import io.pontoon.kv.CasResult;
import io.pontoon.kv.KvClient;
import io.pontoon.kv.KvUnknownOutcomeException;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code ./pontoon kv}: one operation on the key-value store ({@code ./pontoon kv-node}) through a KvClient. */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = {"One operation on the key-value store run by './pontoon kv-node' (writes go to the leader,",
        "following redirects; a write resent after a lost answer is applied once):",
        "  put KEY VALUE          prints OK",
        "  get KEY                prints 'VALUE v' or NOT_FOUND (linearizable with the nodes' default read mode)",
        "  delete KEY             prints OK, or NOT_FOUND when there was no such key",
        "  cas KEY OLD NEW        sets KEY to NEW if it holds OLD: prints OK, or 'CAS_FAILED found=v'",
        "                         ('CAS_FAILED absent' when KEY has no value)",
        "Exit status 0 with any of these answers. A failure prints one line on stderr naming the operation and why",
        "(exit 1): 'outcome unknown' when no answer came within --timeout-ms (a write may or may not have been",
        "applied), a refusal, or unreachable nodes."})
public final class KvCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ClientOptions options = new ClientOptions();

    @Parameters(index = "0", paramLabel = "OP", description = "put, get, delete or cas.")
    String op;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARG",
        description = "put: KEY VALUE; get and delete: KEY; cas: KEY OLD NEW.")
    List<String> args = new ArrayList<>();

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "Time for the operation, retries included. "
        + "Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Override
    public Integer call() throws IOException, InterruptedException {
        OptionChecks.range(spec, "--timeout-ms", timeoutMs, 1, 600_000);
        final String action = parse();
        final String described = "kv " + action + " " + args.get(0);
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        // One try may take up to 5 s, so that a frozen node leaves time to try another within --timeout-ms.
        final PontoonClientConfig config = options.config(spec, Math.min(timeoutMs, 5_000));
        try (PontoonClient client = new PontoonClient(config);
             KvClient kv = new KvClient(client, Duration.ofMillis(timeoutMs))) {
            final String line = run(kv, action).get(timeoutMs + 5_000, TimeUnit.MILLISECONDS); // the client ends first
            out.println(line);
            out.flush();
            return PontoonCli.EXIT_OK;
        } catch (ExecutionException e) {
            err.println(described + " failed: " + why(e.getCause()));
        } catch (TimeoutException e) {
            err.println(described + " failed: outcome unknown, no answer within " + timeoutMs + " ms");
        }
        err.flush();
        return PontoonCli.EXIT_FAILED;
    }

    /** The operation, lower case, once its arguments are checked; a usage error names what is wrong. */
    private String parse() {
        final String a = op.trim().toLowerCase(Locale.ROOT);
        final int expected = switch (a) {
            case "put" -> 2;
            case "get", "delete" -> 1;
            case "cas" -> 3;
            default -> throw usage("OP must be put, get, delete or cas, got '" + op + "'");
        };
        if (args.size() != expected) {
            final String shape = switch (a) {
                case "put" -> "KEY VALUE";
                case "cas" -> "KEY OLD NEW";
                default -> "KEY";
            };
            throw usage("'" + a + "' takes " + shape + ", got " + args.size() + " argument"
                + (args.size() == 1 ? "" : "s") + (args.isEmpty() ? "" : ": " + String.join(" ", args)));
        }
        if (args.get(0).isEmpty()) {
            throw usage("KEY must not be empty");
        }
        return a;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), "kv: " + message);
    }

    private CompletableFuture<String> run(KvClient kv, String action) {
        final String key = args.get(0);
        switch (action) {
            case "put":
                return kv.put(key, args.get(1)).thenApply(v -> "OK");
            case "get":
                return kv.get(key).thenApply(KvCommand::valueLine);
            case "delete":
                return kv.delete(key).thenApply(existed -> existed ? "OK" : "NOT_FOUND");
            default:
                return kv.cas(key, args.get(1), args.get(2)).thenApply(KvCommand::casLine);
        }
    }

    static String valueLine(Optional<String> value) {
        return value.map(v -> "VALUE " + v).orElse("NOT_FOUND");
    }

    static String casLine(CasResult r) {
        if (r.succeeded()) {
            return "OK";
        }
        return r.found() == null ? "CAS_FAILED absent" : "CAS_FAILED found=" + r.found();
    }

    /** Why an operation failed, in words. */
    static String why(Throwable cause) {
        if (cause instanceof KvUnknownOutcomeException) {
            return cause.getMessage();
        }
        if (cause instanceof IllegalArgumentException) {
            return "refused: " + cause.getMessage();
        }
        if (cause instanceof ProposalException p) {
            return switch (p.code()) {
                case NOT_LEADER -> "NOT_LEADER: no listed node could name a reachable leader; nothing was applied";
                case REJECTED_BUSY -> "REJECTED_BUSY: the leader is overloaded; nothing was applied, try again";
                default -> p.getMessage();
            };
        }
        return String.valueOf(cause);
    }
}
