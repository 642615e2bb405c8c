package io.pontoon;

import java.time.Duration;

/**
 * Immutable, validated engine and runtime settings. Build with {@link #builder()}; every setter
 * checks its range and {@link Builder#build()} checks cross-field rules, failing with an
 * {@link IllegalArgumentException} that names the field and the allowed range.
 */
public final class RaftConfig {
    /** Minimum election timeout; randomized in {@code [electionTimeoutNs, 2 * electionTimeoutNs)}. */
    public final long electionTimeoutNs;
    /** Interval between leader heartbeats; must be below electionTimeoutNs / 2. */
    public final long heartbeatIntervalNs;
    /** Most entries in one AppendEntries. */
    public final int maxBatchEntries;
    /** Most payload bytes in one AppendEntries (a single larger entry is still sent alone). */
    public final int maxBatchBytes;
    /** Most AppendEntries in flight (unacknowledged) per follower in Replicate state. */
    public final int maxInflightMessages;
    /** Most bytes in flight per follower. */
    public final long maxInflightBytes;
    /** Most proposals accepted by a leader and not yet committed; beyond it propose returns REJECTED_BUSY. */
    public final int maxPendingProposals;
    /** Most uncommitted payload bytes on a leader; beyond it propose returns REJECTED_BUSY. */
    public final long maxUncommittedBytes;
    /** Largest payload accepted by propose. */
    public final int maxEntryBytes;
    /** Pre-vote (Raft thesis §9.6). */
    public final boolean preVote;
    /** Check-quorum: a leader that has not heard from a majority within an election timeout steps down. */
    public final boolean checkQuorum;
    /** A proposal whose outcome is unknown after this long fails with TIMEOUT (outcome unknown). */
    public final long proposalTimeoutNs;
    /**
     * Lease-based reads (thesis §6.4.1): a leader serves {@code ReadPolicy.LEASE} reads without a heartbeat round
     * while a majority answered a round it sent less than {@code electionTimeoutNs - maxClockDriftNs} ago. Safe
     * only if no node's clock runs faster than another's by more than the drift bound over an election timeout,
     * and only with check-quorum and pre-vote (followers that heard the leader within the timeout refuse to elect
     * another). Off by default: linearizable reads then use ReadIndex only.
     */
    public final boolean leaseReads;
    /** The clock-drift bound lease reads assume, subtracted from the lease. */
    public final long maxClockDriftNs;
    /** A leadership transfer that has not completed after this long is abandoned; the leader takes proposals again. */
    public final long transferTimeoutNs;
    /**
     * The member the cluster moves leadership back to (0: none): another leader hands over to it (a leadership
     * transfer) once it is a voter that is reachable and caught up, at most once per ten election timeouts.
     */
    public final int preferredLeader;
    /**
     * Follower: how long a received AppendEntries may wait for the disk before it is answered on receipt
     * (matchIndex unchanged, lastLogIndex = what was received), so that a leader whose in-flight window is
     * small (shrunk after losses) keeps sending while this follower's disk is slow. In steady state the
     * disk is faster and each AppendEntries gets one answer, once its entries are durable.
     */
    public final long receiptAckDelayNs;
    /**
     * Capacity in bytes (power of two) of each of the node's two inbound rings: one for peer messages and status
     * requests, one for proposals, so a flood of proposals never leaves a heartbeat without room.
     */
    public final int inboundRingBytes;
    /** Idle strategy of the Raft thread: BACKOFF (spin, yield, then park up to 1 ms), SLEEP, BUSY_SPIN. */
    public final IdleMode idleMode;
    /**
     * With a state machine: a snapshot is taken once this many entries were applied since the last one
     * (0: never by count). Taking it never blocks the Raft thread (docs: "Snapshots").
     */
    public final long snapshotEveryEntries;
    /** With a state machine: a snapshot is taken once this many payload bytes were applied since the last one (0: never by size). */
    public final long snapshotEveryBytes;
    /** Content bytes per InstallSnapshot chunk. */
    public final int snapshotChunkBytes;
    /** InstallSnapshot chunks a leader keeps unanswered per follower (its flow control). */
    public final int maxInflightSnapshotChunks;
    /**
     * A follower that answers no InstallSnapshot chunk for this long gets the transfer resent from the last offset
     * it acknowledged (separate from AppendEntries, which heartbeats retry).
     */
    public final long snapshotChunkTimeoutNs;
    /**
     * Most InstallSnapshot content bytes a leader sends per second to one follower (0: no limit), so a catch-up does
     * not take the disk and network that commits need (SOFAJRaft's SnapshotThrottle).
     */
    public final long maxSnapshotBytesPerSecond;

