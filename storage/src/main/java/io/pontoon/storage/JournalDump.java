package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import io.pontoon.spi.Membership;
import io.pontoon.spi.SnapshotMeta;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Offline listing of a node's journal, behind {@code ./pontoon dump --data-dir DIR}. Read-only: it takes no lock
 * and writes nothing in the node's directory (its log index goes in a temporary directory), so it works on a
 * stopped node's directory (and, racily, on a running one).
 *
 * <p>Output, one line per entry from the first held index up to {@code min(commit index, last index)}, then a
 * summary line; when the log restarts after a snapshot (a RESET record, {@code LogStore.resetTo}), a first line
 * names the reset point, the entries then start at {@code index + 1}:
 * <pre>
 * RESET lsn=&lt;index&gt; term=&lt;term&gt;
 * ENTRY lsn=&lt;index&gt; term=&lt;term&gt; crc=&lt;crc&gt;
 * ENTRY lsn=&lt;index&gt; term=&lt;term&gt; crc=&lt;crc&gt; config voters [1, 2, 3] learners [4]
 * RESULT last_lsn=&lt;last index in the journal&gt; commit_index=&lt;last recorded commit hint&gt;
 * </pre>
 * {@code crc} is the CRC32C of the entry's payload bytes only, as 8 lowercase hex digits (zero-padded, no
 * {@code 0x}). A configuration entry ({@code LogStore.KIND_CONFIGURATION}) has its configuration after the CRC,
 * as {@link Membership#describe()} prints it ({@code config (malformed: ...)} if it does not decode).
 * {@code commit_index} is the highest COMMIT hint record in the journal (0 if none); it may exceed {@code last_lsn}
 * on a follower that learned the leader's commit index before receiving the entries.
 *
 * <p>{@link #dumpSnapshots} lists a node's snapshots, newest first, each as a line and its configuration below it
 * (indented, so tools that read only {@code SNAPSHOT} lines are unaffected):
 * <pre>
 * SNAPSHOT index=&lt;index&gt; term=&lt;term&gt; bytes=&lt;content bytes&gt; crc32c=&lt;crc&gt; members=[1,2,3,4]
 *   config voters [1, 2, 3] learners [4]
 * </pre>
 */
public final class JournalDump {
    private JournalDump() {
    }

    /** Lists {@code dataDir/journal}; returns the number of ENTRY lines printed. */
    public static long dump(Path dataDir, PrintStream out) {
        return dump(dataDir, null, out);
    }

    /**
     * As {@link #dump(Path, PrintStream)} for a journal written with a roll cycle outside Chronicle's standard
     * ones (Chronicle finds a standard cycle from the queue's metadata by itself, but not a custom one); null for
     * a standard cycle.
     */
    public static long dump(Path dataDir, net.openhft.chronicle.queue.RollCycle rollCycle, PrintStream out) {
        if (!Files.isDirectory(dataDir)) {
            throw new StorageException("data directory " + dataDir.toAbsolutePath() + " does not exist or is not a directory");
        }
        final Path journalDir = dataDir.resolve(DataDirectory.JOURNAL_DIR);
        if (!Files.isDirectory(journalDir)) {
            throw new StorageException("no journal in " + dataDir.toAbsolutePath() + " (expected directory "
                + journalDir.toAbsolutePath() + ")");
        }
        DataDirectory.requireChronicleExports();
        final ChronicleLogStoreOptions.Builder builder = ChronicleLogStoreOptions.builder(dataDir)
            .durability(Durability.PAGE_CACHE);
        if (rollCycle != null) {
            builder.rollCycle(rollCycle);
        }
        final ChronicleLogStoreOptions options = builder.build();
        long printed = 0;
        // The index goes in a temporary directory: the dump writes nothing into the node's directory.
        try (SingleChronicleQueue queue = ChronicleLogStore.openQueue(journalDir, options, true);
             LogIndex index = LogIndex.temporary()) {
            final JournalReplay.Result replay = JournalReplay.replay(queue, index);
            final long upTo = Math.min(replay.commitIndex, index.lastIndex());
            final UnsafeBuffer record = new UnsafeBuffer(0, 0);
            final StringBuilder line = new StringBuilder(64);
            final JournalFormat.Checksum checksum = new JournalFormat.Checksum();
            if (replay.resetIndex != LogStore.NULL_VALUE) {
                out.println("RESET lsn=" + replay.resetIndex + " term=" + replay.resetTerm);
            }
            try (ExcerptTailer tailer = queue.createTailer()) {
                for (long i = index.firstIndex(); i <= upTo; i++) {
                    final long queueIndex = index.queueIndex(i);
                    if (tailer.index() != queueIndex && !tailer.moveToIndex(queueIndex)) {
                        throw new StorageException("entry " + i + " at queue index 0x" + Long.toHexString(queueIndex)
                            + " vanished from " + journalDir + " during the dump");
                    }
                    try (DocumentContext dc = tailer.readingDocument()) {
                        // Stay on the record: the next entry is most likely in the same BATCH.
                        dc.rollbackOnClose();
                        final Bytes<?> bytes = dc.wire().bytes();
                        record.wrap(bytes.addressForRead(bytes.readPosition()), (int) bytes.readRemaining());
                        final int crc = checksum.of(record, index.offsetInRecord(i), index.length(i));
                        line.setLength(0);
                        line.append("ENTRY lsn=").append(i).append(" term=").append(index.termAt(i)).append(" crc=");
                        appendHex8(line, crc);
                        if (index.kind(i) == LogStore.KIND_CONFIGURATION) {
                            line.append(" config ").append(describeConfiguration(record, index.offsetInRecord(i),
                                index.length(i)));
                        }
                        out.println(line);
                        printed++;
                    }
                }
            }
            out.println("RESULT last_lsn=" + Math.max(index.lastIndex(), 0) + " commit_index=" + replay.commitIndex);
        }
        return printed;
    }

    /**
     * Lists the snapshots in {@code dataDir/snapshots} (read-only, {@link FileSnapshotStore#listReadOnly}), newest
     * first, in the format of the class comment; returns how many. Nothing is printed if there are none.
     */
    public static int dumpSnapshots(Path dataDir, PrintStream out) {
        final List<SnapshotMeta> snapshots = FileSnapshotStore.listReadOnly(dataDir);
        for (SnapshotMeta s : snapshots) {
            out.println("SNAPSHOT index=" + s.index() + " term=" + s.term() + " bytes=" + s.sizeBytes() + " crc32c="
                + String.format("%08x", s.checksum()) + " members=" + Arrays.toString(s.members()).replace(" ", ""));
            out.println("  config " + s.membership().describe());
        }
        return snapshots.size();
    }

    /** A configuration entry's payload as {@link Membership#describe()} prints it, or why it does not decode. */
    static String describeConfiguration(DirectBuffer buffer, int offset, int length) {
        try {
            return Membership.decode(buffer, offset, length).describe();
        } catch (IllegalArgumentException e) {
            return "(malformed: " + e.getMessage() + ")";
        }
    }

    static void appendHex8(StringBuilder sb, int value) {
        final String hex = Integer.toHexString(value);
        for (int i = hex.length(); i < 8; i++) {
            sb.append('0');
        }
        sb.append(hex);
    }

    /** CRC32C of a payload as the dump prints it; for tools and tests comparing against a dump. */
    public static String payloadCrcHex(byte[] payload) {
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(payload);
        final StringBuilder sb = new StringBuilder(8);
        appendHex8(sb, (int) crc.getValue());
        return sb.toString();
    }
}
