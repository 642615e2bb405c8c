package io.pontoon.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pontoon compare}: runs {@code compare/compare.sh} of the source tree this jar was built in, which
 * builds the comparison runners (Maven profile {@code compare}) and runs Pontoon, SOFAJRaft and Ratis one
 * after another with the same settings (docs/COMPARISON.md). Every argument is passed to the script.
 *
 * <p>The competitors' jars are never on this JVM's class path: SOFAJRaft brings Netty 4.1, Pontoon uses 4.2.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
        "Side by side with SOFAJRaft 1.4.1 and Apache Ratis 3.3.0: same nodes, payload, durability, requests in "
            + "flight and JVM flags, one JVM per system; prints RESULT lines, a table and Pontoon/X ratios.",
        "Runs compare/compare.sh from the source tree (needs Maven); see docs/COMPARISON.md.",
        "Options (passed to the script): --durability SYNC,PAGE_CACHE,NONE  --systems pontoon,sofajraft,ratis  "
            + "--nodes 3  --payload 128  --inflight 128  --rate 0  --warmup-seconds 30  --seconds 30  --smoke  "
            + "--log-dir DIR"},
    footer = {"", "Exit status: 0 every system produced a result, 1 a run failed, 2 bad usage."})
public final class CompareCommand implements Callable<Integer> {
    static final String SCRIPT = "compare/compare.sh";

    @Spec
    private CommandSpec spec;

    @Unmatched
    private List<String> scriptArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        final Path script = findScript();
        if (script == null) {
            spec.commandLine().getErr().println("compare: cannot find " + SCRIPT + " (looked beside this jar's source "
                + "tree and in the current directory); run it from a Pontoon checkout, or set -Dpontoon.home=DIR");
            return PontoonCli.EXIT_FAILED;
        }
        final List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script.toString());
        cmd.addAll(scriptArgs);
        return new ProcessBuilder(cmd).directory(script.getParent().getParent().toFile()).inheritIO().start().waitFor();
    }

    /** The script under -Dpontoon.home, else above this jar (cli/target/pontoon-cli.jar), else the working dir. */
    static Path findScript() {
        final List<Path> roots = new ArrayList<>();
        final String home = System.getProperty("pontoon.home");
        if (home != null) {
            roots.add(Path.of(home));
        }
        try {
            Path p = Path.of(CompareCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (int i = 0; i < 4 && p != null; i++, p = p.getParent()) {
                roots.add(p);
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: fall back to the working directory
        }
        roots.add(Path.of("").toAbsolutePath());
        for (Path root : roots) {
            final Path candidate = root.resolve(SCRIPT);
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return null;
    }
}