    /** How the Raft thread idles when it has no work. */
    public enum IdleMode { BACKOFF, SLEEP, BUSY_SPIN }

    private RaftConfig(Builder b) {
        electionTimeoutNs = b.electionTimeoutNs;
        heartbeatIntervalNs = b.heartbeatIntervalNs;
        maxBatchEntries = b.maxBatchEntries;
        maxBatchBytes = b.maxBatchBytes;
        maxInflightMessages = b.maxInflightMessages;
        maxInflightBytes = b.maxInflightBytes;
        maxPendingProposals = b.maxPendingProposals;
        maxUncommittedBytes = b.maxUncommittedBytes;
        maxEntryBytes = b.maxEntryBytes;
        preVote = b.preVote;
        checkQuorum = b.checkQuorum;
        proposalTimeoutNs = b.proposalTimeoutNs;
        leaseReads = b.leaseReads;
        maxClockDriftNs = b.maxClockDriftNs;
        transferTimeoutNs = b.transferTimeoutNs < 0 ? b.electionTimeoutNs : b.transferTimeoutNs;
        preferredLeader = b.preferredLeader;
        receiptAckDelayNs = b.receiptAckDelayNs;
        inboundRingBytes = b.inboundRingBytes;
        idleMode = b.idleMode;
        snapshotEveryEntries = b.snapshotEveryEntries;
        snapshotEveryBytes = b.snapshotEveryBytes;
        snapshotChunkBytes = b.snapshotChunkBytes > 0 ? b.snapshotChunkBytes : autoChunkBytes(b.inboundRingBytes);
        maxInflightSnapshotChunks = b.maxInflightSnapshotChunks;
        snapshotChunkTimeoutNs = b.snapshotChunkTimeoutNs;
        maxSnapshotBytesPerSecond = b.maxSnapshotBytesPerSecond;
    }

    /** 1 MiB, or less when that would not fit one inbound ring record (an eighth of the ring) with its headers. */
    private static int autoChunkBytes(int inboundRingBytes) {
        final int room = inboundRingBytes / 8
            - io.pontoon.protocol.InstallSnapshotCodec.lengthOf(
                io.pontoon.protocol.InstallSnapshotCodec.MAX_CONFIGURATION_BYTES, 0);
        return Math.max(1, Math.min(1024 * 1024, room));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static RaftConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        final Builder b = new Builder();
        b.electionTimeoutNs = electionTimeoutNs;
        b.heartbeatIntervalNs = heartbeatIntervalNs;
        b.maxBatchEntries = maxBatchEntries;
        b.maxBatchBytes = maxBatchBytes;
        b.maxInflightMessages = maxInflightMessages;
        b.maxInflightBytes = maxInflightBytes;
        b.maxPendingProposals = maxPendingProposals;
        b.maxUncommittedBytes = maxUncommittedBytes;
        b.maxEntryBytes = maxEntryBytes;
        b.preVote = preVote;
        b.checkQuorum = checkQuorum;
        b.proposalTimeoutNs = proposalTimeoutNs;
        b.leaseReads = leaseReads;
        b.maxClockDriftNs = maxClockDriftNs;
        b.transferTimeoutNs = transferTimeoutNs;
        b.preferredLeader = preferredLeader;
        b.receiptAckDelayNs = receiptAckDelayNs;
        b.inboundRingBytes = inboundRingBytes;
        b.idleMode = idleMode;
        b.snapshotEveryEntries = snapshotEveryEntries;
        b.snapshotEveryBytes = snapshotEveryBytes;
        b.snapshotChunkBytes = snapshotChunkBytes;
        b.maxInflightSnapshotChunks = maxInflightSnapshotChunks;
        b.snapshotChunkTimeoutNs = snapshotChunkTimeoutNs;
        b.maxSnapshotBytesPerSecond = maxSnapshotBytesPerSecond;
        return b;
    }

