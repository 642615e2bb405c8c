package io.pontoon.storage;

import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore.SnapshotSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Positional reads of a committed snapshot's content through its own open channel. The channel keeps the file
 * readable after pruning unlinks it (POSIX: the inode lives while a descriptor is open), so a transfer in
 * progress survives newer commits; the file's space is freed when this source is closed.
 *
 * <p>Threading: one thread at a time (the SPI's rule); {@link FileSnapshotStore#close()} may close it from
 * another thread, after which {@link #read} throws.
 */
final class FileSnapshotSource implements SnapshotSource {
    private final FileSnapshotStore store;
    private final Path file;
    private final SnapshotMeta meta;
    private final FileChannel channel;
    private final long contentOffset;
    private volatile boolean closed;

    /** {@code contentOffset}: the file's header length, which depends on its version and configuration. */
    FileSnapshotSource(FileSnapshotStore store, Path file, SnapshotMeta meta, long contentOffset, FileChannel channel) {
        this.store = store;
        this.file = file;
        this.meta = meta;
        this.channel = channel;
        this.contentOffset = contentOffset;
    }

    @Override
    public SnapshotMeta meta() {
        return meta;
    }

    /** Fills {@code dst} as far as the content allows (not just one read call); keeps no reference to it. */
    @Override
    public int read(long position, ByteBuffer dst) {
        if (closed) {
            throw new IllegalStateException("the snapshot source of " + file.getFileName() + " is closed");
        }
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, was " + position);
        }
        final long size = meta.sizeBytes();
        if (position >= size) {
            return -1;
        }
        final int want = (int) Math.min(dst.remaining(), size - position);
        final int limit = dst.limit();
        dst.limit(dst.position() + want);
        int read = 0;
        try {
            while (read < want) {
                final int n = channel.read(dst, contentOffset + position + read);
                if (n < 0) {
                    throw new StorageException("snapshot file " + file + " ended at content byte " + (position + read)
                        + " of " + size + ": it was truncated after it was checked");
                }
                read += n;
            }
        } catch (IOException e) {
            throw StorageException.of("reading snapshot file " + file.getFileName(), store.directory(), e);
        } finally {
            dst.limit(limit);
        }
        return read;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            store.forget(this);
            DataDirectory.closeQuietly(channel);
        }
    }
}
