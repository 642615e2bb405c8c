package io.pontoon.storage;

import io.pontoon.spi.MetaStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Term and vote in {@code <data dir>/meta.dat}: two fixed 32-byte slots written alternately, each
 * {@code magic:u32 sequence:i64 term:i64 votedFor:i32 pad:u32 crc32c:u32} (little-endian, CRC over the bytes
 * before it). {@link #save} overwrites the older slot and fsyncs before returning, so a torn write can only
 * damage the slot being written; opening takes the intact slot with the higher sequence.
 *
 * <p>Threading: the Raft thread; {@link #save} blocks for one fsync, which Raft accepts for term changes
 * (Figure 2: term and vote are on stable storage before answering). The file is locked while open.
 */
public final class FileMetaStore implements MetaStore {
    public static final String FILE_NAME = "meta.dat";
    static final int SLOT_BYTES = 32;
    private static final int MAGIC = 0x504d5431; // "PMT1"
    private static final int CRC_OFFSET = 28;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer slot = ByteBuffer.allocateDirect(SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long sequence;
    private long term;
    private int votedFor = NO_VOTE;
    private boolean closed;

    private FileMetaStore(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens or creates {@code dataDir/meta.dat}; fails naming the directory or file if it cannot. */
    public static FileMetaStore open(Path dataDir) {
        DataDirectory.check(dataDir, "data directory");
        final Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            if (!Files.exists(file)) {
                createAtomically(dataDir, file);
            }
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new StorageException("meta file " + file.toAbsolutePath() + " is already open in this JVM", e);
            }
            if (lock == null) {
                throw new StorageException("meta file " + file.toAbsolutePath() + " is locked by another process; "
                    + "two nodes must not share a data directory");
            }
            final FileMetaStore store = new FileMetaStore(file, channel);
            store.load();
            return store;
        } catch (IOException e) {
            DataDirectory.closeQuietly(channel);
            throw new StorageException("cannot open meta file " + file.toAbsolutePath() + ": " + e, e);
        } catch (RuntimeException e) {
            DataDirectory.closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public long term() {
        return term;
    }

    @Override
    public int votedFor() {
        return votedFor;
    }

    @Override
    public void save(long newTerm, int newVotedFor) {
        if (closed) {
            throw new IllegalStateException("FileMetaStore " + file + " is closed");
        }
        if (newTerm < 0) {
            throw new IllegalArgumentException("term must be >= 0, was " + newTerm);
        }
        final long nextSequence = sequence + 1;
        slot.clear();
        slot.putInt(MAGIC).putLong(nextSequence).putLong(newTerm).putInt(newVotedFor).putInt(0);
        crc.reset();
        slot.flip();
        crc.update(slot.duplicate().limit(CRC_OFFSET));
        slot.limit(SLOT_BYTES);
        slot.putInt(CRC_OFFSET, (int) crc.getValue());
        slot.position(0);
        try {
            final long position = (nextSequence & 1) * SLOT_BYTES;
            while (slot.hasRemaining()) {
                channel.write(slot, position + slot.position());
            }
            channel.force(false);
        } catch (IOException e) {
            throw StorageException.of("writing term/vote to " + file.toAbsolutePath(), file.toAbsolutePath().getParent(), e);
        }
        sequence = nextSequence;
        term = newTerm;
        votedFor = newVotedFor;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            DataDirectory.closeQuietly(channel);
        }
    }

    private void load() throws IOException {
        long bestSequence = -1;
        for (int i = 0; i < 2; i++) {
            slot.clear();
            while (slot.hasRemaining() && channel.read(slot, (long) i * SLOT_BYTES + slot.position()) > 0) {
                // keep reading until the slot is full or the file ends
            }
            if (slot.position() < SLOT_BYTES) {
                continue;
            }
            slot.flip();
            crc.reset();
            crc.update(slot.duplicate().limit(CRC_OFFSET));
            if (slot.getInt(0) != MAGIC || slot.getInt(CRC_OFFSET) != (int) crc.getValue()) {
                continue;
            }
            final long slotSequence = slot.getLong(4);
            if (slotSequence > bestSequence) {
                bestSequence = slotSequence;
                term = slot.getLong(12);
                votedFor = slot.getInt(20);
            }
        }
        if (bestSequence < 0 && neverSaved()) {
            // Written by an older version that created the file in place: a crash during its very first save
            // (term 0, no vote; slot 1, with slot 0 never written) leaves nothing that was ever acknowledged.
            term = 0;
            votedFor = NO_VOTE;
            bestSequence = 0;
        }
        if (bestSequence < 0) {
            throw new StorageException("meta file " + file.toAbsolutePath() + " (" + channel.size()
                + " bytes) has no intact slot: both term/vote copies fail their CRC. Refusing to start with an "
                + "unknown term and vote; restore the file or wipe the node's directory.");
        }
        sequence = bestSequence;
    }

    /** True if slot 0 holds only zero bytes (or is missing): no save but the first was ever started. */
    private boolean neverSaved() throws IOException {
        final ByteBuffer first = ByteBuffer.allocate(SLOT_BYTES);
        while (first.hasRemaining() && channel.read(first, first.position()) > 0) {
            // read slot 0
        }
        for (int i = 0; i < first.position(); i++) {
            if (first.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Creates {@code file} holding term 0 and no vote, atomically: written to a temporary file, fsynced, renamed,
     * then the directory fsynced. A crash leaves either no meta file (a fresh start) or a whole one; before, a
     * crash during the first save left a file with no intact slot, which refused to open (issue 9).
     */
    private static void createAtomically(Path dataDir, Path file) throws IOException {
        final Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
        final ByteBuffer initial = ByteBuffer.allocate(2 * SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        initial.putInt(MAGIC).putLong(0).putLong(0).putInt(NO_VOTE).putInt(0);
        final CRC32C c = new CRC32C();
        c.update(initial.array(), 0, CRC_OFFSET);
        initial.putInt(CRC_OFFSET, (int) c.getValue());
        initial.position(0).limit(2 * SLOT_BYTES);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
            while (initial.hasRemaining()) {
                out.write(initial, initial.position()); // advances the buffer; buffer offset = file offset
            }
            out.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dataDir);
    }

    /** Makes a new file's directory entry durable; a failure is a storage failure, never ignored. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw StorageException.of("fsync of the directory (a new meta file)", dir, e);
        }
    }
}
