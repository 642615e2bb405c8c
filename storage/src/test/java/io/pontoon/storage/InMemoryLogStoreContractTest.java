package io.pontoon.storage;

import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.spi.LogStore;

/** The reference implementation must pass the same contract as the journal. */
class InMemoryLogStoreContractTest extends LogStoreContractTest {
    @Override
    LogStore newStore() {
        return new InMemoryLogStore(true);
    }
}
