package io.pontoon.engine;

import io.pontoon.RaftConfig;
import io.pontoon.Role;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.Membership;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The mutable state of one Raft node and the role transitions that change it. Handlers read and change
 * state only through this class (and {@link Progress}); they never call each other.
 */
final class RaftState {
    static final int NO_NODE = 0;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    final int nodeId;
    /** The configurations this node knows: the one in effect and those a truncation or snapshot falls back to. */
    final Configurations configs;
    /** The configuration in effect ({@code configs.current()}); see {@link #useMembership}. */
    Membership membership;
    /** This node votes (in the incoming or the outgoing voters) and may campaign; false for a learner or non-member. */
    boolean selfVoter;
    /** This node is an incoming / outgoing voter, and how many voters each set has (outgoing: 0 unless joint). */
    boolean selfIncoming;
    boolean selfOutgoing;
    int incomingVoters;
    int outgoingVoters;
    /** One per other member (voters and learners) of the configuration in effect. */
    Progress[] peers;
    /** Index of the configuration last reported to the listener. */
    private long notifiedIndex;
    /** Candidate / pre-candidate: this node's own vote (1 granted); the others' are in {@link Progress#vote}. */
    byte selfVote;
    final RaftConfig config;
    final LogStore log;
    final MetaStore meta;
    final RandomSource random;
    final EngineListener listener;
    final Sender sender;
    final PendingProposals pending = new PendingProposals();
    /** Where snapshots live; null for a node without snapshots (its log is never compacted by Raft). */
    final SnapshotStore snapshots;
    final SnapshotSender snapshotSender;
    /** The latest snapshot this node has (started from, took, or installed), or null. */
    SnapshotMeta snapshot;
    /** Follower: the snapshot being received, if any. */
    final Incoming incoming = new Incoming();
    /** Leader: times a follower needed entries that no snapshot covers (it cannot be caught up). */
    long stranded;
    /** Follower: received snapshots whose checksum did not match (discarded). */
    long badSnapshots;
    /** ReadIndex and lease reads. */
    final Reads reads;
    /** Leader: the member leadership is being handed to (thesis §3.10), or NO_NODE; and when the attempt ends. */
    int transferTarget = NO_NODE;
    long transferDeadlineNs;
    /** Leader: TimeoutNow was sent to the transfer's target. */
    boolean timeoutNowSent;
    /**
     * Leader: a TimeoutNow was sent in this leadership. Its target may campaign whenever it arrives, and the voters
     * grant that election whatever their lease, so this leader's lease proves nothing any more (simulation seed
     * 11015732): no lease reads until it leads again.
     */
    boolean handedOverThisTerm;
    /** Leader: the earliest time it may hand over to the preferred leader (RaftConfig.preferredLeader). */
    long preferredCheckNs;

    /** A snapshot being received from the leader, written to the store as it arrives. */
    static final class Incoming {
        SnapshotStore.SnapshotSink sink;
        long index;
        long term;
        long totalBytes;
        long checksum;
        long received;
    }

    Role role = Role.FOLLOWER;
    long term;
    // Observability counters (issue 13): plain fields, written on the Raft thread once per event; the runtime
    // publishes them once per duty cycle.
    /** Why the engine acts now: set by the caller of the become* methods (a timer, a message, TimeoutNow). */
    io.pontoon.ChangeReason cause = io.pontoon.ChangeReason.MESSAGE;
    /** Why the current or last campaign started: the reason a leadership it wins is reported with. */
    io.pontoon.ChangeReason campaignCause = io.pontoon.ChangeReason.TIMEOUT;
    long electionsStarted;
    long termChanges;
    long leaderChanges;
    io.pontoon.ChangeReason lastTermChangeReason = io.pontoon.ChangeReason.NONE;
    io.pontoon.ChangeReason lastLeaderChangeReason = io.pontoon.ChangeReason.NONE;
    int votedFor;
    int leaderId = NO_NODE;
    long commitIndex;
    long lastApplied;
    long nowNs;
    long electionDeadlineNs;
    long nextHeartbeatNs;
    long checkQuorumDeadlineNs;
    /** Last time a message from the current leader arrived (for the pre-vote/check-quorum lease). */
    long lastLeaderContactNs = Long.MIN_VALUE / 2;
    /** Follower: highest index known to match the current leader's log in this term. */
    long verifiedIndex;
    /** Follower: highest matchIndex acknowledged to the current leader. */
    long ackedIndex;
    /**
     * Follower: successful AppendEntries received from the current leader and not yet answered, their
     * payload bytes, and when the oldest of them arrived. One answer covers them all (see {@link #flushAck}).
     */
    int unansweredAppends;
    long unansweredBytes;
    long oldestUnansweredNs;
    RaftState(int nodeId, Membership bootstrap, RaftConfig config, LogStore log, MetaStore meta,
              SnapshotStore snapshots, Outbox outbox, RandomSource random, EngineListener listener, long nowNs) {
        this.snapshots = snapshots;
        this.snapshotSender = new SnapshotSender(this);
        this.nodeId = nodeId;
        this.config = config;
        this.log = log;
        this.meta = meta;
        this.random = random;
        this.listener = listener;
        this.sender = new Sender(outbox, log, config.maxBatchEntries, config.maxBatchBytes);
        this.configs = new Configurations(bootstrap, 0);
        this.peers = new Progress[0];
        useMembership(bootstrap);
        this.term = meta.term();
        this.votedFor = meta.votedFor();
        this.nowNs = nowNs;
        this.reads = new Reads(this); // after nowNs: it numbers its requests from the clock
        resetElectionTimer();
    }

