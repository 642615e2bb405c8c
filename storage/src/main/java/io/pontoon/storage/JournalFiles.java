package io.pontoon.storage;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.File;
import java.util.Arrays;

/**
 * The journal's cycle files as the directory holds them, mapped to Chronicle cycle numbers with Chronicle's own
 * name codec. Replay and compaction work from this listing rather than from Chronicle's cached directory
 * listing or end-of-cycle markers, which a crash or a stopped-then-restarted node can leave stale.
 */
final class JournalFiles {
    private static final String SUFFIX = SingleChronicleQueue.SUFFIX;
    private final File dir;
    private final RollingResourcesCache names;

    JournalFiles(SingleChronicleQueue queue) {
        this.dir = queue.file();
        final RollCycle rollCycle = queue.rollCycle();
        this.names = new RollingResourcesCache(rollCycle, rollCycle.defaultEpoch(),
            name -> new File(dir, name + SUFFIX),
            file -> file.getName().substring(0, file.getName().length() - SUFFIX.length()));
    }

    /** Cycle numbers of the {@code .cq4} files present, ascending; names that do not parse are ignored. */
    int[] cycles() {
        final File[] files = dir.listFiles((d, n) -> n.endsWith(SUFFIX));
        if (files == null) {
            return new int[0];
        }
        int[] cycles = new int[files.length];
        int count = 0;
        for (final File file : files) {
            try {
                cycles[count++] = names.parseCount(file.getName().substring(0, file.getName().length() - SUFFIX.length()));
            } catch (RuntimeException notAJournalFile) {
                count--;
            }
        }
        cycles = Arrays.copyOf(cycles, count);
        Arrays.sort(cycles);
        return cycles;
    }

    File fileFor(int cycle) {
        return names.resourceFor(cycle).path;
    }
}