    @Override
    public String toString() {
        return "RaftConfig{electionTimeoutNs=" + electionTimeoutNs + ", heartbeatIntervalNs=" + heartbeatIntervalNs
            + ", maxBatchEntries=" + maxBatchEntries + ", maxBatchBytes=" + maxBatchBytes
            + ", maxInflightMessages=" + maxInflightMessages + ", maxInflightBytes=" + maxInflightBytes
            + ", maxPendingProposals=" + maxPendingProposals + ", maxUncommittedBytes=" + maxUncommittedBytes
            + ", maxEntryBytes=" + maxEntryBytes + ", preVote=" + preVote + ", checkQuorum=" + checkQuorum
            + ", proposalTimeoutNs=" + proposalTimeoutNs + ", leaseReads=" + leaseReads
            + ", maxClockDriftNs=" + maxClockDriftNs + ", transferTimeoutNs=" + transferTimeoutNs
            + ", preferredLeader=" + preferredLeader
            + ", inboundRingBytes=" + inboundRingBytes
            + ", idleMode=" + idleMode + ", snapshotEveryEntries=" + snapshotEveryEntries
            + ", snapshotEveryBytes=" + snapshotEveryBytes + ", snapshotChunkBytes=" + snapshotChunkBytes
            + ", maxInflightSnapshotChunks=" + maxInflightSnapshotChunks
            + ", snapshotChunkTimeoutNs=" + snapshotChunkTimeoutNs
            + ", maxSnapshotBytesPerSecond=" + maxSnapshotBytesPerSecond + '}';
    }

    /** Mutable builder with documented defaults. */
    public static final class Builder {
        private long electionTimeoutNs = 300_000_000L;
        private long heartbeatIntervalNs = 50_000_000L;
        private int maxBatchEntries = 4096;
        private int maxBatchBytes = 256 * 1024;
        private int maxInflightMessages = 256;
        private long maxInflightBytes = 32L * 1024 * 1024;
        private int maxPendingProposals = 262_144;
        private long maxUncommittedBytes = 256L * 1024 * 1024;
        private int maxEntryBytes = 1024 * 1024;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        private boolean leaseReads;
        private long maxClockDriftNs = 0;
        private long transferTimeoutNs = -1;
        private int preferredLeader;
        private long proposalTimeoutNs = 10_000_000_000L;
        private long receiptAckDelayNs = 5_000_000L;
        private int inboundRingBytes = 16 * 1024 * 1024;
        private IdleMode idleMode = IdleMode.BACKOFF;
        private long snapshotEveryEntries = 1_000_000L;
        private long snapshotEveryBytes = 256L * 1024 * 1024;
        /** 0: derived from inboundRingBytes (see {@link #snapshotChunkBytes(int)}). */
        private int snapshotChunkBytes;
        private int maxInflightSnapshotChunks = 4;
        private long snapshotChunkTimeoutNs = 10_000_000_000L;
        private long maxSnapshotBytesPerSecond;

        private Builder() {
        }

        private static long range(String field, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
            }
            return value;
        }

        private static long nanos(String field, Duration v) {
            if (v == null) {
                throw new IllegalArgumentException(field + " is required");
            }
            try {
                return v.toNanos();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(field + " is out of range: " + v);
            }
        }