    Progress progress(int peerId) {
        for (Progress pr : peers) {
            if (pr.nodeId == peerId) {
                return pr;
            }
        }
        return null;
    }

    /**
     * Makes {@code m} the configuration in effect (thesis §4.1: as soon as it is in the log): who votes, who counts
     * toward each majority, and whom a leader replicates to. Members that stay keep their progress; new ones start
     * probing after the leader's log; those that left are dropped (a snapshot being sent to one is let go). The
     * listener hears of it (the transport may need to reach a new member).
     */
    void useMembership(Membership m) {
        final Membership before = membership;
        membership = m;
        selfIncoming = m.isIncomingVoter(nodeId);
        selfOutgoing = m.isOutgoingVoter(nodeId);
        selfVoter = selfIncoming || selfOutgoing;
        incomingVoters = m.voters().length;
        outgoingVoters = m.outgoingVoters().length;
        final int[] ids = m.members();
        int others = 0;
        for (int id : ids) {
            others += id == nodeId ? 0 : 1;
        }
        final Progress[] next = new Progress[others];
        int p = 0;
        for (int id : ids) {
            if (id == nodeId) {
                continue;
            }
            Progress pr = progress(id);
            if (pr == null) {
                pr = new Progress(id, m.isVoter(id), config.maxInflightMessages, config.maxInflightBytes);
                pr.reset(log.lastIndex() + 1);
                pr.recentActive = true; // a new member gets one check-quorum round to answer
            }
            pr.voter = m.isVoter(id);
            pr.incoming = m.isIncomingVoter(id);
            pr.outgoing = m.isOutgoingVoter(id);
            next[p++] = pr;
        }
        for (Progress old : peers) {
            if (!m.isMember(old.nodeId)) {
                old.closeSnapshot();
            }
        }
        peers = next;
        if (transferTarget != NO_NODE && !m.isVoter(transferTarget)) {
            endTransfer(false);
        }
        final long index = configs.currentIndex();
        if (before != null && (!before.equals(m) || index != notifiedIndex)) {
            listener.onMembershipChanged(m); // also when only its index moved (a snapshot rebased it): see NodeMembership
        }
        notifiedIndex = index;
    }

    /**
     * Whether this node may start an election: it votes in the configuration in effect, or that configuration may
     * not be committed yet and the node votes in the one before it (which was committed before the newest was
     * appended: one change at a time). The second case keeps a cluster live when the only node holding an
     * uncommitted change that removes it has the longest log: the others cannot win without its vote, which it
     * refuses them (their logs are behind), so it must campaign itself. Its own vote does not count under its
     * configuration; once elected it commits the change and steps down (simulation seeds 394 and 2093624; a node
     * that restarted does not know its commit index, so "the one before" is taken from the log, not from it).
     */
    boolean mayCampaign() {
        final long newest = configs.currentIndex();
        return selfVoter || newest > commitIndex && newest > 0 && configs.at(newest - 1).isVoter(nodeId);
    }

    /** The configuration entry at {@code index} is now in this node's log: it takes effect at once. */
    void onConfigurationAppended(long index, Membership m) {
        configs.add(index, m);
        useMembership(m);
    }

