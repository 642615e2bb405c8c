package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.pontoon.storage.TestPayloads.awaitDurable;
import static io.pontoon.storage.TestPayloads.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random appends (data and configuration entries), truncations, reopens, compactions (and log resets, in the second
 * test) against a plain list model, over many seeds. Each seed picks its own ring/cache sizes and durability so back-pressure, cache eviction
 * and journal reads all occur. A failure names the seed; rerun one with {@code -Dstorage.model.seed=N}.
 */
class ChronicleLogStoreModelTest {
    static final int SEEDS = Integer.getInteger("storage.model.seeds", 30);
    static final int STEPS = Integer.getInteger("storage.model.steps", 120);

    @TempDir
    Path root;

    /** The model: entries [first, first + terms.size()). */
    static final class Model {
        long first = 1;
        final List<Long> terms = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        /** LogStore.KIND_DATA or KIND_CONFIGURATION per entry. */
        final List<Integer> kinds = new ArrayList<>();
        /** Term at first - 1 while the log starts right after a reset (resetTo), else NULL_VALUE. */
        long resetTerm = LogStore.NULL_VALUE;

        long last() {
            return first + terms.size() - 1;
        }

        long lastTerm() {
            if (terms.isEmpty()) {
                return resetTerm != LogStore.NULL_VALUE ? resetTerm : 0;
            }
            return terms.get(terms.size() - 1);
        }

        void resetTo(long index, long term) {
            terms.clear();
            payloads.clear();
            kinds.clear();
            first = index + 1;
            resetTerm = term;
        }

        void truncateFrom(long index) {
            while (last() >= index) {
                terms.remove(terms.size() - 1);
                payloads.remove(payloads.size() - 1);
                kinds.remove(kinds.size() - 1);
            }
        }

        void dropBefore(long index) {
            while (first < index) {
                terms.remove(0);
                payloads.remove(0);
                kinds.remove(0);
                first++;
                // The RESET record went with the files before the new first entry.
                resetTerm = LogStore.NULL_VALUE;
            }
        }
    }

    @Test
    void randomOperationsMatchAListModel() throws Exception {
        runSeeds(20_240_000L, SEEDS, false);
    }

    /**
     * The same with log resets (LogStore.resetTo) below, inside and beyond the log among the steps; its own seeds
     * ({@code -Dstorage.model.seed=N} reruns one in both tests), so the pinned seeds above keep their sequences.
     */
    @Test
    void randomOperationsWithResetsMatchAListModel() throws Exception {
        runSeeds(20_250_000L, Math.max(1, SEEDS / 2), true);
    }

