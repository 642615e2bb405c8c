package io.pontoon.bench.cluster;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How well a cluster batches, summed over its nodes: non-empty AppendEntries frames sent and the entries in them
 * ({@code NettyTransport} counters), and entries, records and syncs written by the journals ({@code
 * ChronicleLogStore} counters). A trial adds up the differences over its measured iterations and writes the
 * ratios into its result line: entries per frame, per journal record and per sync. Immutable.
 */
record BatchCounters(long frames, long frameEntries, long journalEntries, long journalRecords, long syncs) {
    static final BatchCounters ZERO = new BatchCounters(0, 0, 0, 0, 0);

    BatchCounters minus(BatchCounters o) {
        return new BatchCounters(frames - o.frames, frameEntries - o.frameEntries, journalEntries - o.journalEntries,
            journalRecords - o.journalRecords, syncs - o.syncs);
    }

    BatchCounters plus(BatchCounters o) {
        return new BatchCounters(frames + o.frames, frameEntries + o.frameEntries, journalEntries + o.journalEntries,
            journalRecords + o.journalRecords, syncs + o.syncs);
    }

    /**
     * The result-line fields: the counts and {@code entries_per_frame}, {@code entries_per_record},
     * {@code entries_per_sync} (one decimal; {@code n/a} when the divisor is 0, e.g. syncs in PAGE_CACHE mode).
     * Journal figures count every node's journal (a 3-node cluster writes each entry three times).
     */
    Map<String, String> fields() {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("ae_frames", Long.toString(frames));
        f.put("ae_entries", Long.toString(frameEntries));
        f.put("entries_per_frame", ratio(frameEntries, frames));
        f.put("journal_entries", Long.toString(journalEntries));
        f.put("journal_records", Long.toString(journalRecords));
        f.put("journal_syncs", Long.toString(syncs));
        f.put("entries_per_record", ratio(journalEntries, journalRecords));
        f.put("entries_per_sync", ratio(journalEntries, syncs));
        return f;
    }

    static String ratio(long num, long den) {
        return den <= 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", (double) num / den);
    }
}
