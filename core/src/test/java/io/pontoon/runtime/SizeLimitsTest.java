package io.pontoon.runtime;

import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.InMemoryFabric;
import io.pontoon.spi.ForwardingLogStore;
import io.pontoon.spi.ForwardingTransport;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.Transport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9: maxEntryBytes could be 64 MiB while the store, the frame limit and the inbound ring took less, so an
 * accepted entry could never be replicated and the cluster was stuck. The limits are checked together.
 */
class SizeLimitsTest {
    @Test
    void anEntryLargerThanAnInboundRingRecordIsRefusedWhenTheConfigIsBuilt() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> RaftConfig.builder().maxEntryBytes(4 * 1024 * 1024).build()); // default ring 16 MiB: records <= 2 MiB
        assertTrue(e.getMessage().contains("maxEntryBytes (4194304) does not fit the inbound ring")
            && e.getMessage().contains("inboundRingBytes"), e.getMessage());
        RaftConfig.builder().maxEntryBytes(4 * 1024 * 1024).inboundRingBytes(64 * 1024 * 1024).build();
    }

    /**
     * Found by ProposalFloodTest: a 64 KiB inbound ring with the default 256 KiB maxBatchBytes took the config, and the
     * first full AppendEntries (63,900 bytes) threw on the sending node's Raft thread (in memory) or was refused by
     * every receiver (over Netty): replication stopped.
     */
    @Test
    void anAppendEntriesBatchLargerThanAnInboundRingRecordIsRefusedWhenTheConfigIsBuilt() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> RaftConfig.builder().inboundRingBytes(64 * 1024).maxEntryBytes(4096).build());
        assertTrue(e.getMessage().contains("maxBatchBytes (262144) with maxBatchEntries (4096) does not fit the inbound ring"),
            e.getMessage());
        RaftConfig.builder().inboundRingBytes(64 * 1024).maxEntryBytes(4096).maxBatchBytes(6 * 1024).maxBatchEntries(64).build();
    }

    @Test
    void aNodeRefusesToStartWhenItsStoreOrTransportCannotCarryTheLargestEntry() {
        final InMemoryFabric fabric = new InMemoryFabric();
        final RaftConfig config = RaftConfig.defaults(); // maxEntryBytes 1 MiB
        final LogStore small = new ForwardingLogStore(fabric.logStore(1)) {
            @Override
            public int maxPayloadBytes() {
                return 64 * 1024;
            }
        };
        final IllegalArgumentException store = assertThrows(IllegalArgumentException.class, () -> RaftNode.builder()
            .nodeId(1).members(1).config(config).logStore(small).metaStore(fabric.metaStore(1))
            .transport(fabric.transport(1, new int[] {1})).start());
        assertTrue(store.getMessage().contains("larger than the log store's largest payload (65536)"), store.getMessage());

        final Transport narrow = new ForwardingTransport(fabric.transport(1, new int[] {1})) {
            @Override
            public int maxMessageBytes() {
                return 1024 * 1024; // a 1 MiB entry plus its AppendEntries headers does not fit
            }
        };
        final IllegalArgumentException transport = assertThrows(IllegalArgumentException.class, () -> RaftNode.builder()
            .nodeId(1).members(1).config(config).logStore(fabric.logStore(1)).metaStore(fabric.metaStore(1))
            .transport(narrow).start());
        assertTrue(transport.getMessage().contains("cannot be replicated"), transport.getMessage());
        fabric.close();
    }

}
