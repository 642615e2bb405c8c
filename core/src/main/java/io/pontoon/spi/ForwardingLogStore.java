package io.pontoon.spi;

import org.agrona.DirectBuffer;

/**
 * A {@link LogStore} that forwards every method, the SPI's default methods included, to another store; wrappers
 * override only what they change (compaction, injected faults). Forwarding the defaults matters: a store's
 * back-pressure ({@link #hasCapacity}), durable-index wake-up or failure report left at the SPI's default would
 * silently change how a node runs. {@code ForwardingLogStoreTest} fails if the SPI gains a method not forwarded here.
 */
public class ForwardingLogStore implements LogStore {
    private final LogStore delegate;

    public ForwardingLogStore(LogStore delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped store. */
    public LogStore delegate() {
        return delegate;
    }

    @Override
    public long firstIndex() {
        return delegate.firstIndex();
    }

    @Override
    public long lastIndex() {
        return delegate.lastIndex();
    }

    @Override
    public long lastTerm() {
        return delegate.lastTerm();
    }

    @Override
    public long termAt(long index) {
        return delegate.termAt(index);
    }

    @Override
    public int payloadLength(long index) {
        return delegate.payloadLength(index);
    }

    @Override
    public void append(long index, long term, DirectBuffer src, int offset, int length) {
        delegate.append(index, term, src, offset, length);
    }

    @Override
    public void append(long index, long term, int kind, DirectBuffer src, int offset, int length) {
        delegate.append(index, term, kind, src, offset, length);
    }

    @Override
    public int kindAt(long index) {
        return delegate.kindAt(index);
    }

    @Override
    public boolean hasCapacity(int payloadLength) {
        return delegate.hasCapacity(payloadLength);
    }

    @Override
    public int maxPayloadBytes() {
        return delegate.maxPayloadBytes();
    }

    @Override
    public void truncateFrom(long fromIndex) {
        delegate.truncateFrom(fromIndex);
    }

    @Override
    public boolean read(long index, EntryReader reader) {
        return delegate.read(index, reader);
    }

    @Override
    public long durableIndex() {
        return delegate.durableIndex();
    }

    @Override
    public void deleteBefore(long index) {
        delegate.deleteBefore(index);
    }

    @Override
    public void resetTo(long index, long term) {
        delegate.resetTo(index, term);
    }

    @Override
    public void onCommitIndex(long commitIndex) {
        delegate.onCommitIndex(commitIndex);
    }

    @Override
    public void durableIndexWakeup(Runnable wakeup) {
        delegate.durableIndexWakeup(wakeup);
    }

    @Override
    public Throwable failure() {
        return delegate.failure();
    }

    @Override
    public Throwable explain(Throwable failure) {
        return delegate.explain(failure);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
