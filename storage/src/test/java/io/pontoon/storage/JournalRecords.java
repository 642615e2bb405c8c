package io.pontoon.storage;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/** Test diagnostics: one line per journal record (file, queue index, type and its fields). */
final class JournalRecords {
    private JournalRecords() {
    }

    static String describe(Path dataDir) {
        final StringBuilder out = new StringBuilder();
        final ChronicleLogStoreOptions options = ChronicleLogStoreOptions.builder(dataDir)
            .durability(Durability.PAGE_CACHE).build();
        try (SingleChronicleQueue queue = ChronicleLogStore.openQueue(dataDir.resolve("journal"), options, true);
             ExcerptTailer tailer = queue.createTailer()) {
            for (final int cycle : new JournalFiles(queue).cycles()) {
                if (!tailer.moveToCycle(cycle)) {
                    out.append("cycle ").append(cycle).append(": cannot move there\n");
                    continue;
                }
                out.append("cycle ").append(cycle).append(" file ").append(tailer.currentFile()).append('\n');
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        final Bytes<?> bytes = dc.wire().bytes();
                        final int length = (int) bytes.readRemaining();
                        final UnsafeBuffer r = new UnsafeBuffer(bytes.addressForRead(bytes.readPosition()), length);
                        out.append("  0x").append(Long.toHexString(dc.index())).append(" type ").append(r.getByte(0));
                        if (r.getByte(0) == JournalFormat.TYPE_BATCH && length >= JournalFormat.BATCH_OVERHEAD) {
                            out.append(" first ").append(r.getLong(1, JournalFormat.ORDER))
                                .append(" count ").append(JournalFormat.batchCount(r, length));
                        } else if (length >= 9) {
                            out.append(" value ").append(r.getLong(1, JournalFormat.ORDER));
                        }
                        out.append('\n');
                    }
                }
            }
            out.append("chronicle lastIndex 0x").append(Long.toHexString(queue.lastIndex())).append('\n');
        } catch (RuntimeException e) {
            out.append("(cannot list: ").append(e).append(")\n");
        }
        return out.toString();
    }
}
