package io.pontoon.engine;

import io.pontoon.Role;
import io.pontoon.protocol.InstallSnapshotResponseCodec;

/** Leader side of InstallSnapshot answers: flow control of the transfer, then back to AppendEntries. */
final class InstallSnapshotResponseHandler {
    private final RaftState s;

    InstallSnapshotResponseHandler(RaftState s) {
        this.s = s;
    }

    /** {@code m.term()} equals the current term (the engine's term gate). */
    void onInstallSnapshotResponse(int from, InstallSnapshotResponseCodec m) {
        if (s.role != Role.LEADER) {
            return;
        }
        final Progress pr = s.progress(from);
        pr.recentActive = true;
        if (pr.state != Progress.SNAPSHOT || pr.snapshotMeta == null
            || m.lastIncludedIndex() != pr.snapshotMeta.index()) {
            return; // stale: an earlier transfer's answer
        }
        if (m.installed()) {
            // The follower holds everything up to the snapshot's index (durably: the snapshot is in its store).
            final long index = pr.snapshotMeta.index();
            pr.matchIndex = Math.max(pr.matchIndex, index);
            pr.becomeProbe(index + 1);
            s.maybeCommit();
            s.sendAppend(pr);
            return;
        }
        final long next = m.nextOffset();
        boolean force = false;
        if (next > pr.snapshotAcked) {
            pr.snapshotAcked = next;
            pr.snapshotSent = Math.max(pr.snapshotSent, next);
            pr.snapshotProgressNs = s.nowNs;
            pr.snapshotRewound = false;
        } else if (m.refused() && !pr.snapshotRewound) {
            // A gap (a lost chunk) or a follower that lost its partial copy: go back to where it is. Refusals of
            // chunks that were already in flight follow; they are ignored until the follower moves forward.
            pr.snapshotSent = next;
            pr.snapshotAcked = next;
            pr.snapshotRewound = true;
            pr.snapshotProgressNs = s.nowNs;
            force = true;
        }
        s.snapshotSender.send(pr, force);
    }
}