    private void runSeeds(long firstSeed, int count, boolean resets) throws Exception {
        final Long only = Long.getLong("storage.model.seed");
        final long base = only != null ? only : firstSeed;
        final int seeds = only != null ? 1 : count;
        for (long seed = base; seed < base + seeds; seed++) {
            final Path dir = Files.createDirectory(root.resolve((resets ? "resets-seed-" : "seed-") + seed));
            try {
                runSeed(seed, dir, resets);
            } catch (AssertionError | RuntimeException e) {
                System.err.println("journal of failed seed " + seed + ":\n" + JournalRecords.describe(dir));
                throw new AssertionError("model test" + (resets ? " with resets" : "") + " failed for seed " + seed
                    + " (rerun: -Dstorage.model.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    private static void runSeed(long seed, Path dir, boolean resets) {
        final Random random = new Random(seed);
        final SetTimeProvider clock = new SetTimeProvider(TimeUnit.SECONDS.toNanos(1_700_000_000L + seed * 10));
        final ChronicleLogStoreOptions options = ChronicleLogStoreOptions.builder(dir)
            .durability(random.nextInt(4) == 0 ? Durability.SYNC : Durability.PAGE_CACHE)
            // both write paths in either durability; its own generator, so the seeds' other choices stay as pinned
            .positionalWrites(new Random(seed * 31 + 7).nextBoolean())
            .rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock)
            .ringCapacityBytes(random.nextBoolean() ? 64 * 1024 : 1 << 20)
            .cacheCapacityBytes(random.nextBoolean() ? 0 : 1 << (10 + random.nextInt(8)))
            .maxBatchRecords(1 + random.nextInt(200))
            // The pre-toucher runs beside the writer on half the seeds, with the smallest window (the most remaps
            // and the closest to the write position); chosen from the seed, not from `random`, so pinned seeds keep
            // their step sequence. Every byte it could have changed is checked by the model.
            .pretouchWindowBytes(seed % 2 == 0 ? 64 * 1024 : 0)
            .build();
        final Model model = new Model();
        // Every eighth entry or so is a configuration entry; its own generator, so pinned seeds keep their steps.
        final Random kinds = new Random(seed * 131 + 3);
        ChronicleLogStore store = ChronicleLogStore.open(options);
        try {
            for (int step = 0; step < STEPS; step++) {
                final int op = random.nextInt(resets ? 106 : 100);
                if (op >= 100) {
                    // Below, inside or beyond the log (below the durable index included), as a snapshot install.
                    final long index = Math.max(1, model.first - 5 + random.nextInt(model.terms.size() + 60));
                    final long term = Math.max(1, model.lastTerm()) + random.nextInt(2);
                    store.resetTo(index, term);
                    model.resetTo(index, term);
                    assertTrue(store.durableIndex() <= index, "durable index after resetTo(" + index + ")");
                } else if (op < 55) {
                    final long term = model.lastTerm() + (random.nextInt(5) == 0 ? 1 : 0) + (model.terms.isEmpty() ? 1 : 0);
                    final int count = 1 + random.nextInt(40);
                    for (int k = 0; k < count; k++) {
                        final byte[] payload = new byte[random.nextInt(random.nextInt(10) == 0 ? 3000 : 200)];
                        random.nextBytes(payload);
                        final int kind = kinds.nextInt(8) == 0 ? LogStore.KIND_CONFIGURATION : LogStore.KIND_DATA;
                        store.append(model.last() + 1, term, kind, TestPayloads.buffer(payload), 0, payload.length);
                        model.terms.add(term);
                        model.payloads.add(payload);
                        model.kinds.add(kind);
                    }
                } else if (op < 70) {
                    if (model.terms.isEmpty()) {
                        continue;
                    }
                    final long from = model.first + random.nextInt(model.terms.size() + 1);
                    store.truncateFrom(from);
                    model.truncateFrom(from);
                    assertTrue(store.durableIndex() <= Math.max(from - 1, 0), "durable index after truncateFrom(" + from + ")");
                } else if (op < 75) {
                    store.close();
                    store = ChronicleLogStore.open(options);
                    assertNull(store.droppedTailDescription());
                } else if (op < 88) {
                    // A new roll cycle, so compaction has whole files to delete.
                    clock.advanceMillis(1000);
                } else if (op < 95) {
                    if (model.terms.isEmpty()) {
                        continue;
                    }
                    awaitDurable(store, model.last(), 20);
                    final long upTo = model.first + random.nextInt(model.terms.size());
                    final long before = store.firstIndex();
                    store.deleteBefore(upTo);
                    assertTrue(store.firstIndex() <= upTo && store.firstIndex() >= before,
                        "deleteBefore(" + upTo + ") moved firstIndex from " + before + " to " + store.firstIndex());
                    model.dropBefore(store.firstIndex());
                } else {
                    awaitDurable(store, model.last(), 20);
                    assertEquals(model.last(), store.durableIndex());
                }
                checkSample(store, model, random);
            }
            store.close();
            store = ChronicleLogStore.open(options);
            checkAll(store, model);
        } finally {
            store.close();
        }
    }

    private static void checkSample(LogStore store, Model model, Random random) {
        assertEquals(model.last(), store.lastIndex(), "lastIndex");
        if (!model.terms.isEmpty() || model.first == 1 || model.resetTerm != LogStore.NULL_VALUE) {
            // (An emptied compacted log's last term is the compacted entry's, which the model does not track.)
            assertEquals(model.lastTerm(), store.lastTerm(), "lastTerm");
        }
        if (model.resetTerm != LogStore.NULL_VALUE) {
            assertEquals(model.first, store.firstIndex(), "firstIndex after a reset");
            assertEquals(model.resetTerm, store.termAt(model.first - 1), "term at the reset point");
        }
        assertTrue(store.durableIndex() <= store.lastIndex(), "durableIndex <= lastIndex");
        if (model.terms.isEmpty()) {
            return;
        }
        assertEquals(model.first, store.firstIndex(), "firstIndex");
        for (int k = 0; k < 5; k++) {
            final long i = model.first + random.nextInt(model.terms.size());
            checkEntry(store, model, i);
        }
        assertEquals(LogStore.NULL_VALUE, store.termAt(model.last() + 1));
        assertEquals(LogStore.KIND_DATA, store.kindAt(model.last() + 1), "kind of the index after the last");
    }

    private static void checkAll(LogStore store, Model model) {
        assertEquals(model.last(), store.lastIndex(), "lastIndex after final reopen");
        if (model.resetTerm != LogStore.NULL_VALUE) {
            assertEquals(model.resetTerm, store.termAt(model.first - 1), "term at the reset point after final reopen");
        }
        if (!model.terms.isEmpty()) {
            assertEquals(model.first, store.firstIndex(), "firstIndex after final reopen");
        }
        for (long i = model.first; i <= model.last(); i++) {
            checkEntry(store, model, i);
        }
    }

    private static void checkEntry(LogStore store, Model model, long i) {
        final int slot = (int) (i - model.first);
        assertEquals(model.terms.get(slot), store.termAt(i), "term of " + i);
        assertEquals(model.payloads.get(slot).length, store.payloadLength(i), "length of " + i);
        assertArrayEquals(model.payloads.get(slot), read(store, i), "payload of " + i);
        assertEquals(model.kinds.get(slot), store.kindAt(i), "kind of " + i);
    }
}