    /**
     * A majority of every voter set (the incoming voters, and the outgoing ones while joint) is in {@code agreeing}:
     * this node counts if {@code self}, a peer if its flag in {@code agreeing} is set (indexed like {@link #peers}).
     */
    boolean isQuorum(boolean self, boolean[] agreeing) {
        int in = selfIncoming && self ? 1 : 0;
        int out = selfOutgoing && self ? 1 : 0;
        for (int i = 0; i < peers.length; i++) {
            if (agreeing[i]) {
                in += peers[i].incoming ? 1 : 0;
                out += peers[i].outgoing ? 1 : 0;
            }
        }
        return in >= incomingVoters / 2 + 1 && (outgoingVoters == 0 || out >= outgoingVoters / 2 + 1);
    }

    private boolean[] agreeScratch = new boolean[8];

    /** Scratch flags, one per peer, all false. Raft thread only; valid until the next call. */
    boolean[] agreeing() {
        if (agreeScratch.length < peers.length) {
            agreeScratch = new boolean[peers.length * 2];
        }
        java.util.Arrays.fill(agreeScratch, false);
        return agreeScratch;
    }

    /** Term of the entry at {@code index}, also for the last entry a snapshot covers once the log is compacted. */
    long termAt(long index) {
        final SnapshotMeta snap = snapshot;
        if (snap != null && index == snap.index()) {
            return snap.term();
        }
        return log.termAt(index);
    }

    /** This node's latest snapshot is now {@code meta}. */
    void setSnapshot(SnapshotMeta meta) {
        snapshot = meta;
        sender.snapshotBoundary(meta.index(), meta.term());
    }

    /** Drops a partly received snapshot (its sink discards what was written). */
    void closeIncoming() {
        final SnapshotStore.SnapshotSink sink = incoming.sink;
        incoming.sink = null;
        incoming.received = 0;
        if (sink != null) {
            sink.close();
        }
    }

    /** A leader that steps down lets go of the snapshots it was sending. */
    void closeOutgoing() {
        for (Progress pr : peers) {
            pr.closeSnapshot();
        }
    }

    /** Every change of the known leader goes through here, so it is counted once, with its reason. */
    private void setLeader(int newLeaderId, io.pontoon.ChangeReason reason) {
        if (newLeaderId != leaderId) {
            leaderChanges++;
            lastLeaderChangeReason = reason;
        }
        leaderId = newLeaderId;
    }

    /** §5.1 / Figure 2: term and vote reach stable storage before the node acts on them. */
    void persistTermAndVote(long newTerm, int newVote) {
        if (newTerm != term || newVote != votedFor) {
            meta.save(newTerm, newVote);
            if (newTerm != term) {
                termChanges++;
                lastTermChangeReason = cause;
            }
            term = newTerm;
            votedFor = newVote;
        }
    }

    void resetElectionTimer() {
        electionDeadlineNs = nowNs + config.electionTimeoutNs + random.nextLong(config.electionTimeoutNs);
    }

    /** Pre-vote / check-quorum lease: a leader was heard from within the election timeout. */
    boolean inLease() {
        if (!config.checkQuorum) {
            return false;
        }
        if (role == Role.LEADER) {
            return true;
        }
        return leaderId != NO_NODE && nowNs - lastLeaderContactNs < config.electionTimeoutNs;
    }

    void becomeFollower(long newTerm, int newLeaderId) {
        if (role == Role.LEADER) {
            closeOutgoing();
            reads.onLeadershipLost();
        }
        final boolean newTermStarts = newTerm > term;
        if (newTermStarts) {
            persistTermAndVote(newTerm, MetaStore.NO_VOTE);
        }
        if (newTermStarts || newLeaderId != leaderId) {
            // What was verified and acknowledged was for the previous leader or term: a leader re-elected in a
            // new term starts its follower tracking from scratch, and so do we (issue 9).
            verifiedIndex = 0;
            ackedIndex = 0;
            clearUnanswered();
        }
        role = Role.FOLLOWER;
        setLeader(newLeaderId, cause);
        reads.onLeaderChanged();
        if (transferTarget != NO_NODE && newLeaderId != NO_NODE) {
            // A transfer this node started as leader ends when it learns who leads now.
            endTransfer(newLeaderId == transferTarget);
        }
        resetElectionTimer();
    }

