package io.pontoon.storage;

import io.pontoon.spi.Membership;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshots as files in {@code <data dir>/snapshots/}, one per snapshot, in the layout of {@link SnapshotFormat}
 * (docs/STORAGE.md, "Snapshots"). A sink streams into a temporary file; {@code commit} fsyncs it, renames it
 * into place atomically and fsyncs the directory, then deletes all but the newest {@code keep} intact snapshots.
 * {@link #latest()} checks each file whole (header, length, CRC32C of the content) once per store instance and
 * size, and skips a damaged one with a warning naming it and what is wrong.
 *
 * <p>Threading: {@code create}, {@code latest}, {@code open}, {@code list} and {@code close} may be called from
 * any thread; they share the directory listing under this object's monitor, which a commit's rename, directory
 * fsync and pruning also hold. Writing a sink and reading a source run outside it. The directory belongs to one
 * store (one node per data directory; the journal's lock file guards that): opening deletes leftover temporary
 * files.
 */
public final class FileSnapshotStore implements SnapshotStore {
    public static final String DIRECTORY = "snapshots";
    public static final int DEFAULT_KEEP = 2;
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);

    private final Path directory;
    private final int keep;
    /** Check results by file name; one is trusted while its file keeps the size it had when checked. */
    private final Map<String, Check> checked = new HashMap<>();
    private final Set<AutoCloseable> openSinksAndSources = ConcurrentHashMap.newKeySet();
    private final AtomicLong tmpSequence = new AtomicLong();
    /** Reused to stream content through while checking it; guarded by this. */
    private ByteBuffer scratch;
    private volatile boolean closed;

    /** What checking a file found: its snapshot and where its content starts, or the problem making it unusable. */
    private record Check(long fileBytes, SnapshotMeta meta, int headerBytes, String problem) {
    }

    /** A committed snapshot's file, as named. */
    private record Listed(Path file, long index, long term) {
    }

    private FileSnapshotStore(Path directory, int keep) {
        this.directory = directory;
        this.keep = keep;
    }

    /** Opens {@code dataDir/snapshots/} keeping the {@value #DEFAULT_KEEP} newest snapshots. */
    public static FileSnapshotStore open(Path dataDir) {
        return open(dataDir, DEFAULT_KEEP);
    }

    /**
     * Opens (creating if needed) {@code dataDir/snapshots/}, keeping the {@code keep} newest intact snapshots
     * after each commit, and deletes temporary files a crash left. Fails naming the directory if
     * {@code dataDir} is missing or not writable.
     *
     * @param keep snapshots kept, >= 1 (older ones are the fallback if the newest is damaged)
     */
    public static FileSnapshotStore open(Path dataDir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep (snapshots kept) must be >= 1, was " + keep);
        }
        DataDirectory.check(dataDir, "data directory");
        final Path directory = dataDir.resolve(DIRECTORY);
        try {
            if (Files.notExists(directory)) {
                Files.createDirectory(directory);
                forceDirectory(dataDir, "creating " + DIRECTORY + "/");
            }
        } catch (IOException e) {
            throw StorageException.of("creating the snapshot directory " + directory.toAbsolutePath(), dataDir, e);
        }
        DataDirectory.check(directory, "snapshot directory");
        deleteLeftoverTemporaryFiles(directory);
        return new FileSnapshotStore(directory, keep);
    }

    /**
     * Read-only listing for tools ({@code ./pontoon dump}): every intact committed snapshot in {@code dataDir/snapshots},
     * newest first, without creating, deleting or locking anything (empty if there is no such directory).
     */
    public static List<SnapshotMeta> listReadOnly(Path dataDir) {
        final Path directory = dataDir.resolve(DIRECTORY);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        return new FileSnapshotStore(directory, DEFAULT_KEEP).list();
    }

    /** {@code <data dir>/snapshots}. */
    public Path directory() {
        return directory;
    }

    /** Any thread. The sink belongs to the caller until it commits or closes it. */
    @Override
    public SnapshotSink create(long index, long term, Membership membership) {
        Objects.requireNonNull(membership, "membership");
        final SnapshotMeta target = SnapshotMeta.of(index, term, membership); // refuses index or term < 1
        requireOpen();
        final String base = SnapshotFormat.fileName(index, term);
        while (true) {
            final Path tmp = directory.resolve(base + "." + tmpSequence.incrementAndGet() + ".tmp");
            try {
                final FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
                final FileSnapshotSink sink = new FileSnapshotSink(this, target, tmp, channel);
                openSinksAndSources.add(sink);
                return sink;
            } catch (FileAlreadyExistsException e) {
                // another sink of the same snapshot took this number; try the next
            } catch (IOException e) {
                throw StorageException.of("creating snapshot file " + tmp.getFileName(), directory, e);
            }
        }
    }

    /** Any thread. Checks files not checked before (reading them whole), so it may take a while once per file. */
    @Override
    public synchronized SnapshotMeta latest() {
        requireOpen();
        for (Listed listed : listing()) {
            final Check check = check(listed);
            if (check != null && check.problem == null) {
                return check.meta;
            }
        }
        return null;
    }

    /** Any thread: every intact committed snapshot, newest (highest index) first. For {@code ./pontoon dump}. */
    public synchronized List<SnapshotMeta> list() {
        requireOpen();
        final List<SnapshotMeta> metas = new ArrayList<>();
        for (Listed listed : listing()) {
            final Check check = check(listed);
            if (check != null && check.problem == null) {
                metas.add(check.meta);
            }
        }
        return metas;
    }

    /**
     * Any thread. {@code meta} must name a snapshot in the store (index, term and configuration, addresses included;
     * size and checksum too unless they are -1). The source reads it even if a later commit deletes its file.
     */
    @Override
    public synchronized SnapshotSource open(SnapshotMeta meta) {
        Objects.requireNonNull(meta, "meta");
        requireOpen();
        final Path file = directory.resolve(SnapshotFormat.fileName(meta.index(), meta.term()));
        final FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new StorageException("snapshot " + meta + " is not in " + directory + " (no file "
                + file.getFileName() + "): it was never committed, or pruning deleted it after newer commits");
        } catch (IOException e) {
            throw StorageException.of("opening snapshot file " + file.getFileName(), directory, e);
        }
        try {
            final Check check = check(new Listed(file, meta.index(), meta.term()), channel);
            if (check.problem != null) {
                throw new StorageException("snapshot file " + file + " is damaged: " + check.problem);
            }
            final SnapshotMeta held = check.meta;
            final boolean sameContent = meta.sizeBytes() < 0
                || meta.sizeBytes() == held.sizeBytes() && meta.checksum() == held.checksum();
            if (!sameContent || !meta.membership().equals(held.membership())) {
                throw new StorageException("snapshot file " + file + " holds " + held + ", not the requested " + meta);
            }
            final FileSnapshotSource source = new FileSnapshotSource(this, file, held, check.headerBytes, channel);
            openSinksAndSources.add(source);
            return source;
        } catch (IOException e) {
            DataDirectory.closeQuietly(channel);
            throw StorageException.of("checking snapshot file " + file.getFileName(), directory, e);
        } catch (RuntimeException e) {
            DataDirectory.closeQuietly(channel);
            throw e;
        }
    }

    /** Discards open sinks and closes open sources; afterwards every method but {@code close} throws. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (AutoCloseable c : openSinksAndSources) {
            DataDirectory.closeQuietly(c);
        }
    }

    /**
     * Called by a sink's commit with its file written and fsynced: renames it into place, fsyncs the directory
     * and then prunes, in that order, so a crash never leaves fewer snapshots than before the commit.
     */
    synchronized void publish(Path tmp, SnapshotMeta meta, int headerBytes) throws IOException {
        requireOpen();
        final Path file = directory.resolve(SnapshotFormat.fileName(meta.index(), meta.term()));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        checked.put(file.getFileName().toString(), new Check(Files.size(file), meta, headerBytes, null));
        forceDirectory(directory, "committing " + file.getFileName());
        prune();
    }

    void forget(AutoCloseable sinkOrSource) {
        openSinksAndSources.remove(sinkOrSource);
    }

    /**
     * Deletes every file older than the {@code keep}-th newest intact snapshot. Damaged files newer than that
     * stay (they are skipped and do not count), so a damaged newest file never costs the fallback.
     */
    private void prune() {
        int intact = 0;
        for (Listed listed : listing()) {
            if (intact < keep) {
                final Check check = check(listed);
                if (check != null && check.problem == null) {
                    intact++;
                }
                continue;
            }
            final String name = listed.file.getFileName().toString();
            checked.remove(name);
            try {
                Files.deleteIfExists(listed.file);
            } catch (IOException e) {
                // The commit is durable already; failing it now would tell the caller it was not. The file is
                // retried at the next commit.
                LOG.warn("could not delete the old snapshot file {}: {}", listed.file, e.toString());
            }
        }
    }

    /** Committed snapshot files, highest index first (then highest term). Guarded by this. */
    private List<Listed> listing() {
        final List<Listed> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, SnapshotFormat.PREFIX + "*")) {
            for (Path file : stream) {
                final long[] indexAndTerm = SnapshotFormat.parseName(file.getFileName().toString());
                if (indexAndTerm != null) {
                    files.add(new Listed(file, indexAndTerm[0], indexAndTerm[1]));
                }
            }
        } catch (IOException e) {
            throw StorageException.of("listing snapshots", directory, e);
        }
        files.sort(Comparator.comparingLong(Listed::index).thenComparingLong(Listed::term).reversed());
        return files;
    }

    /** The file's check, cached or done now; null if the file is gone. Guarded by this. */
    private Check check(Listed listed) {
        try (FileChannel channel = FileChannel.open(listed.file, StandardOpenOption.READ)) {
            return check(listed, channel);
        } catch (NoSuchFileException e) {
            checked.remove(listed.file.getFileName().toString());
            return null;
        } catch (IOException e) {
            throw StorageException.of("reading snapshot file " + listed.file.getFileName(), directory, e);
        }
    }

    private Check check(Listed listed, FileChannel channel) throws IOException {
        final String name = listed.file.getFileName().toString();
        final long fileBytes = channel.size();
        final Check cached = checked.get(name);
        if (cached != null && cached.fileBytes == fileBytes) {
            return cached;
        }
        if (scratch == null) {
            scratch = ByteBuffer.allocateDirect(FileSnapshotSink.BUFFER_BYTES);
        }
        Check check;
        try {
            final SnapshotFormat.Checked checked = SnapshotFormat.validate(channel, listed.index, listed.term, scratch);
            check = new Check(fileBytes, checked.meta(), checked.headerBytes(), null);
        } catch (SnapshotFormat.Damaged d) {
            check = new Check(fileBytes, null, 0, d.getMessage());
            LOG.warn("snapshot file {} is damaged: {}; skipping it (an older snapshot is used if there is one)",
                listed.file, d.getMessage());
        }
        checked.put(name, check);
        return check;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("FileSnapshotStore " + directory + " is closed");
        }
    }

    private static void deleteLeftoverTemporaryFiles(Path directory) {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, SnapshotFormat.TMP_GLOB)) {
            for (Path tmp : stream) {
                final long bytes = Files.size(tmp);
                Files.deleteIfExists(tmp);
                LOG.info("deleted {} ({} bytes): a snapshot left unfinished by a crash or a failed write", tmp, bytes);
            }
        } catch (IOException e) {
            throw StorageException.of("deleting leftover temporary snapshot files", directory, e);
        }
    }

    /** Makes renames and creations in {@code dir} durable; a failure is a storage failure, never ignored. */
    private static void forceDirectory(Path dir, String why) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw StorageException.of("fsync of the directory (" + why + ")", dir, e);
        }
    }
}
