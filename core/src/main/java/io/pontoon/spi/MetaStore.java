package io.pontoon.spi;

/**
 * Durable Raft hard state: the current term and the vote cast in it.
 *
 * <p>Threading: called on the Raft thread. {@link #save(long, int)} returns only once the values are
 * durable (Raft §5.2/Figure 2: term and vote must be on stable storage before the node answers an RPC).
 * Term changes are rare (elections), so the Raft thread accepts this one synchronous write.
 */
public interface MetaStore extends AutoCloseable {
    /** Vote sentinel: no vote cast in the current term. */
    int NO_VOTE = 0;

    /** Current term, 0 for a fresh node. */
    long term();

    /** Node id voted for in {@link #term()}, or {@link #NO_VOTE}. */
    int votedFor();

    /** Durably stores term and vote before returning. */
    void save(long term, int votedFor);

    @Override
    void close();
}
