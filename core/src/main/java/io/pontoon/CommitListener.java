package io.pontoon;

import org.agrona.DirectBuffer;

/**
 * The seed's commit channel: receives every committed entry exactly once, in LSN order, on every node.
 * Called on the node's Raft thread; must not block. The buffer is valid only during the call: copy
 * what you keep. Leader no-op entries (empty payload) are not delivered, so LSNs may have gaps.
 */
@FunctionalInterface
public interface CommitListener {
    void onCommit(long lsn, long term, DirectBuffer data, int offset, int length);
}
