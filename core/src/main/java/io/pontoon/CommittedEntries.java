package io.pontoon;

import org.agrona.DirectBuffer;

/**
 * A batch of committed entries for {@link StateMachine#apply}: a cursor, moved by {@link #next()}. The buffer of
 * an entry is valid only during the apply call; copy what you keep.
 */
public interface CommittedEntries {
    /** Moves to the next entry; false when the batch is done. */
    boolean next();

    /** Entries in the batch. */
    int count();

    /** Log index (LSN) of the current entry. */
    long index();

    /** Term of the current entry. */
    long term();

    DirectBuffer buffer();

    int offset();

    int length();

    /** The current entry's payload as a new array. */
    default byte[] bytes() {
        final byte[] copy = new byte[length()];
        buffer().getBytes(offset(), copy);
        return copy;
    }
}
