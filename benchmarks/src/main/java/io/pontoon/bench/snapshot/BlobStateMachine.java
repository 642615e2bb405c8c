package io.pontoon.bench.snapshot;

import io.pontoon.CommittedEntries;
import io.pontoon.SnapshotReader;
import io.pontoon.SnapshotWriter;
import io.pontoon.StateMachine;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A state machine whose state is every payload it applied, kept in a file (not in the heap): its snapshot is as
 * large as the log it covers, which is what the catch-up measurement needs (a snapshot of 1 GiB and more, streamed
 * through a bounded heap). Not durable by itself: it is rebuilt from the latest snapshot and the log after a
 * restart, like any state machine.
 */
final class BlobStateMachine implements StateMachine {
    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel file;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final UnsafeBuffer view = new UnsafeBuffer(buffer);
    private long size;
    private volatile long index;
    private volatile long bytes;

    BlobStateMachine(Path path) {
        try {
            file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path, e);
        }
    }

    @Override
    public void apply(CommittedEntries entries) throws IOException {
        long last = index;
        while (entries.next()) {
            final int length = entries.length();
            if (buffer.remaining() < length) {
                drain();
            }
            entries.buffer().getBytes(entries.offset(), buffer, buffer.position(), length);
            buffer.position(buffer.position() + length);
            last = entries.index();
        }
        drain();
        index = last;
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            size += file.write(buffer, size);
        }
        buffer.clear();
        bytes = size;
    }

    @Override
    public void takeSnapshot(SnapshotWriter writer) throws IOException {
        writer.writeLong(index);
        long at = 0;
        while (at < size) {
            buffer.clear();
            final int n = file.read(buffer, at);
            writer.write(view, 0, n);
            at += n;
        }
        buffer.clear();
    }

    @Override
    public void restore(SnapshotReader reader) throws IOException {
        final long at = reader.readLong();
        file.truncate(0);
        size = 0;
        final byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = reader.read(chunk, 0, chunk.length)) > 0) {
            size += file.write(ByteBuffer.wrap(chunk, 0, n), size);
        }
        bytes = size;
        index = at;
    }

    long index() {
        return index;
    }

    long bytes() {
        return bytes;
    }
}
