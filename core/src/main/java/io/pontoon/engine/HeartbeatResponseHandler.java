package io.pontoon.engine;

import io.pontoon.Role;

/** Leader side of heartbeat responses: liveness for check-quorum and unsticking flow control. */
final class HeartbeatResponseHandler {
    private final RaftState s;

    HeartbeatResponseHandler(RaftState s) {
        this.s = s;
    }

    void onHeartbeatResponse(int from, long followerLastIndex, long round) {
        if (s.role != Role.LEADER) {
            return;
        }
        final Progress pr = s.progress(from);
        pr.recentActive = true;
        s.reads.onRoundAnswered(pr, round);
        if (pr.state == Progress.SNAPSHOT) {
            return; // the snapshot transfer has its own timeout (SnapshotSender)
        }
        if (pr.state == Progress.PROBE) {
            pr.probeSent = false; // the probe or its answer may have been lost: allow another
        } else if (pr.inflightFull()) {
            pr.freeFirstInflight(); // an AppendEntries may have been lost: let one more through
        }
        if (pr.matchIndex < s.log.lastIndex() && (pr.state == Progress.PROBE || !pr.inflightFull())) {
            // As etcd raft: resend from nextIndex. If earlier AppendEntries were lost, the follower
            // rejects this one (gap) and the rejection moves it to PROBE with a conflict hint.
            s.sendAppend(pr);
        }
    }
}
