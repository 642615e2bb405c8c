package io.pontoon.kv;

import io.pontoon.CommittedEntries;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/** A batch of committed entries for a state machine under test: payloads at consecutive indexes. */
final class Entries implements CommittedEntries {
    private final long firstIndex;
    private final List<byte[]> payloads;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    private int position = -1;

    Entries(long firstIndex, List<byte[]> payloads) {
        this.firstIndex = firstIndex;
        this.payloads = payloads;
    }

    @Override
    public boolean next() {
        if (position + 1 >= payloads.size()) {
            return false;
        }
        position++;
        buffer.wrap(payloads.get(position));
        return true;
    }

    @Override
    public int count() {
        return payloads.size();
    }

    @Override
    public long index() {
        return firstIndex + position;
    }

    @Override
    public long term() {
        return 1;
    }

    @Override
    public DirectBuffer buffer() {
        return buffer;
    }

    @Override
    public int offset() {
        return 0;
    }

    @Override
    public int length() {
        return payloads.get(position).length;
    }
}
