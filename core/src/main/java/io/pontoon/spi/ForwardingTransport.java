package io.pontoon.spi;

import org.agrona.DirectBuffer;

/** A {@link Transport} that forwards every method to another; wrappers override what they change. */
public class ForwardingTransport implements Transport {
    private final Transport delegate;

    public ForwardingTransport(Transport delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void start(int localNodeId, InboundHandler inbound) {
        delegate.start(localNodeId, inbound);
    }

    @Override
    public boolean send(int toNodeId, int type, DirectBuffer body, int offset, int length) {
        return delegate.send(toNodeId, type, body, offset, length);
    }

    @Override
    public void onMembershipChanged(Membership membership) {
        delegate.onMembershipChanged(membership);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public int maxMessageBytes() {
        return delegate.maxMessageBytes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