    /**
     * Leader: a leadership transfer ends; the listener learns whether the target took over ({@code done}) or not
     * (timed out, or this node lost leadership to someone else).
     */
    void endTransfer(boolean done) {
        final int target = transferTarget;
        if (target == NO_NODE) {
            return;
        }
        transferTarget = NO_NODE;
        timeoutNowSent = false;
        listener.onTransferEnded(target, done);
    }

    /** Leader, transferring: once the target's log matches ours, tell it to campaign now (thesis §3.10). */
    void maybeSendTimeoutNow() {
        if (transferTarget == NO_NODE || timeoutNowSent) {
            return;
        }
        final Progress pr = progress(transferTarget);
        if (pr != null && pr.matchIndex == log.lastIndex()) {
            timeoutNowSent = true;
            handedOverThisTerm = true;
            sender.sendTimeoutNow(transferTarget, term);
        }
    }

    /** Thesis §9.6: ask for pre-votes for term + 1 without changing the term. */
    void becomePreCandidate() {
        closeIncoming();
        role = Role.PRE_CANDIDATE;
        campaignCause = cause;
        setLeader(NO_NODE, cause);
        reads.onLeaderChanged();
        endTransfer(false);
        resetElectionTimer();
        clearVotes();
        if (votesWon()) {
            becomeCandidate();
            return;
        }
        for (Progress pr : peers) {
            if (pr.voter) {
                sender.sendVoteRequest(pr.nodeId, term + 1, log.lastIndex(), log.lastTerm(), true, false);
            }
        }
    }

    /** §5.2: increment the term, vote for self, request votes. */
    void becomeCandidate() {
        becomeCandidate(false);
    }

    /**
     * As above; {@code transfer}: the election a leader asked for with TimeoutNow (thesis §3.10), whose vote
     * requests followers grant even while they still hear that leader.
     */
    void becomeCandidate(boolean transfer) {
        closeIncoming();
        if (transfer) {
            cause = io.pontoon.ChangeReason.TRANSFER;
        } else if (role == Role.PRE_CANDIDATE) {
            cause = campaignCause; // a won pre-vote continues the campaign its timeout started
        }
        campaignCause = cause;
        electionsStarted++;
        persistTermAndVote(term + 1, nodeId);
        role = Role.CANDIDATE;
        setLeader(NO_NODE, cause);
        reads.onLeaderChanged();
        endTransfer(false);
        verifiedIndex = 0;
        resetElectionTimer();
        clearVotes();
        if (votesWon()) {
            becomeLeader();
            return;
        }
        for (Progress pr : peers) {
            if (pr.voter) {
                sender.sendVoteRequest(pr.nodeId, term, log.lastIndex(), log.lastTerm(), false, transfer);
            }
        }
    }

    /** §5.2, §8: become leader and append a no-op of this term so earlier entries can commit (§5.4.2). */
    void becomeLeader() {
        role = Role.LEADER;
        setLeader(nodeId, campaignCause); // a leadership is reported with the reason its election started
        final long next = log.lastIndex() + 1;
        // Proposals from an earlier leadership whose entries this log no longer holds: another node may
        // still hold and commit them, so their outcome is unknown. They sit beyond the indices this term's
        // proposals will take; left pending they would hold up the index-ordered queue behind them.
        while (pending.size() > 0 && pending.tailIndex() >= next) {
            final long idx = pending.tailIndex();
            final long tag = pending.tailTag();
            pending.removeTail();
            listener.onProposalResult(tag, io.pontoon.ResultCode.TIMEOUT, idx);
        }
        for (Progress pr : peers) {
            pr.reset(next);
            pr.recentActive = true;
        }
        log.append(next, term, EMPTY, 0, 0);
        reads.onLeadershipStarted(next);
        handedOverThisTerm = false;
        preferredCheckNs = nowNs + config.electionTimeoutNs; // settle first
        nextHeartbeatNs = nowNs;
        checkQuorumDeadlineNs = nowNs + config.electionTimeoutNs;
        for (Progress pr : peers) {
            sendAppend(pr);
        }
        maybeCommit();
    }

    /** A new election: only this node's own vote is in. */
    void clearVotes() {
        selfVote = 1;
        for (Progress pr : peers) {
            pr.vote = 0;
        }
    }

    /** The granted votes (this node's included) form a majority of every voter set (thesis §4.3 when joint). */
    boolean votesWon() {
        final boolean[] granted = agreeing();
        for (int i = 0; i < peers.length; i++) {
            granted[i] = peers[i].vote == 1;
        }
        return isQuorum(selfVote == 1, granted);
    }

