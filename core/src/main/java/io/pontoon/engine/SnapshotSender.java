package io.pontoon.engine;

import io.pontoon.spi.SnapshotMeta;

/**
 * Leader side of InstallSnapshot (thesis §5.3, §5.4): a follower that needs entries the leader compacted away
 * gets the leader's latest snapshot in chunks of {@code snapshotChunkBytes}, read from the SnapshotStore on the
 * Raft thread. Flow control: at most {@code maxInflightSnapshotChunks} chunks unanswered; a refused chunk (a gap:
 * one was lost, or the follower restarted and lost its partial copy) rewinds to the offset the follower names;
 * a transfer that makes no progress for {@code snapshotChunkTimeoutNs} is resent from the last acknowledged byte;
 * with {@code maxSnapshotBytesPerSecond} the chunks leave no faster than that (a token bucket of 10 ms).
 * Nothing is buffered beyond one chunk: the content stays in the store's file.
 */
final class SnapshotSender {
    private final RaftState s;

    SnapshotSender(RaftState s) {
        this.s = s;
    }

    /**
     * {@code pr} needs entries below the log's first index. Starts sending the latest snapshot; returns false if
     * there is none that reaches the log (the follower cannot be caught up: counted in {@link RaftState#stranded}).
     */
    boolean start(Progress pr) {
        final SnapshotMeta meta = s.snapshot;
        if (meta == null || s.snapshots == null || meta.index() < s.log.firstIndex() - 1) {
            s.stranded++;
            return false;
        }
        pr.becomeSnapshot(meta, s.snapshots.open(meta), s.nowNs);
        send(pr, true);
        return true;
    }

    /** Every leader cycle for a follower in SNAPSHOT: fill the window, or resend after the chunk timeout. */
    int onTick(Progress pr) {
        if (s.nowNs - pr.snapshotProgressNs >= s.config.snapshotChunkTimeoutNs) {
            pr.snapshotSent = pr.snapshotAcked;
            pr.snapshotProgressNs = s.nowNs;
            pr.snapshotRewound = false;
            return send(pr, true);
        }
        return send(pr, false);
    }

    /** Sends chunks while the window allows; {@code force} sends the current one even if it is empty. */
    int send(Progress pr, boolean force) {
        final long size = pr.snapshotMeta.sizeBytes();
        final int chunk = s.config.snapshotChunkBytes;
        final long windowBytes = (long) s.config.maxInflightSnapshotChunks * chunk;
        if (size == 0) {
            // An empty snapshot is one empty chunk.
            if (force) {
                s.sender.sendSnapshotChunk(pr, s.term, chunk);
                return 1;
            }
            return 0;
        }
        final long rate = s.config.maxSnapshotBytesPerSecond;
        int sent = 0;
        while (pr.snapshotSent < size && pr.snapshotSent - pr.snapshotAcked < windowBytes) {
            if (rate > 0 && s.nowNs < pr.snapshotNextSendNs) {
                break; // throttled: the next tick sends on
            }
            final int bytes = s.sender.sendSnapshotChunk(pr, s.term, chunk);
            if (rate > 0) {
                pr.snapshotNextSendNs = Math.max(pr.snapshotNextSendNs, s.nowNs - 10_000_000L)
                    + bytes * 1_000_000_000L / rate;
            }
            sent++;
        }
        return sent;
    }
}
