package io.pontoon.memory;

import io.pontoon.spi.MetaStore;

/** A {@link MetaStore} in memory; {@link #save(long, int)} is "durable" at once (it survives a simulated crash). */
public final class InMemoryMetaStore implements MetaStore {
    private long term;
    private int votedFor = NO_VOTE;

    @Override
    public long term() {
        return term;
    }

    @Override
    public int votedFor() {
        return votedFor;
    }

    @Override
    public void save(long term, int votedFor) {
        if (term < this.term) {
            throw new IllegalStateException("term must not go backwards: " + this.term + " -> " + term);
        }
        this.term = term;
        this.votedFor = votedFor;
    }

    @Override
    public void close() {
    }
}