        /** Default 300 ms; allowed 1 ms .. 60 s. */
        public Builder electionTimeoutNs(long v) {
            electionTimeoutNs = range("electionTimeoutNs", v, 1_000_000L, 60_000_000_000L);
            return this;
        }

        /** Default 300 ms; allowed 1 ms .. 60 s. As {@link #electionTimeoutNs}, in a {@link Duration}. */
        public Builder electionTimeout(Duration v) {
            return electionTimeoutNs(nanos("electionTimeout", v));
        }

        /** Default 50 ms; allowed 100 µs .. 30 s, and below electionTimeoutNs / 2. */
        public Builder heartbeatIntervalNs(long v) {
            heartbeatIntervalNs = range("heartbeatIntervalNs", v, 100_000L, 30_000_000_000L);
            return this;
        }

        /**
         * Default 50 ms; allowed 100 µs .. 30 s, and below electionTimeout / 2. As {@link #heartbeatIntervalNs},
         * in a {@link Duration}.
         */
        public Builder heartbeatInterval(Duration v) {
            return heartbeatIntervalNs(nanos("heartbeatInterval", v));
        }

        /** Default 4096; allowed 1 .. 1,000,000. */
        public Builder maxBatchEntries(int v) {
            maxBatchEntries = (int) range("maxBatchEntries", v, 1, 1_000_000);
            return this;
        }

        /** Default 256 KiB; allowed 1 KiB .. 64 MiB. */
        public Builder maxBatchBytes(int v) {
            maxBatchBytes = (int) range("maxBatchBytes", v, 1024, 64 * 1024 * 1024);
            return this;
        }

        /** Default 256; allowed 1 .. 65,536. */
        public Builder maxInflightMessages(int v) {
            maxInflightMessages = (int) range("maxInflightMessages", v, 1, 65_536);
            return this;
        }

        /** Default 32 MiB; allowed 1 KiB .. 4 GiB. */
        public Builder maxInflightBytes(long v) {
            maxInflightBytes = range("maxInflightBytes", v, 1024, 4L << 30);
            return this;
        }

        /** Default 262,144; allowed 1 .. 16,777,216. */
        public Builder maxPendingProposals(int v) {
            maxPendingProposals = (int) range("maxPendingProposals", v, 1, 16_777_216);
            return this;
        }

        /** Default 256 MiB; allowed 1 KiB .. 64 GiB. */
        public Builder maxUncommittedBytes(long v) {
            maxUncommittedBytes = range("maxUncommittedBytes", v, 1024, 64L << 30);
            return this;
        }

        /** Default 1 MiB; allowed 1 .. 64 MiB. */
        public Builder maxEntryBytes(int v) {
            maxEntryBytes = (int) range("maxEntryBytes", v, 1, 64 * 1024 * 1024);
            return this;
        }

        /** Default true. */
        public Builder preVote(boolean v) {
            preVote = v;
            return this;
        }

        /** Default true. */
        public Builder checkQuorum(boolean v) {
            checkQuorum = v;
            return this;
        }

        /** Default 10 s; allowed 1 ms .. 1 h. */
        public Builder proposalTimeoutNs(long v) {
            proposalTimeoutNs = range("proposalTimeoutNs", v, 1_000_000L, 3_600_000_000_000L);
            return this;
        }

        /** Default 10 s; allowed 1 ms .. 1 h. As {@link #proposalTimeoutNs}, in a {@link Duration}. */
        public Builder proposalTimeout(Duration v) {
            return proposalTimeoutNs(nanos("proposalTimeout", v));
        }

        /** Default 5 ms; allowed 0 (answer every AppendEntries on receipt too) .. 10 s. */
        public Builder receiptAckDelayNs(long v) {
            receiptAckDelayNs = range("receiptAckDelayNs", v, 0, 10_000_000_000L);
            return this;
        }

