package io.pontoon;

import java.util.List;
import java.util.Map;

/**
 * A point-in-time, immutable report of one node (issue 13): what {@link RaftNode#report()} returns and what a
 * report listener ({@link RaftNode#addReportListener}) receives on each role change. Built from counters the
 * node's threads publish (the Raft thread once per duty cycle that did work, the journal per sync), so each value
 * is consistent on its own; values taken together may be up to one duty cycle apart.
 *
 * @param commits         entries this node saw committed since it started
 * @param proposals       proposals that ended, by outcome (OK: committed; every code present, 0 if none)
 * @param electionsStarted elections this node started (each campaign for a new term)
 * @param followers       on a leader, one per follower; empty elsewhere
 * @param inboundRingBytes bytes waiting in the node's inbound rings (peer messages and proposals)
 */
public record NodeReport(int nodeId, Role role, long term, int leaderId, long commitIndex, long lastApplied,
                         long lastLogIndex, long commits, Map<ResultCode, Long> proposals, long electionsStarted,
                         long termChanges, ChangeReason lastTermChangeReason, long leaderChanges,
                         ChangeReason lastLeaderChangeReason, List<Follower> followers, Journal journal,
                         long inboundRingBytes, long inboundRingCapacity, Snapshots snapshots) {
    public NodeReport {
        proposals = Map.copyOf(proposals);
        followers = List.copyOf(followers);
    }

    /**
     * The leader's view of one follower. {@code lagBytes} is an estimate: {@code lagEntries} times the mean payload
     * size of the entries this node appended as leader (summing the exact lengths would read the log per report).
     * {@code inflight}: AppendEntries messages sent and not yet acknowledged (the pipelining window in use).
     */
    public record Follower(int nodeId, long matchIndex, long lagEntries, long lagBytes, int inflight) {
    }

    /**
     * The journal, when the log store publishes its statistics ({@link io.pontoon.spi.LogStoreStats}); otherwise
     * {@link #NONE} ({@code available} false, every count 0). {@code syncLatencyBucketsUs}: syncs per latency bucket,
     * bucket {@code i} below {@code 2^i} µs.
     */
    public record Journal(boolean available, long syncs, long syncTotalNs, long syncMaxNs, long recordsWritten,
                          long entriesWritten, List<Long> syncLatencyBucketsUs) {
        public static final Journal NONE = new Journal(false, 0, 0, 0, 0, 0, List.of());

        public Journal {
            syncLatencyBucketsUs = List.copyOf(syncLatencyBucketsUs);
        }

        /** Mean entries per journal record (0 before the first record). */
        public double entriesPerRecord() {
            return recordsWritten == 0 ? 0 : (double) entriesWritten / recordsWritten;
        }

        /** Mean entries made durable per sync (0 before the first sync). */
        public double entriesPerSync() {
            return syncs == 0 ? 0 : (double) entriesWritten / syncs;
        }

        /**
         * The upper bound, in µs, of the latency bucket that holds quantile {@code q} (0..1) of the syncs; 0 without
         * syncs. An estimate within a factor of two.
         */
        public long syncLatencyQuantileUs(double q) {
            long total = 0;
            for (long c : syncLatencyBucketsUs) {
                total += c;
            }
            if (total == 0) {
                return 0;
            }
            final long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int i = 0; i < syncLatencyBucketsUs.size(); i++) {
                seen += syncLatencyBucketsUs.get(i);
                if (seen >= rank) {
                    return 1L << i;
                }
            }
            return 1L << (syncLatencyBucketsUs.size() - 1);
        }
    }

    /**
     * Snapshots: taken by this node's state machine, installed from a leader, the last one taken (its duration and
     * size), and an InstallSnapshot being received ({@code installReceivedBytes} of {@code installTotalBytes};
     * both 0 when none is under way).
     */
    public record Snapshots(long taken, long installed, long lastDurationNs, long lastSizeBytes,
                            long installReceivedBytes, long installTotalBytes) {
    }
}
