package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import io.pontoon.spi.Membership;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.pontoon.storage.TestPayloads.append;
import static io.pontoon.storage.TestPayloads.awaitDurable;
import static io.pontoon.storage.TestPayloads.buffer;
import static io.pontoon.storage.TestPayloads.forIndex;
import static io.pontoon.storage.TestPayloads.read;
import static io.pontoon.storage.TestPayloads.readTerm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link LogStore} contract, run against every implementation, entry kinds included. The test thread plays the
 * Raft thread.
 * Durability of asynchronous stores is awaited by polling {@code durableIndex()} against a deadline.
 */
abstract class LogStoreContractTest {
    static final long AWAIT_SECONDS = 20;
    static final Membership CONFIG = Membership.of(new int[] {1, 2, 3}, new int[] {4}, Map.of(4, "10.0.0.4:7000"));

    LogStore store;

    /** A fresh, empty store. */
    abstract LogStore newStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    void appendRange(long from, long to, long term) {
        for (long i = from; i <= to; i++) {
            append(store, i, term, forIndex(i));
        }
    }

    @Test
    void emptyStoreHoldsNothing() {
        assertEquals(1, store.firstIndex());
        assertEquals(0, store.lastIndex());
        assertEquals(0, store.lastTerm());
        assertEquals(0, store.termAt(0));
        assertEquals(LogStore.NULL_VALUE, store.termAt(1));
        assertEquals(-1, store.payloadLength(1));
        assertFalse(store.read(1, (i, t, b, o, l) -> {
            throw new AssertionError("reader called for a missing entry");
        }));
        assertEquals(0, store.durableIndex());
    }

    @Test
    void appendedEntriesReadBackWithTheirTermsAndBytes() {
        appendRange(1, 50, 3);
        append(store, 51, 4, new byte[] {9, 8, 7});
        assertEquals(1, store.firstIndex());
        assertEquals(51, store.lastIndex());
        assertEquals(4, store.lastTerm());
        assertEquals(3, store.termAt(50));
        assertEquals(LogStore.NULL_VALUE, store.termAt(52));
        for (long i = 1; i <= 50; i++) {
            assertArrayEquals(forIndex(i), read(store, i), "entry " + i);
            assertEquals(forIndex(i).length, store.payloadLength(i));
            assertEquals(3, readTerm(store, i));
        }
        assertArrayEquals(new byte[] {9, 8, 7}, read(store, 51));
    }

    @Test
    void appendCopiesTheCallersBytes() {
        final byte[] payload = {1, 2, 3, 4};
        append(store, 1, 1, payload);
        payload[0] = 42;
        assertArrayEquals(new byte[] {1, 2, 3, 4}, read(store, 1));
    }

    @Test
    void emptyPayloadIsAnEntry() {
        append(store, 1, 1, new byte[0]);
        assertEquals(0, store.payloadLength(1));
        assertArrayEquals(new byte[0], read(store, 1));
    }

    @Test
    void appendAtAnyIndexButTheNextIsRejected() {
        appendRange(1, 3, 1);
        assertThrows(IllegalStateException.class, () -> append(store, 5, 1, new byte[1]));
        assertThrows(IllegalStateException.class, () -> append(store, 3, 1, new byte[1]));
        assertEquals(3, store.lastIndex());
    }

    @Test
    void truncateRemovesTheSuffixAndLetsANewTermReplaceIt() {
        appendRange(1, 20, 1);
        store.truncateFrom(11);
        assertEquals(10, store.lastIndex());
        assertEquals(1, store.lastTerm());
        assertEquals(LogStore.NULL_VALUE, store.termAt(11));
        assertNull(read(store, 11));
        for (long i = 11; i <= 15; i++) {
            append(store, i, 2, new byte[] {(byte) i, 2});
        }
        assertEquals(15, store.lastIndex());
        assertEquals(2, store.termAt(11));
        assertArrayEquals(new byte[] {11, 2}, read(store, 11));
        assertArrayEquals(forIndex(10), read(store, 10));
    }

    @Test
    void truncateBeyondTheLastEntryChangesNothing() {
        appendRange(1, 5, 1);
        store.truncateFrom(6);
        store.truncateFrom(100);
        assertEquals(5, store.lastIndex());
        assertArrayEquals(forIndex(5), read(store, 5));
    }

    @Test
    void truncatingEverythingEmptiesTheLog() {
        appendRange(1, 5, 1);
        store.truncateFrom(1);
        assertEquals(0, store.lastIndex());
        assertEquals(0, store.lastTerm());
        assertNull(read(store, 1));
        append(store, 1, 7, new byte[] {7});
        assertEquals(7, store.termAt(1));
    }

    @Test
    void durableIndexReachesTheLastAppendedEntry() {
        appendRange(1, 300, 1);
        awaitDurable(store, 300, AWAIT_SECONDS);
        assertEquals(300, store.durableIndex());
    }

