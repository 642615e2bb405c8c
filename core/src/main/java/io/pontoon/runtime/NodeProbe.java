package io.pontoon.runtime;

import io.pontoon.spi.LogStoreStats;

/**
 * What a node publishes for reports and meters, read from any thread without allocation (issue 13). Pontoon's own
 * packages ({@code io.pontoon.metrics}) reach a node's probe through {@link #of}; it is not API.
 */
public interface NodeProbe {
    NodeCounters counters();

    /** The log store's statistics, or null when it publishes none. */
    LogStoreStats journalStats();

    long inboundRingBytes();

    long inboundRingCapacity();

    long snapshotsTaken();

    long snapshotsInstalled();

    long lastSnapshotNs();

    long lastSnapshotBytes();

    /** Set once by {@code RaftNode}'s class initialiser (the shared-secrets pattern). */
    final class Access {
        private static volatile java.util.function.Function<Object, NodeProbe> accessor;

        private Access() {
        }

        public static void set(java.util.function.Function<Object, NodeProbe> a) {
            accessor = a;
        }
    }

    /** The probe of {@code node} (a {@code RaftNode}). */
    static NodeProbe of(Object node) {
        return Access.accessor.apply(node);
    }
}
