package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The contract against the journal in SYNC mode with a tiny entry cache, so that most reads come from the
 * mapped journal rather than memory.
 */
class ChronicleLogStoreContractTest extends LogStoreContractTest {
    @TempDir
    Path dir;

    @Override
    LogStore newStore() {
        return ChronicleLogStore.open(ChronicleLogStoreOptions.builder(dir)
            .durability(Durability.SYNC)
            .cacheCapacityBytes(1024)
            .ringCapacityBytes(64 * 1024)
            .build());
    }
}
