package io.pontoon.cli;

import io.pontoon.storage.JournalDump;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./pontoon dump}: lists a stopped node's journal up to its commit index. */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = {"Lists a stopped node's snapshots, newest first, as 'SNAPSHOT index=I term=T bytes=B crc32c=C",
        "members=[...]', each followed by its configuration ('  config voters [...] learners [...]'), then",
        "every entry in its journal up to its recorded commit index as 'ENTRY lsn=L term=T crc=C'",
        "(C = CRC32C of the payload, 8 hex digits; a configuration entry adds 'config voters [...] ...'),",
        "then 'RESULT last_lsn=... commit_index=...'. Read-only."})
public final class DumpCommand implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "The node's --data-dir.")
    Path dataDir;

    /**
     * The demo's ten-second roll cycle if the journal's files are named by it (Chronicle cannot find a custom cycle
     * from the queue's metadata), else null: a standard cycle, which Chronicle finds by itself.
     */
    static net.openhft.chronicle.queue.RollCycle customRollCycle(Path dataDir) {
        final java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter
            .ofPattern(io.pontoon.storage.ShortRollCycles.TEN_SECONDLY.format()).withZone(java.time.ZoneOffset.UTC);
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dataDir.resolve("journal"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4"))
                .anyMatch(n -> {
                    try {
                        format.parse(n.substring(0, n.length() - 4));
                        return true;
                    } catch (java.time.format.DateTimeParseException e) {
                        return false;
                    }
                }) ? io.pontoon.storage.ShortRollCycles.TEN_SECONDLY : null;
        } catch (java.io.IOException e) {
            return null; // JournalDump names the missing directory
        }
    }

    @Override
    public Integer call() {
        final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        JournalDump.dumpSnapshots(dataDir, out);
        JournalDump.dump(dataDir, customRollCycle(dataDir), out);
        out.flush();
        return PontoonCli.EXIT_OK;
    }
}
