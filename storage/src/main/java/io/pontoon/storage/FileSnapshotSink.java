package io.pontoon.storage;

import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore.SnapshotSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Streams a snapshot's content into its temporary file through a bounded direct buffer, leaving room for the
 * header, which is written at {@link #commit()} once the length is known. The temporary file is invisible to
 * {@link FileSnapshotStore#latest()} and deleted at the next open if the process dies first.
 *
 * <p>Threading: one thread at a time (the SPI's rule); {@link FileSnapshotStore#close()} may discard it from
 * another thread, after which its methods throw.
 */
final class FileSnapshotSink implements SnapshotSink {
    /** Bigger writes go straight to the channel; smaller ones are gathered up to this many bytes. */
    static final int BUFFER_BYTES = 256 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotSink.class);

    private enum State { OPEN, COMMITTED, DISCARDED }

    private final FileSnapshotStore store;
    private final SnapshotMeta target;
    private final Path tmp;
    private final FileChannel channel;
    /** The configuration's {@link io.pontoon.spi.Membership#encode()} bytes, in the header written at commit. */
    private final byte[] config;
    private final int headerBytes;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    /** Content bytes written, buffered ones included. */
    private long contentBytes;
    /** Content bytes already in the file. */
    private long flushedBytes;
    private volatile State state = State.OPEN;

    FileSnapshotSink(FileSnapshotStore store, SnapshotMeta target, Path tmp, FileChannel channel) {
        this.store = store;
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
        this.config = target.membership().encode();
        this.headerBytes = SnapshotFormat.headerBytes(config.length);
    }

    /** Consumes {@code src} before returning (copied or written); the sink keeps no reference to it. */
    @Override
    public void write(ByteBuffer src) {
        requireOpen("write to");
        try {
            if (src.remaining() >= buffer.remaining()) {
                flush();
                if (src.remaining() >= buffer.capacity()) {
                    final int start = src.position();
                    crc.update(src);
                    src.position(start);
                    contentBytes += src.remaining();
                    writeFully(src);
                    return;
                }
            }
            contentBytes += src.remaining();
            buffer.put(src);
        } catch (IOException e) {
            discard();
            throw StorageException.of("writing snapshot " + tmp.getFileName(), store.directory(), e);
        }
    }

    @Override
    public long position() {
        return contentBytes;
    }

    @Override
    public SnapshotMeta commit() {
        requireOpen("commit");
        final SnapshotMeta meta;
        try {
            flush();
            buffer.clear();
            buffer.putInt((int) crc.getValue()).flip();
            writeFully(buffer); // the trailer, at headerBytes + contentBytes
            buffer.clear();
            final ByteBuffer header = SnapshotFormat.header(target.index(), target.term(), config, contentBytes);
            while (header.hasRemaining()) {
                channel.write(header, header.position());
            }
            channel.force(true);
            channel.close();
            meta = new SnapshotMeta(target.index(), target.term(), target.membership(), contentBytes, crc.getValue());
            store.publish(tmp, meta, headerBytes);
        } catch (IOException e) {
            discard();
            throw StorageException.of("committing snapshot " + tmp.getFileName(), store.directory(), e);
        } catch (RuntimeException e) {
            discard();
            throw e;
        }
        state = State.COMMITTED;
        store.forget(this);
        return meta;
    }

    @Override
    public void close() {
        if (state == State.OPEN) {
            discard();
        }
    }

    /** Drops the temporary file; a failure to delete is only logged, since the next open deletes it anyway. */
    private void discard() {
        state = State.DISCARDED;
        store.forget(this);
        DataDirectory.closeQuietly(channel);
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            LOG.warn("could not delete the discarded snapshot file {} ({}); the next open deletes it", tmp, e.toString());
        }
    }

    private void flush() throws IOException {
        buffer.flip();
        crc.update(buffer);
        buffer.rewind();
        writeFully(buffer);
        buffer.clear();
    }

    /** Writes {@code src} at the end of the content written so far (or, at commit, the trailer). */
    private void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            flushedBytes += channel.write(src, headerBytes + flushedBytes);
        }
    }

    private void requireOpen(String what) {
        final State s = state;
        if (s != State.OPEN) {
            throw new IllegalStateException("cannot " + what + " the snapshot sink of index " + target.index()
                + " term " + target.term() + ": it is " + (s == State.COMMITTED ? "committed" : "closed (discarded)"));
        }
    }
}
