package io.pontoon.storage;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.pontoon.storage.TestPayloads.append;
import static io.pontoon.storage.TestPayloads.awaitDurable;
import static io.pontoon.storage.TestPayloads.forIndex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal's statistics (LogStoreStats) and its slow-sync JFR event (issue 13). */
class JournalStatsTest {
    @TempDir
    Path dir;

    @Test
    void syncsAreCountedTimedAndRecordedAsSlowAboveTheThreshold() throws Exception {
        final List<RecordedEvent> events;
        final long syncs;
        try (Recording recording = new Recording()) {
            recording.enable("pontoon.JournalSlowSync");
            recording.start();
            // Threshold 0: every sync is "slow", so the event must appear whatever the disk's speed.
            try (ChronicleLogStore store = ChronicleLogStore.open(ChronicleLogStoreOptions.builder(java.nio.file.Files.createDirectories(dir.resolve("j")))
                .durability(Durability.SYNC).slowSyncThreshold(Duration.ZERO).build())) {
                for (long i = 1; i <= 50; i++) {
                    append(store, i, 1, forIndex(i));
                }
                awaitDurable(store, 50, 20);
                syncs = store.syncs();
                assertTrue(syncs >= 1, "syncs " + syncs);
                assertTrue(store.syncTotalNs() > 0 && store.syncMaxNs() > 0);
                long bucketed = 0;
                for (int b = 0; b < store.syncBuckets(); b++) {
                    bucketed += store.syncsInBucket(b);
                }
                assertEquals(syncs, bucketed, "each timed sync is in one latency bucket");
                assertEquals(50, store.entriesWritten());
            }
            recording.stop();
            final Path file = dir.resolve("sync.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("pontoon.JournalSlowSync")),
            "a slow-sync event: " + events);
    }
}