    @Test
    void durableIndexNeverExceedsTheLastIndex() {
        appendRange(1, 10, 1);
        for (int i = 0; i < 1000; i++) {
            assertTrue(store.durableIndex() <= store.lastIndex());
        }
    }

    @Test
    void truncationDropsTheDurableIndexBelowTheCutUntilTheNewSuffixIsDurable() {
        appendRange(1, 100, 1);
        awaitDurable(store, 100, AWAIT_SECONDS);
        store.truncateFrom(60);
        assertTrue(store.durableIndex() <= 59, "durable index right after truncateFrom(60): " + store.durableIndex());
        for (long i = 60; i <= 80; i++) {
            append(store, i, 2, forIndex(i + 1000));
            assertTrue(store.durableIndex() <= 59 || store.termAt(store.durableIndex()) == 2
                    || store.durableIndex() < 60,
                "durable index must not name a replaced entry");
        }
        awaitDurable(store, 80, AWAIT_SECONDS);
        assertEquals(80, store.durableIndex());
        assertArrayEquals(forIndex(1060), read(store, 60));
    }

    @Test
    void deleteBeforeNeverDiscardsEntriesAtOrAboveTheIndex() {
        appendRange(1, 5000, 1);
        awaitDurable(store, 5000, AWAIT_SECONDS);
        store.deleteBefore(3000);
        assertTrue(store.firstIndex() <= 3000, "firstIndex " + store.firstIndex());
        assertTrue(store.firstIndex() >= 1);
        for (long i = 3000; i <= 5000; i += 7) {
            assertArrayEquals(forIndex(i), read(store, i), "entry " + i);
        }
        assertEquals(5000, store.lastIndex());
        appendRange(5001, 5010, 2);
        assertEquals(2, store.lastTerm());
    }

    @Test
    void readsOfManyEntriesReturnEachEntrysOwnBytes() {
        appendRange(1, 3000, 1);
        awaitDurable(store, 3000, AWAIT_SECONDS);
        for (long i = 3000; i >= 1; i -= 13) {
            assertArrayEquals(forIndex(i), read(store, i), "entry " + i);
        }
        for (long i = 1; i <= 3000; i++) {
            assertEquals(forIndex(i).length, store.payloadLength(i));
        }
    }

    @Test
    void configurationEntriesKeepTheirKindAndBytes() {
        appendRange(1, 3, 1);
        final byte[] config = CONFIG.encode();
        store.append(4, 1, LogStore.KIND_CONFIGURATION, buffer(config), 0, config.length);
        store.append(5, 2, LogStore.KIND_DATA, buffer(forIndex(5)), 0, forIndex(5).length);
        append(store, 6, 2, forIndex(6));
        assertEquals(6, store.lastIndex());
        for (long i = 1; i <= 6; i++) {
            assertEquals(i == 4 ? LogStore.KIND_CONFIGURATION : LogStore.KIND_DATA, store.kindAt(i), "kind of " + i);
        }
        assertArrayEquals(config, read(store, 4));
        assertEquals(config.length, store.payloadLength(4));
        assertEquals(CONFIG, Membership.decode(read(store, 4)));
        assertArrayEquals(forIndex(5), read(store, 5));
        assertEquals(forIndex(3).length, store.payloadLength(3));
        // Not held: data, as the SPI says.
        assertEquals(LogStore.KIND_DATA, store.kindAt(0));
        assertEquals(LogStore.KIND_DATA, store.kindAt(7));
        assertEquals(LogStore.KIND_DATA, store.kindAt(-1));
        awaitDurable(store, 6, AWAIT_SECONDS);
        assertEquals(LogStore.KIND_CONFIGURATION, store.kindAt(4));
    }

    @Test
    void aTruncatedConfigurationEntryLeavesNoKindBehind() {
        appendRange(1, 4, 1);
        final byte[] config = CONFIG.encode();
        store.append(5, 1, LogStore.KIND_CONFIGURATION, buffer(config), 0, config.length);
        appendRange(6, 8, 1);
        store.truncateFrom(5);
        assertEquals(LogStore.KIND_DATA, store.kindAt(5));
        append(store, 5, 2, forIndex(50));
        store.append(6, 2, LogStore.KIND_CONFIGURATION, buffer(config), 0, config.length);
        assertEquals(LogStore.KIND_DATA, store.kindAt(5));
        assertEquals(LogStore.KIND_CONFIGURATION, store.kindAt(6));
        assertArrayEquals(forIndex(50), read(store, 5));
        assertArrayEquals(config, read(store, 6));
    }

    @Test
    void anUnknownEntryKindIsRefused() {
        appendRange(1, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> store.append(3, 1, 2, buffer(new byte[1]), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> store.append(3, 1, -1, buffer(new byte[1]), 0, 1));
        assertEquals(2, store.lastIndex());
    }

    @Test
    void commitIndexHintIsAccepted() {
        appendRange(1, 3, 1);
        store.onCommitIndex(2);
        store.onCommitIndex(3);
        assertEquals(3, store.lastIndex());
    }
}
