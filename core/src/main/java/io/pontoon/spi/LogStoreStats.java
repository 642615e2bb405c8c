package io.pontoon.spi;

/**
 * Optional: a {@link LogStore} that also implements this interface tells reports and metrics how its journal
 * works (issue 13). Every method may be called from any thread at any time, must not block and must not allocate:
 * implementations return counters their own threads publish.
 */
public interface LogStoreStats {
    /** Syncs that completed (each makes a group of records durable). */
    long syncs();

    /** Total time spent in those syncs, in nanoseconds. */
    long syncTotalNs();

    /** The longest sync so far, in nanoseconds. */
    long syncMaxNs();

    /**
     * Syncs by latency: bucket {@code i} counts syncs that took less than {@code 2^i} microseconds (and at least
     * {@code 2^(i-1)}); the last bucket takes everything longer. Bucket {@code 0} is below 1 µs.
     */
    long syncsInBucket(int bucket);

    /** How many buckets {@link #syncsInBucket} has. */
    int syncBuckets();

    /** Journal records written (each holds one batch of entries). */
    long recordsWritten();

    /** Entries written to the journal. */
    long entriesWritten();
}
