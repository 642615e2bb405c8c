package io.pontoon.engine;

import io.pontoon.protocol.HeartbeatCodec;

/** Follower side of heartbeats: keeps the leader lease alive and advances the commit index. */
final class HeartbeatHandler {
    private final RaftState s;

    HeartbeatHandler(RaftState s) {
        this.s = s;
    }

    /** {@code m.term() >= term} (the engine's term gate). */
    void onHeartbeat(int from, HeartbeatCodec m) {
        s.becomeFollower(m.term(), from);
        s.lastLeaderContactNs = s.nowNs;
        // The leader sends min(commit, our match); verifiedIndex caps it again in case we restarted.
        s.followerCommit(m.secondField());
        s.sender.sendHeartbeatResponse(from, s.term, s.log.lastIndex(), m.round());
    }
}
