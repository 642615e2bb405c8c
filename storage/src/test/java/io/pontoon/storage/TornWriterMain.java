package io.pontoon.storage;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Child process of {@link CrashRecoveryTest}: starts one journal excerpt, writes half a record into it and halts
 * the JVM before the excerpt is finished, leaving exactly what a crash in the middle of a write leaves.
 */
public final class TornWriterMain {
    private TornWriterMain() {
    }

    public static void main(String[] args) {
        final ChronicleLogStoreOptions options = ChronicleLogStoreOptions.builder(Path.of(args[0])).build();
        final SingleChronicleQueue queue = ChronicleLogStore.openQueue(Path.of(args[0], "journal"), options, false);
        final ExcerptAppender appender = queue.createAppender();
        final DocumentContext dc = appender.writingDocument();
        dc.wire().bytes().writeByte(JournalFormat.TYPE_BATCH).writeLong(Long.parseLong(args[1])).writeLong(1);
        System.out.println("HALTING");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
