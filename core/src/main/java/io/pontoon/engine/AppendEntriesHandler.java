package io.pontoon.engine;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.Membership;

/**
 * Follower side of AppendEntries (§5.3): consistency check, conflict truncation, append, commit. A rejection
 * is answered at once; a success is answered at the end of the duty cycle ({@link RaftState#flushAck}).
 */
final class AppendEntriesHandler {
    private final RaftState s;

    AppendEntriesHandler(RaftState s) {
        this.s = s;
    }

    /** {@code m} is validated and its term is at least the current term (the engine's term gate). */
    void onAppendEntries(int from, AppendEntriesCodec m) {
        s.becomeFollower(m.term(), from);
        s.lastLeaderContactNs = s.nowNs;
        final LogStore log = s.log;

        long prevIndex = m.prevLogIndex();
        int entryOffset = m.firstEntryOffset();
        int remaining = m.entryCount();
        final boolean belowCommit = prevIndex < s.commitIndex;
        // Entries at or below commitIndex are committed and, by Leader Completeness (§5.4), equal to ours:
        // skip them rather than check them against a possibly compacted prefix.
        while (prevIndex < s.commitIndex && remaining > 0) {
            prevIndex++;
            entryOffset = m.nextEntryOffset(entryOffset);
            remaining--;
        }
        if (belowCommit) {
            prevIndex = Math.max(prevIndex, s.commitIndex);
        } else if (s.termAt(prevIndex) != m.prevLogTerm()) {
            reject(from, prevIndex);
            return;
        }

        long index = prevIndex;
        for (int i = 0; i < remaining; i++) {
            index++;
            final long entryTerm = m.entryTerm(entryOffset);
            if (index <= log.lastIndex()) {
                if (log.termAt(index) == entryTerm) {
                    entryOffset = m.nextEntryOffset(entryOffset);
                    continue;
                }
                // §5.3: a conflicting entry and all that follow it are deleted.
                s.truncateLog(index);
            }
            final int payload = AppendEntriesCodec.entryPayloadOffset(entryOffset);
            final int length = m.entryLength(entryOffset);
            if (m.entryIsConfiguration(entryOffset)) {
                log.append(index, entryTerm, LogStore.KIND_CONFIGURATION, m.buffer(), payload, length);
                // Thesis §4.1: a configuration takes effect as soon as it is in the log (validated on receipt).
                s.onConfigurationAppended(index, Membership.decode(m.buffer(), payload, length));
            } else {
                log.append(index, entryTerm, m.buffer(), payload, length);
            }
            entryOffset = m.nextEntryOffset(entryOffset);
        }
        // Entries up to `index` now match the leader's log (log matching property, §5.3).
        s.verifiedIndex = Math.max(s.verifiedIndex, index);
        s.followerCommit(m.leaderCommit());
        // Answered once per duty cycle, for every AppendEntries taken in it, once durable (RaftState.flushAck).
        s.onAppendAccepted(m.length());
    }

    /**
     * Rejects with a conflict hint (thesis §3.5 / etcd): the term of our entry at prevIndex and the first
     * index of that term, or our last index + 1 when the log is too short, so the leader backs up a term
     * at a time.
     */
    private void reject(int from, long prevIndex) {
        final LogStore log = s.log;
        final long last = log.lastIndex();
        long conflictTerm = LogStore.NULL_VALUE;
        long conflictIndex;
        if (prevIndex > last) {
            conflictIndex = last + 1;
        } else {
            conflictTerm = log.termAt(prevIndex);
            conflictIndex = firstIndexOfTerm(conflictTerm, Math.max(s.commitIndex + 1, log.firstIndex()), prevIndex);
        }
        s.sender.sendAppendResponse(from, s.term, false, 0, prevIndex, conflictTerm, conflictIndex, last);
    }

    /** Terms never decrease along a log, so binary search for the first index in [lo, hi] with term >= t. */
    private long firstIndexOfTerm(long t, long lo, long hi) {
        final LogStore log = s.log;
        long a = lo;
        long b = hi;
        while (a < b) {
            final long mid = (a + b) >>> 1;
            if (log.termAt(mid) >= t) {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        return a;
    }
}
