package io.pontoon;

import io.pontoon.spi.SnapshotStore;
import org.agrona.DirectBuffer;

import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Where {@link StateMachine#takeSnapshot} streams the state: into the snapshot store's file through a 64 KiB
 * buffer, never whole in memory. Also an {@link OutputStream}, for serialisers that want one.
 */
public final class SnapshotWriter extends OutputStream {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final SnapshotStore.SnapshotSink sink;
    private final long index;
    private final long term;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private long written;

    SnapshotWriter(SnapshotStore.SnapshotSink sink, long index, long term) {
        this.sink = sink;
        this.index = index;
        this.term = term;
    }

    /** The snapshot covers the log up to this index (the last applied entry). */
    public long index() {
        return index;
    }

    public long term() {
        return term;
    }

    /** Bytes written so far. */
    public long bytesWritten() {
        return written;
    }

    @Override
    public void write(int b) {
        if (!buffer.hasRemaining()) {
            drain();
        }
        buffer.put((byte) b);
        written++;
    }

    @Override
    public void write(byte[] src, int offset, int length) {
        int done = 0;
        while (done < length) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            final int n = Math.min(length - done, buffer.remaining());
            buffer.put(src, offset + done, n);
            done += n;
        }
        written += length;
    }

    public void write(DirectBuffer src, int offset, int length) {
        int done = 0;
        while (done < length) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            final int n = Math.min(length - done, buffer.remaining());
            src.getBytes(offset + done, buffer, buffer.position(), n);
            buffer.position(buffer.position() + n);
            done += n;
        }
        written += length;
    }

    public void writeLong(long value) {
        for (int i = 0; i < 8; i++) {
            write((int) (value >>> (8 * i)));
        }
    }

    /** Hands the buffered bytes to the store (the runtime does it once more after takeSnapshot returns). */
    @Override
    public void flush() {
        drain();
    }

    private void drain() {
        buffer.flip();
        if (buffer.hasRemaining()) {
            sink.write(buffer);
        }
        buffer.clear();
    }
}
