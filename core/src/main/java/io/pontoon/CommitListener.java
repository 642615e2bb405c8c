package io.pontoon;

import org.agrona.DirectBuffer;

/**
 * The seed's commit channel: the stream of committed entries, in LSN order, on every node. Called on the node's
 * Raft thread; must not block. The buffer is valid only during the call: copy what you keep. Leader no-op entries
 * (empty payload) are not delivered, so LSNs may have gaps.
 *
 * <p>Restart semantics: within one run of a node each entry is delivered once. A node does not remember what it
 * delivered: after a restart it delivers again from the entry after its latest snapshot (with a
 * {@link StateMachine}), or from LSN 1 (without one, or before the first snapshot), so a listener sees those
 * entries a second time. A node that installs a snapshot from the leader skips the entries the snapshot covers.
 * For state that must survive restarts exactly once, use a {@link StateMachine}, whose state is restored from
 * its snapshot.
 */
@FunctionalInterface
public interface CommitListener {
    void onCommit(long lsn, long term, DirectBuffer data, int offset, int length);
}
