package io.pontoon.storage;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.file.Path;

/** Test diagnostics: one line per journal record (file, queue index, type and its fields). */
final class JournalRecords {
    private JournalRecords() {
    }

    /** One journal record as read back: its file, queue index, byte position in the file and bytes. */
    interface RecordVisitor {
        void onRecord(File file, long queueIndex, long position, UnsafeBuffer record, int length);
    }

    /**
     * Reads every record of the journal of {@code options} (its directory and roll cycle) read-only, cycle file by cycle file (as replay does,
     * so a file without Chronicle's end-of-cycle marker does not end the walk). The buffer is valid only
     * during the call.
     */
    static void walk(ChronicleLogStoreOptions options, RecordVisitor visitor) {
        final Path dataDir = options.directory();
        try (SingleChronicleQueue queue = ChronicleLogStore.openQueue(dataDir.resolve("journal"), options, true);
             ExcerptTailer tailer = queue.createTailer()) {
            for (final int cycle : new JournalFiles(queue).cycles()) {
                if (!tailer.moveToCycle(cycle)) {
                    throw new IllegalStateException("cannot move the tailer to cycle " + cycle);
                }
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        final Bytes<?> bytes = dc.wire().bytes();
                        final int length = (int) bytes.readRemaining();
                        final long position = bytes.readPosition();
                        visitor.onRecord(tailer.currentFile(), dc.index(), position,
                            new UnsafeBuffer(bytes.addressForRead(position), length), length);
                    }
                }
            }
        }
    }

    /** Test diagnostics: one line per record (queue index, type and its fields), a header per file. */
    static String describe(Path dataDir) {
        final StringBuilder out = new StringBuilder();
        final File[] lastFile = new File[1];
        try {
            walk(ChronicleLogStoreOptions.builder(dataDir).durability(Durability.PAGE_CACHE).build(), (file, queueIndex, position, r, length) -> {
                if (!file.equals(lastFile[0])) {
                    out.append("file ").append(file).append('\n');
                    lastFile[0] = file;
                }
                out.append("  0x").append(Long.toHexString(queueIndex)).append(" type ").append(r.getByte(0));
                if (r.getByte(0) == JournalFormat.TYPE_BATCH && length >= JournalFormat.BATCH_OVERHEAD) {
                    out.append(" first ").append(r.getLong(1, JournalFormat.ORDER))
                        .append(" count ").append(JournalFormat.batchCount(r, length));
                } else if (r.getByte(0) == JournalFormat.TYPE_RESET && length == JournalFormat.RESET_RECORD_LENGTH) {
                    out.append(" index ").append(r.getLong(JournalFormat.RESET_INDEX_OFFSET, JournalFormat.ORDER))
                        .append(" term ").append(r.getLong(JournalFormat.RESET_TERM_OFFSET, JournalFormat.ORDER));
                } else if (length >= 9) {
                    out.append(" value ").append(r.getLong(1, JournalFormat.ORDER));
                }
                out.append('\n');
            });
        } catch (RuntimeException e) {
            out.append("(cannot list: ").append(e).append(")\n");
        }
        return out.toString();
    }
}
