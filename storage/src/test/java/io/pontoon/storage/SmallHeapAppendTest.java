package io.pontoon.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Flat memory: 5,000,000 appends of 64 bytes through the store in a child JVM with a 64 MiB heap and 48 MiB of
 * direct memory, no compaction. The log index is memory-mapped, so neither grows with the log; the old
 * in-heap index (36-70 B per entry) needed ~200-350 MB here and died with OutOfMemoryError.
 */
class SmallHeapAppendTest {
    static final long ENTRIES = 5_000_000;

    @TempDir
    Path dir;

    @Test
    void fiveMillionAppendsFitInASixtyFourMegabyteHeap() throws Exception {
        try (ChildJvm child = ChildJvm.startWith(SmallHeapAppendMain.class, dir,
            List.of("-Xmx64m", "-Xms64m", "-XX:MaxDirectMemorySize=48m"), dir.toString(), Long.toString(ENTRIES))) {
            final String done = child.awaitLine(line -> line.startsWith("DONE"), 120);
            assertNotNull(done, "child ended without finishing; stderr:\n" + child.stderrText());
            assertEquals("DONE last=" + ENTRIES, done.substring(0, done.indexOf(" check=")),
                "stderr:\n" + child.stderrText());
            assertEquals(0, child.waitForExit(60), "stderr:\n" + child.stderrText());
        }
    }
}
