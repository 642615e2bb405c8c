package io.pontoon.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Chronicle journals and term/vote files for the nodes of an in-process cluster (demo, benchmarks, tests):
 * one data directory per node under a temporary root, deleted by {@link #close()}. A node reopened with
 * {@link #logStore(int)} after its previous store was closed comes back with its durable log.
 */
public final class TempNodeStores implements AutoCloseable {
    private final Path root;
    private final Durability durability;
    private final int ringCapacityBytes;

    /** @param ringCapacityBytes journal ring size per node (see {@link ChronicleLogStoreOptions}) */
    public TempNodeStores(String prefix, Durability durability, int ringCapacityBytes) {
        this.durability = durability;
        this.ringCapacityBytes = ringCapacityBytes;
        try {
            this.root = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for node stores", e);
        }
    }

    public TempNodeStores(String prefix, Durability durability) {
        this(prefix, durability, ChronicleLogStoreOptions.DEFAULT_RING_CAPACITY_BYTES);
    }

    public Path root() {
        return root;
    }

    public Durability durability() {
        return durability;
    }

    /** The data directory of {@code nodeId}, created on first use. */
    public Path dataDir(int nodeId) {
        final Path dir = root.resolve("node-" + nodeId);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    public ChronicleLogStore logStore(int nodeId) {
        return ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dataDir(nodeId))
            .durability(durability).ringCapacityBytes(ringCapacityBytes).build());
    }

    public FileMetaStore metaStore(int nodeId) {
        return FileMetaStore.open(dataDir(nodeId));
    }

    /** Deletes every node directory (best effort, idempotent); the stores must be closed first. */
    @Override
    public void close() {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a file vanished while walking: nothing left to delete there
        }
    }
}
