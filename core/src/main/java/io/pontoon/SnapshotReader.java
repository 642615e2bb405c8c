package io.pontoon;

import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;

import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * What {@link StateMachine#restore} reads a snapshot from: the store's file, through a 64 KiB buffer. Also an
 * {@link InputStream}.
 */
public final class SnapshotReader extends InputStream {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final SnapshotStore.SnapshotSource source;
    private final SnapshotMeta meta;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private long position;

    SnapshotReader(SnapshotStore.SnapshotSource source) {
        this.source = source;
        this.meta = source.meta();
        buffer.flip();
    }

    /** The snapshot covers the log up to this index. */
    public long index() {
        return meta.index();
    }

    public long term() {
        return meta.term();
    }

    /** Content length in bytes. */
    public long sizeBytes() {
        return meta.sizeBytes();
    }

    @Override
    public int read() {
        if (!fill()) {
            return -1;
        }
        return buffer.get() & 0xFF;
    }

    @Override
    public int read(byte[] dst, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        final int n = Math.min(length, buffer.remaining());
        buffer.get(dst, offset, n);
        return n;
    }

    /** Reads 8 bytes, little-endian (as {@link SnapshotWriter#writeLong} wrote them). */
    public long readLong() throws java.io.EOFException {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            final int b = read();
            if (b < 0) {
                throw new java.io.EOFException("snapshot " + meta + " ended inside a long");
            }
            v |= (long) b << (8 * i);
        }
        return v;
    }

    private boolean fill() {
        if (buffer.hasRemaining()) {
            return true;
        }
        buffer.clear();
        final int n = source.read(position, buffer);
        buffer.flip();
        if (n <= 0) {
            return false;
        }
        position += n;
        return true;
    }
}
