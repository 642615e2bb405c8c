package io.pontoon.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The {@code ./pontoon} command line. Each subcommand is its own class in this package, annotated with
 * {@code @Command(name = ..., mixinStandardHelpOptions = true)} and returning an exit code from
 * {@code call()}; registering one is a single line in the {@code subcommands} list below.
 *
 * <p>Exit codes, the same for every subcommand:
 * <ul>
 *   <li>{@value #EXIT_OK}: success;</li>
 *   <li>{@value #EXIT_FAILED}: the command ran but its check failed (a simulation violation, a demo that
 *       committed nothing) or an unexpected error (stack trace on stderr);</li>
 *   <li>{@value #EXIT_USAGE}: bad command line (unknown option, value out of range); the message names
 *       the option and the allowed range.</li>
 * </ul>
 *
 * <p>Logs: the console of the demo and the client commands shows only their own lines; the libraries' log
 * lines (Chronicle, Netty, Pontoon's runtime) go to {@code pontoon-COMMAND.log} in the working directory, or
 * with {@code --verbose} to stderr. {@code node} and {@code kv-node} are servers and log to stderr
 * ({@link CliLogging}).
 */
@Command(
    name = "pontoon",
    mixinStandardHelpOptions = true,
    versionProvider = PontoonCli.Version.class,
    description = "Pontoon: a Raft replication layer for the JVM.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        DemoCommand.class,
        SimCommand.class,
        NodeCommand.class,
        AppendCommand.class,
        DumpCommand.class,
        StatusCommand.class,
        TransferCommand.class,
        ReadIndexCommand.class,
        MembersCommand.class,
        FaultCommand.class,
        KvNodeCommand.class,
        KvCommand.class,
        KvBenchCommand.class,
        CompareCommand.class,
        BenchReportCommand.class,
        // A new command is one line here, e.g. BenchReportCommand.class.
        CommandLine.HelpCommand.class,
    },
    footer = {"", "Run 'pontoon COMMAND --help' for a command's options.",
        "Exit status: 0 success, 1 failure (violations, errors), 2 bad usage."})
public final class PontoonCli implements Runnable {
    public static final int EXIT_OK = CommandLine.ExitCode.OK;
    public static final int EXIT_FAILED = CommandLine.ExitCode.SOFTWARE;
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

    @Spec
    private CommandSpec spec;

    // Both inherited by every command; read from the parse result (executeWithLogging), whichever level named them.
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
        description = "Print the libraries' log lines (Chronicle, Netty, Pontoon's runtime) on stderr instead of "
            + "into the log file. node and kv-node always do.")
    private boolean verbose;

    @Option(names = "--log-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
        description = "Where the libraries' log lines go without --verbose (appended; created on the first line). "
            + "Default: pontoon-COMMAND.log in the working directory; node and kv-node log to stderr unless given.")
    private Path logFile;

    /** Entry point of the shaded jar ({@code ./pontoon}). */
    public static void main(String[] args) {
        int exitCode;
        try {
            // Logging stays as the command set it: lines from threads still stopping go where the command's went.
            exitCode = commandLine(false).execute(args);
        } catch (Throwable t) { // e.g. OutOfMemoryError: still exit, though Raft threads may be alive
            t.printStackTrace();
            exitCode = EXIT_FAILED;
        }
        System.exit(exitCode);
    }

    /** The configured command line; tests call {@code commandLine().execute(...)} with captured output. */
    public static CommandLine commandLine() {
        return commandLine(true);
    }

    private static CommandLine commandLine(boolean restoreLogging) {
        return new CommandLine(new PontoonCli())
            .setExecutionStrategy(parsed -> executeWithLogging(parsed, restoreLogging))
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setParameterExceptionHandler(PontoonCli::onBadUsage)
            .setExecutionExceptionHandler(PontoonCli::onFailure);
    }

    /** Runs the command with the libraries' log lines sent where {@link #logging} says. */
    private static int executeWithLogging(ParseResult parsed, boolean restoreLogging) {
        final CliLogging logging = logging(parsed);
        try {
            return new CommandLine.RunLast().execute(parsed);
        } finally {
            if (restoreLogging) {
                logging.close();
            }
        }
    }

    /**
     * Servers ({@code node}, {@code kv-node}) and {@code --verbose}: stderr. Everything else: {@code --log-file}
     * or {@code pontoon-COMMAND.log} in the working directory, so that the console shows the command's own lines.
     */
    private static CliLogging logging(ParseResult parsed) {
        boolean verbose = false;
        Path logFile = null;
        ParseResult leaf = parsed;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("--verbose");
            logFile = p.matchedOptionValue("--log-file", logFile);
            leaf = p;
        }
        final Object command = leaf.commandSpec().userObject();
        final boolean server = command instanceof NodeCommand; // kv-node too (KvNodeCommand extends it)
        if (verbose || (server && logFile == null)) {
            return CliLogging.toConsole();
        }
        // The default's directory: the working directory, or the system property pontoon.log.dir (the cli's
        // tests point it into target/, so that a test run leaves no log files in the module).
        return CliLogging.toFile(logFile != null ? logFile
            : Path.of(System.getProperty("pontoon.log.dir", ""), "pontoon-" + leaf.commandSpec().name() + ".log"));
    }

    /**
     * A command failed on bad input or an environment problem (a corrupt journal, a directory that is a
     * file, a port in use): one line naming what was wrong, exit 1. A bug keeps its stack trace.
     */
    private static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        final PrintWriter err = cmd.getErr();
        final boolean expected = e instanceof IllegalArgumentException || e instanceof IllegalStateException
            || e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException
            || e.getClass().getPackageName().startsWith("io.pontoon");
        final boolean ownMessage = e.getMessage() != null && (e instanceof IllegalArgumentException
            || e instanceof IllegalStateException || e.getClass().getPackageName().startsWith("io.pontoon"));
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + (ownMessage ? e.getMessage() : e.toString()));
        if (!expected) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILED;
    }

    /** A bad command line: the reason and a pointer to --help, not the whole usage text. */
    private static int onBadUsage(ParameterException e, String[] args) {
        final CommandLine cmd = e.getCommandLine();
        final PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
        err.flush();
        return EXIT_USAGE;
    }

    /** {@code pontoon} with no command: usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: choose one of "
            + String.join(", ", spec.subcommands().keySet()));
    }

    /** Reads the version Maven writes into every jar (also present in the shaded jar). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            final Properties p = new Properties();
            try (InputStream in = PontoonCli.class.getResourceAsStream(
                "/META-INF/maven/io.pontoon/pontoon-cli/pom.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"pontoon " + p.getProperty("version", "(development build)"),
                "JVM: ${java.version} (${java.vendor} ${java.vm.name})"};
        }
    }
}