        /** Default 5 ms; allowed 0 .. 10 s. As {@link #receiptAckDelayNs}, in a {@link Duration}. */
        public Builder receiptAckDelay(Duration v) {
            return receiptAckDelayNs(nanos("receiptAckDelay", v));
        }

        /** Lease-based reads (see {@link RaftConfig#leaseReads}); default off. Needs checkQuorum and preVote. */
        public Builder leaseReads(boolean v) {
            leaseReads = v;
            return this;
        }

        /**
         * The clock-drift bound lease reads assume: the lease lasts electionTimeout minus this. Default 0 when
         * lease reads are off; with them on, set it (at most electionTimeout / 2).
         */
        public Builder maxClockDriftNs(long v) {
            maxClockDriftNs = range("maxClockDriftNs", v, 0, 60_000_000_000L);
            return this;
        }

        /** As {@link #maxClockDriftNs}, in a {@link Duration}. */
        public Builder maxClockDrift(Duration v) {
            return maxClockDriftNs(nanos("maxClockDrift", v));
        }

        /** Default: one election timeout; allowed 1 ms .. 1 h. */
        public Builder transferTimeoutNs(long v) {
            transferTimeoutNs = range("transferTimeoutNs", v, 1_000_000L, 3_600_000_000_000L);
            return this;
        }

        /** The member leadership moves back to (see {@link RaftConfig#preferredLeader}); default 0, none. */
        public Builder preferredLeader(int nodeId) {
            if (nodeId < 0) {
                throw new IllegalArgumentException("preferredLeader must be a node id or 0 (none), got " + nodeId);
            }
            preferredLeader = nodeId;
            return this;
        }

        /** As {@link #transferTimeoutNs}, in a {@link Duration}. */
        public Builder transferTimeout(Duration v) {
            return transferTimeoutNs(nanos("transferTimeout", v));
        }

        /** Default 16 MiB; a power of two in 64 KiB .. 1 GiB. */
        public Builder inboundRingBytes(int v) {
            range("inboundRingBytes", v, 64 * 1024, 1 << 30);
            if (Integer.bitCount(v) != 1) {
                throw new IllegalArgumentException("inboundRingBytes must be a power of two, got " + v);
            }
            inboundRingBytes = v;
            return this;
        }

        /** Default BACKOFF. */
        public Builder idleMode(IdleMode v) {
            if (v == null) {
                throw new IllegalArgumentException("idleMode must be one of BACKOFF, SLEEP, BUSY_SPIN, got null");
            }
            idleMode = v;
            return this;
        }

        /** Default 1,000,000; 0 (off) .. Long.MAX_VALUE. */
        public Builder snapshotEveryEntries(long v) {
            snapshotEveryEntries = range("snapshotEveryEntries", v, 0, Long.MAX_VALUE);
            return this;
        }

        /** Default 256 MiB; 0 (off) .. Long.MAX_VALUE. */
        public Builder snapshotEveryBytes(long v) {
            snapshotEveryBytes = range("snapshotEveryBytes", v, 0, Long.MAX_VALUE);
            return this;
        }

        /**
         * Default 1 MiB, or less if inboundRingBytes is small (a chunk must fit one ring record, an eighth of the ring,
         * with its headers); allowed 1 .. 64 MiB, and build() checks that it fits.
         */
        public Builder snapshotChunkBytes(int v) {
            snapshotChunkBytes = (int) range("snapshotChunkBytes", v, 1, 64L * 1024 * 1024);
            return this;
        }

        /** Default 4; allowed 1 .. 1024. */
        public Builder maxInflightSnapshotChunks(int v) {
            maxInflightSnapshotChunks = (int) range("maxInflightSnapshotChunks", v, 1, 1024);
            return this;
        }

        /** Default 10 s; allowed 1 ms .. 1 hour. */
        public Builder snapshotChunkTimeoutNs(long v) {
            snapshotChunkTimeoutNs = range("snapshotChunkTimeoutNs", v, 1_000_000L, 3_600_000_000_000L);
            return this;
        }

