package io.pontoon;

import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A read whose index the leader confirmed, waiting until its node has applied that index; then served: its query
 * runs (on the thread that applies, between two applies) and its future completes.
 */
final class ReadWaiter {
    static final Comparator<ReadWaiter> BY_INDEX = Comparator.comparingLong(w -> w.index);
    static final Comparator<ReadWaiter> BY_WAIT_FOR = Comparator.comparingLong(w -> w.waitFor);

    final long id;
    /** The read index the leader confirmed (what {@code readIndex()} completes with). */
    long index;
    /**
     * With a state machine: the last entry handed to it once the Raft thread had applied the read index (every
     * entry up to the index is among those handed over); the read is served once the state machine holds it.
     */
    long waitFor;
    private final CompletableFuture<Object> future;
    private final Supplier<?> query;

    ReadWaiter(long id, CompletableFuture<Object> future, Supplier<?> query) {
        this.id = id;
        this.future = future;
        this.query = query;
    }

    /** Runs the query (or yields the index) and completes the future; a query that throws fails only this read. */
    void serve() {
        try {
            future.complete(query == null ? (Object) index : query.get());
        } catch (Throwable t) {
            future.completeExceptionally(t);
        }
    }

    void fail(Throwable cause) {
        future.completeExceptionally(cause);
    }
}