    /** Enough voters refused that no majority of some voter set can grant any more. */
    boolean votesLost() {
        int in = 0;
        int out = 0;
        for (Progress pr : peers) {
            if (pr.vote == 2) {
                in += pr.incoming ? 1 : 0;
                out += pr.outgoing ? 1 : 0;
            }
        }
        return in > incomingVoters - (incomingVoters / 2 + 1)
            || outgoingVoters > 0 && out > outgoingVoters - (outgoingVoters / 2 + 1);
    }

    /** Sends one AppendEntries batch to {@code pr}, advancing nextIndex optimistically in REPLICATE. */
    void sendAppend(Progress pr) {
        if (role != Role.LEADER) {
            return; // stepped down in this cycle (the change that removed it committed)
        }
        final long last = sender.sendAppend(pr, term, commitIndex);
        if (last < 0) {
            // prevLogIndex was compacted away: the follower catches up through the snapshot (§5.3 of the thesis).
            snapshotSender.start(pr);
            return;
        }
        if (pr.state == Progress.REPLICATE) {
            pr.nextIndex = last + 1;
        } else {
            pr.probeSent = true;
        }
    }

    /**
     * Leader: the first index a follower being sent a snapshot will need once it has installed it (the lowest
     * such), or {@code Long.MAX_VALUE} if none is; compaction keeps that entry and those after it.
     */
    long installingFloor() {
        long floor = Long.MAX_VALUE;
        if (role == Role.LEADER) {
            for (Progress pr : peers) {
                if (pr.state == Progress.SNAPSHOT && pr.snapshotMeta != null) {
                    floor = Math.min(floor, pr.snapshotMeta.index() + 1);
                }
            }
        }
        return floor;
    }

    /** Leader: sends whatever each follower's window allows. */
    int replicate() {
        int work = 0;
        final long last = log.lastIndex();
        for (Progress pr : peers) {
            if (pr.state == Progress.SNAPSHOT) {
                if (pr.snapshotMeta != null) {
                    work += snapshotSender.onTick(pr);
                }
            } else if (pr.state == Progress.REPLICATE) {
                while (pr.state == Progress.REPLICATE && pr.nextIndex <= last && !pr.inflightFull()) {
                    sendAppend(pr);
                    work++;
                }
            } else if (!pr.probeSent && pr.matchIndex < last) {
                sendAppend(pr);
                work++;
            }
        }
        return work;
    }

    private final long[] matchScratch = new long[64];

    /**
     * §5.3, §5.4.2: commit the highest index stored on a majority, but only by counting replicas of an
     * entry of the current term (Figure 8). The leader counts itself at its durable index.
     */
    boolean maybeCommit() {
        if (role != Role.LEADER) {
            return false;
        }
        long candidate = quorumIndex(true);
        if (outgoingVoters > 0) {
            candidate = Math.min(candidate, quorumIndex(false)); // joint consensus: both majorities (thesis §4.3)
        }
        if (candidate > commitIndex && log.termAt(candidate) == term) {
            commitIndex = candidate;
            log.onCommitIndex(commitIndex);
            afterConfigurationCommitted();
            return true;
        }
        return false;
    }

    /**
     * The highest index a majority of the incoming (or the outgoing) voters holds: the leader counts at its durable
     * index if it is one of them; learners never count.
     */
    private long quorumIndex(boolean incoming) {
        final int size = incoming ? incomingVoters : outgoingVoters;
        final long[] m = size <= matchScratch.length ? matchScratch : new long[size];
        int n = 0;
        if (incoming ? selfIncoming : selfOutgoing) {
            m[n++] = log.durableIndex();
        }
        for (Progress pr : peers) {
            if (incoming ? pr.incoming : pr.outgoing) {
                m[n++] = pr.matchIndex;
            }
        }
        java.util.Arrays.sort(m, 0, n);
        final int majority = size / 2 + 1;
        return n >= majority ? m[n - majority] : 0;
    }

    /** Follower: adopts a commit index, never beyond what is verified to match the leader. */
    void followerCommit(long leaderCommit) {
        final long c = Math.min(leaderCommit, verifiedIndex);
        if (c > commitIndex) {
            commitIndex = c;
            log.onCommitIndex(commitIndex);
        }
    }