        /** Default 10 s; allowed 1 ms .. 1 hour. As {@link #snapshotChunkTimeoutNs}, in a {@link Duration}. */
        public Builder snapshotChunkTimeout(Duration v) {
            return snapshotChunkTimeoutNs(nanos("snapshotChunkTimeout", v));
        }

        /** Default 0 (no limit); 0 .. Long.MAX_VALUE bytes per second and follower. */
        public Builder maxSnapshotBytesPerSecond(long v) {
            maxSnapshotBytesPerSecond = range("maxSnapshotBytesPerSecond", v, 0, Long.MAX_VALUE);
            return this;
        }

        public RaftConfig build() {
            if (leaseReads && !(checkQuorum && preVote)) {
                throw new IllegalArgumentException("leaseReads needs checkQuorum and preVote: without them a follower "
                    + "may elect a new leader while the old one still holds its lease");
            }
            if (maxClockDriftNs * 2 > electionTimeoutNs) {
                throw new IllegalArgumentException("maxClockDriftNs (" + maxClockDriftNs
                    + ") must be at most electionTimeoutNs / 2 (" + electionTimeoutNs / 2 + ")");
            }
            if (heartbeatIntervalNs * 2 > electionTimeoutNs) {
                throw new IllegalArgumentException("heartbeatIntervalNs (" + heartbeatIntervalNs
                    + ") must be at most electionTimeoutNs / 2 (" + electionTimeoutNs / 2 + ")");
            }
            // A proposal, and an AppendEntries of one entry or of a whole batch, must fit one inbound ring record (an
            // eighth of the ring) on the receiving node.
            // A batch holds at most maxBatchBytes of payload (a larger entry goes alone) and maxBatchEntries entries.
            final long entryHeader = io.pontoon.protocol.AppendEntriesCodec.ENTRY_HEADER_LENGTH;
            final long largestRecord = Math.max(maxEntryBytes + entryHeader, maxBatchBytes + entryHeader * maxBatchEntries)
                + io.pontoon.protocol.AppendEntriesCodec.HEADER_LENGTH + 4;
            if (largestRecord > inboundRingBytes / 8) {
                final boolean entryBound = maxEntryBytes + entryHeader >= maxBatchBytes + entryHeader * maxBatchEntries;
                throw new IllegalArgumentException((entryBound ? "maxEntryBytes (" + maxEntryBytes + ")"
                    : "maxBatchBytes (" + maxBatchBytes + ") with maxBatchEntries (" + maxBatchEntries + ")")
                    + " does not fit the inbound ring: the largest AppendEntries with its headers takes " + largestRecord
                    + " bytes, and a ring record is at most inboundRingBytes / 8 = " + inboundRingBytes / 8
                    + "; raise inboundRingBytes to at least " + Long.highestOneBit(largestRecord * 8 - 1) * 2
                    + " or lower maxEntryBytes, maxBatchBytes or maxBatchEntries");
            }
            final long largestChunk = io.pontoon.protocol.InstallSnapshotCodec.lengthOf(
                io.pontoon.protocol.InstallSnapshotCodec.MAX_CONFIGURATION_BYTES, snapshotChunkBytes);
            if (snapshotChunkBytes > 0 && largestChunk > inboundRingBytes / 8) {
                throw new IllegalArgumentException("snapshotChunkBytes (" + snapshotChunkBytes + ") does not fit the "
                    + "inbound ring: an InstallSnapshot chunk with its headers takes up to " + largestChunk
                    + " bytes, and a ring record is at most inboundRingBytes / 8 = " + inboundRingBytes / 8
                    + "; lower snapshotChunkBytes or raise inboundRingBytes");
            }
            if (maxEntryBytes > maxUncommittedBytes) {
                throw new IllegalArgumentException("maxEntryBytes (" + maxEntryBytes
                    + ") must not exceed maxUncommittedBytes (" + maxUncommittedBytes + ")");
            }
            return new RaftConfig(this);
        }
    }
}
