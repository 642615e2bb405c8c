package io.pontoon.failstop;

import io.pontoon.ForwardingClusterFabric;
import io.pontoon.InMemoryFabric;
import io.pontoon.spi.ForwardingLogStore;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.MetaStore;
import org.agrona.DirectBuffer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory fabric with stores that fail on demand: a node's LogStore can report a failure (as a journal
 * whose fsync failed does), or throw an Error from append (as a write to a mapped file on a full disk does), and
 * its MetaStore can throw from save.
 */
final class FaultyStoresFabric extends ForwardingClusterFabric {
    private final Map<Integer, Throwable> reportedLogFailure = new ConcurrentHashMap<>();
    private final Map<Integer, Error> appendError = new ConcurrentHashMap<>();
    private final Map<Integer, RuntimeException> saveFailure = new ConcurrentHashMap<>();

    FaultyStoresFabric() {
        super(new InMemoryFabric());
    }

    /** From now on node {@code nodeId}'s LogStore.failure() returns {@code cause}. */
    void failLog(int nodeId, Throwable cause) {
        reportedLogFailure.put(nodeId, cause);
    }

    /** From now on every append on node {@code nodeId} throws {@code error}. */
    void failAppends(int nodeId, Error error) {
        appendError.put(nodeId, error);
    }

    /** From now on every MetaStore.save on node {@code nodeId} throws {@code failure}. */
    void failSaves(int nodeId, RuntimeException failure) {
        saveFailure.put(nodeId, failure);
    }

    @Override
    public LogStore logStore(int nodeId) {
        return new ForwardingLogStore(delegate().logStore(nodeId)) {
            @Override
            public void append(long index, long term, DirectBuffer src, int offset, int length) {
                final Error error = appendError.get(nodeId);
                if (error != null) {
                    throw error;
                }
                super.append(index, term, src, offset, length);
            }

            @Override
            public Throwable failure() {
                return reportedLogFailure.get(nodeId);
            }
        };
    }

    @Override
    public MetaStore metaStore(int nodeId) {
        final MetaStore store = delegate().metaStore(nodeId);
        return new MetaStore() {
            @Override
            public long term() {
                return store.term();
            }

            @Override
            public int votedFor() {
                return store.votedFor();
            }

            @Override
            public void save(long term, int votedFor) {
                final RuntimeException failure = saveFailure.get(nodeId);
                if (failure != null) {
                    throw failure;
                }
                store.save(term, votedFor);
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }

}