    /**
     * Truncates the log tail. Pending proposals whose entries are removed stay pending: losing our copy
     * does not mean the entry is lost, another node may hold it and a later leader may still commit it
     * (simulation seed 102147). applyCommitted reports OK or LEADERSHIP_LOST once the index is committed,
     * by comparing the committed entry's term with the proposal's; else it times out.
     */
    void truncateLog(long fromIndex) {
        if (fromIndex <= commitIndex) {
            throw new IllegalStateException("node " + nodeId + " asked to truncate committed entry " + fromIndex
                + " (commitIndex " + commitIndex + ")");
        }
        log.truncateFrom(fromIndex);
        if (configs.truncateFrom(fromIndex)) {
            useMembership(configs.current()); // the removed configuration entry no longer holds (thesis §4.1)
        }
    }

    /** Leader: appends a configuration entry of this term; it takes effect at once. Returns its index. */
    long appendConfiguration(Membership m) {
        final byte[] bytes = m.encode();
        final long index = log.lastIndex() + 1;
        log.append(index, term, LogStore.KIND_CONFIGURATION, new UnsafeBuffer(bytes), 0, bytes.length);
        onConfigurationAppended(index, m);
        return index;
    }

    /**
     * Leader, once the configuration in effect is committed: a joint configuration is left for its incoming one
     * (thesis §4.3); a leader that is no longer a voter hands over to an up-to-date voter and steps down
     * (thesis §4.2.2).
     */
    private void afterConfigurationCommitted() {
        if (role != Role.LEADER || commitIndex < configs.currentIndex()) {
            return;
        }
        if (membership.isJoint()) {
            appendConfiguration(membership.leaveJoint());
            return;
        }
        if (!selfVoter) {
            for (Progress pr : peers) {
                if (pr.voter && pr.matchIndex == log.lastIndex() && pr.recentActive) {
                    handedOverThisTerm = true;
                    sender.sendTimeoutNow(pr.nodeId, term); // the election need not wait for a timeout
                    break;
                }
            }
            becomeFollower(term, NO_NODE);
        }
    }

    /**
     * Follower: a successful AppendEntries of {@code bytes} payload bytes was taken; its answer waits for
     * {@link #flushAck} at the end of the duty cycle.
     */
    void onAppendAccepted(long bytes) {
        if (unansweredAppends == 0) {
            oldestUnansweredNs = nowNs;
        }
        unansweredAppends++;
        unansweredBytes += bytes;
    }

    private void clearUnanswered() {
        unansweredAppends = 0;
        unansweredBytes = 0;
    }

    /**
     * Follower, once per duty cycle: one AppendResponse covering every AppendEntries taken so far, not one
     * per frame. Persist before acknowledging: matchIndex is min(durable, verified), so the leader counts
     * only durable entries toward commit. It is sent when
     * <ul>
     *   <li>matchIndex advanced (the steady state: one answer per batch, once it is durable);</li>
     *   <li>an AppendEntries is unanswered and nothing it carried waits for the disk (a probe, an empty or a
     *       duplicate AppendEntries): the leader waits for that answer;</li>
     *   <li>the unanswered AppendEntries wait for the disk and fill half of the leader's configured window
     *       (messages or bytes), or the oldest has waited {@code receiptAckDelayNs}: then it is a receipt
     *       answer (lastLogIndex = verified) that frees the leader's in-flight window while our disk
     *       syncs, so the leader keeps pipelining (simulation seed 795590). This is what the separate
     *       on-receipt answer of every AppendEntries used to buy (commit 19ebffe).</li>
     * </ul>
     * Returns the number of messages sent.
     */
    int flushAck() {
        if (role != Role.FOLLOWER || leaderId == NO_NODE) {
            clearUnanswered();
            return 0;
        }
        final long durable = log.durableIndex();
        final long match = Math.min(durable, verifiedIndex);
        final boolean owed = unansweredAppends > 0;
        if (match > ackedIndex
            || owed && (verifiedIndex <= durable
                || unansweredAppends * 2 >= config.maxInflightMessages
                || unansweredBytes * 2 >= config.maxInflightBytes
                || nowNs - oldestUnansweredNs >= config.receiptAckDelayNs)) {
            ackedIndex = Math.max(ackedIndex, match);
            clearUnanswered();
            sender.sendAppendResponse(leaderId, term, true, match, -1, -1, -1, verifiedIndex);
            return 1;
        }
        return 0;
    }
}
