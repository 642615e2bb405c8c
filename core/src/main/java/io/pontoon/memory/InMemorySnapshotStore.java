package io.pontoon.memory;

import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A {@link SnapshotStore} in heap memory, for tests, the simulator and in-memory clusters. Committed snapshots
 * survive a simulated crash (the object outlives the engine); a sink not committed before the crash is simply
 * never seen again. Keeps the newest {@code keep} snapshots. Unlike the file store it does hold each snapshot
 * whole in memory: it is meant for small state.
 */
public final class InMemorySnapshotStore implements SnapshotStore {
    private final int keep;
    private final List<Stored> committed = new ArrayList<>();
    private long commits;

    private record Stored(SnapshotMeta meta, byte[] content) {
    }

    public InMemorySnapshotStore() {
        this(2);
    }

    public InMemorySnapshotStore(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        this.keep = keep;
    }

    @Override
    public synchronized SnapshotSink create(long index, long term, io.pontoon.spi.Membership members) {
        final SnapshotMeta pending = SnapshotMeta.of(index, term, members);
        return new Sink(pending);
    }

    @Override
    public synchronized SnapshotMeta latest() {
        return committed.isEmpty() ? null : committed.get(committed.size() - 1).meta;
    }

    /** Every committed snapshot still kept, oldest first. */
    public synchronized List<SnapshotMeta> list() {
        final List<SnapshotMeta> metas = new ArrayList<>();
        for (Stored s : committed) {
            metas.add(s.meta);
        }
        return metas;
    }

    /** Snapshots committed since this store was created. */
    public synchronized long commits() {
        return commits;
    }

    @Override
    public synchronized SnapshotSource open(SnapshotMeta meta) {
        for (Stored s : committed) {
            if (s.meta.equals(meta)) {
                return new Source(s);
            }
        }
        throw new IllegalArgumentException("no committed " + meta + " in this store (kept: " + list() + ")");
    }

    private synchronized SnapshotMeta commit(SnapshotMeta pending, byte[] content) {
        final CRC32C crc = new CRC32C();
        crc.update(content);
        final SnapshotMeta meta = new SnapshotMeta(pending.index(), pending.term(), pending.membership(), content.length,
            crc.getValue());
        // Ordered by index; a snapshot at an index already held replaces it. A commit may come after a newer one
        // (written concurrently, or delayed): it goes in its place, and never pushes a newer snapshot out; pruning
        // keeps the newest `keep`, so an old one committed late may be pruned at once (as the file store does).
        committed.removeIf(s -> s.meta.index() == meta.index());
        int at = committed.size();
        while (at > 0 && committed.get(at - 1).meta.index() > meta.index()) {
            at--;
        }
        committed.add(at, new Stored(meta, content));
        while (committed.size() > keep) {
            committed.remove(0);
        }
        commits++;
        return meta;
    }

    @Override
    public void close() {
    }

    private final class Sink implements SnapshotSink {
        private final SnapshotMeta pending;
        private byte[] bytes = new byte[256];
        private int size;
        private boolean done;

        Sink(SnapshotMeta pending) {
            this.pending = pending;
        }

        @Override
        public void write(ByteBuffer src) {
            if (done) {
                throw new IllegalStateException("snapshot sink for " + pending + " is already committed or closed");
            }
            final int n = src.remaining();
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + n, bytes.length * 2));
            }
            src.get(bytes, size, n);
            size += n;
        }

        @Override
        public long position() {
            return size;
        }

        @Override
        public SnapshotMeta commit() {
            if (done) {
                throw new IllegalStateException("snapshot sink for " + pending + " is already committed or closed");
            }
            done = true;
            return InMemorySnapshotStore.this.commit(pending, Arrays.copyOf(bytes, size));
        }

        @Override
        public void close() {
            done = true;
        }
    }

    private static final class Source implements SnapshotSource {
        private final Stored stored;

        Source(Stored stored) {
            this.stored = stored;
        }

        @Override
        public SnapshotMeta meta() {
            return stored.meta;
        }

        @Override
        public int read(long position, ByteBuffer dst) {
            final byte[] content = stored.content;
            if (position >= content.length) {
                return -1;
            }
            final int n = (int) Math.min(dst.remaining(), content.length - position);
            dst.put(content, (int) position, n);
            return n;
        }

        @Override
        public void close() {
        }
    }
}
