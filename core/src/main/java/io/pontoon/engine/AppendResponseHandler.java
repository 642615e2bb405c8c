package io.pontoon.engine;

import io.pontoon.Role;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.spi.LogStore;

/** Leader side of AppendEntries responses: match/next tracking, Probe/Replicate, commit (§5.3, §5.4.2). */
final class AppendResponseHandler {
    private final RaftState s;

    AppendResponseHandler(RaftState s) {
        this.s = s;
    }

    /** {@code m.term()} equals the current term (the engine's term gate). */
    void onAppendResponse(int from, AppendResponseCodec m) {
        if (s.role != Role.LEADER) {
            return;
        }
        final Progress pr = s.progress(from);
        pr.recentActive = true;
        if (pr.state == Progress.SNAPSHOT) {
            return; // answers to AppendEntries sent before the transfer began
        }
        if (m.success()) {
            onSuccess(pr, m.matchIndex(), m.lastLogIndex());
        } else {
            onReject(pr, m.rejectedIndex(), m.conflictTerm(), m.conflictIndex());
        }
    }

    /**
     * @param receivedIndex highest index the follower verified against our log, durable or not: the
     *                      in-flight window is freed on receipt, so a follower's disk latency does not
     *                      hold back the next batch (simulation seed 795590); matchIndex counts for commit
     */
    private void onSuccess(Progress pr, long matchIndex, long receivedIndex) {
        final int before = pr.inflightCount();
        pr.freeInflightsTo(Math.max(matchIndex, receivedIndex));
        if (pr.inflightCount() < before) {
            pr.growWindow();
        }
        final boolean advanced = matchIndex > pr.matchIndex;
        if (advanced) {
            pr.matchIndex = matchIndex;
            s.maybeCommit();
        }
        if (pr.state == Progress.PROBE && advanced) {
            // As etcd's MaybeUpdate: only a success that advances matchIndex ends probing. A stale success
            // (reordered, duplicated, or released by a stalled link) must not restart the pipeline: each
            // one would resend a whole window and each window's answers do it again (simulation seed 1247).
            pr.becomeReplicate();
        }
    }

    private void onReject(Progress pr, long rejectedIndex, long conflictTerm, long conflictIndex) {
        if (rejectedIndex <= pr.matchIndex) {
            return; // stale: that prefix is already known to match
        }
        if (pr.state == Progress.PROBE && rejectedIndex != pr.nextIndex - 1) {
            return; // stale: not the answer to the outstanding probe
        }
        long next = conflictIndex;
        if (conflictTerm != LogStore.NULL_VALUE) {
            final long last = lastIndexWithTermAtMost(conflictTerm, Math.min(rejectedIndex, s.log.lastIndex()));
            if (last > 0 && s.log.termAt(last) == conflictTerm) {
                next = last + 1;
            }
        }
        next = Math.max(pr.matchIndex + 1, Math.min(next, rejectedIndex));
        if (pr.state == Progress.REPLICATE) {
            pr.shrinkWindow();
        }
        pr.becomeProbe(next);
        s.sendAppend(pr);
    }

    /** Terms never decrease along a log: binary search the last index in [first-1, hi] with term <= t. */
    private long lastIndexWithTermAtMost(long t, long hi) {
        final LogStore log = s.log;
        long a = Math.max(log.firstIndex() - 1, 0);
        long b = hi;
        if (log.termAt(a) > t) {
            return 0;
        }
        while (a < b) {
            final long mid = (a + b + 1) >>> 1;
            if (log.termAt(mid) <= t) {
                a = mid;
            } else {
                b = mid - 1;
            }
        }
        return a;
    }
}
