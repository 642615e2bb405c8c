package io.pontoon.engine;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.Membership;
import io.pontoon.spi.MetaStore;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;
import org.agrona.DirectBuffer;

/**
 * A deterministic Raft state machine in the style of etcd raft: no I/O, no clock, no threads. Inputs
 * are {@link #onMessage}, {@link #onTick}, {@link #propose} and {@link #onDurable}; outputs go to the
 * {@link Outbox} (messages), the {@link LogStore} (appends, truncations) and the {@link EngineListener}
 * (committed entries, proposal outcomes). Same inputs, same outputs. Drivers run it through
 * {@link #doWork}, which holds the order of a duty cycle; the single steps stay public for tests that
 * examine one of them.
 *
 * <p>Threading: every method is called on one thread (the node's Raft thread, or the simulator).
 */
public final class RaftEngine {
    /** Largest term step taken from a message: 2^32 elections (see {@code onMessage}). */
    static final long MAX_TERM_STEP = 1L << 32;

    /** Most committed entries one duty cycle applies, so a long catch-up does not starve the inbound ring. */
    public static final int MAX_APPLY_PER_CYCLE = 65_536;

    /**
     * What a driver hands the engine in one duty cycle: the messages and proposals that arrived since the
     * last one. {@link #drainTo} calls {@link RaftEngine#onMessage} and {@link RaftEngine#propose} (and
     * whatever else the driver owns, e.g. status requests) and returns how many inputs it handed over.
     */
    @FunctionalInterface
    public interface Inbox {
        /** An inbox with nothing in it: a cycle driven by the clock or the disk only. */
        Inbox EMPTY = engine -> 0;

        int drainTo(RaftEngine engine);
    }

    private final RaftState s;
    private final Outbox outbox;
    private final AppendEntriesHandler appendEntriesHandler;
    private final AppendResponseHandler appendResponseHandler;
    private final VoteRequestHandler voteRequestHandler;
    private final VoteResponseHandler voteResponseHandler;
    private final HeartbeatHandler heartbeatHandler;
    private final HeartbeatResponseHandler heartbeatResponseHandler;
    private final InstallSnapshotHandler installSnapshotHandler;
    private final InstallSnapshotResponseHandler installSnapshotResponseHandler;

    private final InboundMessage in = new InboundMessage();
    private final LogStore.EntryReader applyReader;
    private long lastDurableIndex = -1;
    private long staleResponses;
    private long nonMemberAnswers;

    /**
     * Creates the engine over existing stores: term and vote come from {@code meta}, the log from
     * {@code log}. It starts as a follower with commit index 0 (the commit index is not persisted).
     *
     * @param memberIds every member's node id (positive, distinct), including {@code nodeId}
     */
    public RaftEngine(int nodeId, int[] memberIds, RaftConfig config, LogStore log, MetaStore meta,
                      Outbox outbox, RandomSource random, EngineListener listener, long nowNs) {
        this(nodeId, memberIds, config, log, meta, null, null, outbox, random, listener, nowNs);
    }

    /**
     * As above, with snapshots: {@code snapshots} is where this node keeps them (and receives the leader's), and
     * {@code restored}, if not null, is the snapshot the caller restored the state machine from before creating
     * the engine (normally {@code snapshots.latest()}). The engine then starts with commit index and last applied
     * at the snapshot's index, so delivery resumes after it, and makes the log start there if it does not reach
     * it (or conflicts with it).
     *
     * @throws IllegalStateException if the log starts after the snapshot's index + 1 (entries in between are
     *                               missing: a newer snapshot was lost), naming both
     */
    public RaftEngine(int nodeId, int[] memberIds, RaftConfig config, LogStore log, MetaStore meta,
                      SnapshotStore snapshots, SnapshotMeta restored, Outbox outbox, RandomSource random,
                      EngineListener listener, long nowNs) {
        this(nodeId, memberIds, new int[0], config, log, meta, snapshots, restored, outbox, random, listener, nowNs);
    }

    /**
     * As above, with learners: {@code learnerIds} (a subset of {@code memberIds}) receive the log like every member
     * but never vote, never campaign and never count toward a quorum (commit, elections, check-quorum, reads);
     * a read replica or a standby. The others are voters; there must be at least one.
     */
    public RaftEngine(int nodeId, int[] memberIds, int[] learnerIds, RaftConfig config, LogStore log, MetaStore meta,
                      SnapshotStore snapshots, SnapshotMeta restored, Outbox outbox, RandomSource random,
                      EngineListener listener, long nowNs) {
        this(nodeId, bootstrapMembership(nodeId, memberIds, learnerIds), config, log, meta, snapshots, restored, outbox,
            random, listener, nowNs);
    }

    /**
     * As above, with the configuration the cluster starts with given as a {@link Membership} (voters, learners,
     * addresses). It holds until the log or a snapshot holds a newer one: a node that restarts takes the newest
     * configuration entry in its log, else its snapshot's, else this one. {@code nodeId} need not be in it: a node
     * that joins a running cluster waits, without campaigning, until the leader's log makes it a voter.
     */
    public RaftEngine(int nodeId, Membership bootstrap, RaftConfig config, LogStore log, MetaStore meta,
                      SnapshotStore snapshots, SnapshotMeta restored, Outbox outbox, RandomSource random,
                      EngineListener listener, long nowNs) {
        if (nodeId <= 0) {
            throw new IllegalArgumentException("node ids must be positive, got " + nodeId);
        }
        final int preferred = config.preferredLeader;
        if (preferred != 0 && !bootstrap.isVoter(preferred)) {
            throw new IllegalArgumentException("preferredLeader " + preferred + " is not a voting member ("
                + bootstrap.describe() + ")");
        }
        if (restored != null && snapshots == null) {
            throw new IllegalArgumentException("a restored snapshot needs the SnapshotStore it came from");
        }
        this.s = new RaftState(nodeId, bootstrap, config, log, meta, snapshots, outbox, random, listener, nowNs);
        if (restored != null) {
            startFrom(restored);
        }
        loadConfigurations();
        this.installSnapshotHandler = new InstallSnapshotHandler(s);
        this.installSnapshotResponseHandler = new InstallSnapshotResponseHandler(s);
        this.outbox = outbox;
        this.appendEntriesHandler = new AppendEntriesHandler(s);
        this.appendResponseHandler = new AppendResponseHandler(s);
        this.voteRequestHandler = new VoteRequestHandler(s);
        this.voteResponseHandler = new VoteResponseHandler(s);
        this.heartbeatHandler = new HeartbeatHandler(s);
        this.heartbeatResponseHandler = new HeartbeatResponseHandler(s);
        this.applyReader = (index, term, buffer, offset, length) -> {
            if (length > 0) {
                if (log.kindAt(index) == LogStore.KIND_CONFIGURATION) {
                    listener.onMembershipApplied(index, term, Membership.decode(buffer, offset, length));
                } else {
                    listener.onCommit(index, term, buffer, offset, length);
                }
            }
        };
    }

    /** Start-up after a snapshot: the log must reach it without a gap; what conflicts with it goes. */
    private void startFrom(SnapshotMeta snap) {
        final LogStore log = s.log;
        final long index = snap.index();
        if (log.lastIndex() < index) {
            // The log ends before the snapshot (it was installed from the leader, or the log was lost): restart it.
            log.resetTo(index, snap.term());
        } else if (log.firstIndex() > index + 1) {
            throw new IllegalStateException("node " + s.nodeId + ": the log starts at index " + log.firstIndex()
                + " but the newest intact snapshot ends at index " + index + "; entries " + (index + 1) + ".."
                + (log.firstIndex() - 1) + " are in neither (a newer snapshot was lost or damaged)");
        } else {
            final long held = log.termAt(index);
            if (held != LogStore.NULL_VALUE && held != snap.term()) {
                // Our entry at the snapshot's index conflicts with a committed one: nothing from there on is committed.
                log.resetTo(index, snap.term());
            }
        }
        s.configs.reset(index, snap.membership());
        s.setSnapshot(snap);
        s.commitIndex = index;
        s.lastApplied = index;
    }

    /**
     * The configuration a cluster of {@code memberIds} (this node among them) starts with, {@code learnerIds} being
     * learners and the others voters; throws {@link IllegalArgumentException} naming what is wrong with the ids.
     */
    public static Membership bootstrap(int nodeId, int[] memberIds, int[] learnerIds) {
        return bootstrapMembership(nodeId, memberIds, learnerIds);
    }

    /** Validates the member and learner ids and makes the starting configuration of them. */
    private static Membership bootstrapMembership(int nodeId, int[] memberIds, int[] learnerIds) {
        validateMembers(nodeId, memberIds);
        validateLearners(memberIds, learnerIds);
        final int[] voters = java.util.Arrays.stream(memberIds)
            .filter(id -> java.util.Arrays.stream(learnerIds).noneMatch(l -> l == id)).toArray();
        return Membership.of(voters, learnerIds);
    }

    /**
     * Start-up: the configuration entries in the log above the snapshot (or the whole log) take effect in order, so
     * the newest is in effect (thesis §4.1), as before the restart.
     */
    private void loadConfigurations() {
        final LogStore log = s.log;
        final SnapshotMeta snap = s.snapshot;
        final long from = Math.max(log.firstIndex(), snap == null ? 1 : snap.index() + 1);
        final long last = log.lastIndex();
        for (long i = from; i <= last; i++) {
            if (log.kindAt(i) == LogStore.KIND_CONFIGURATION) {
                final long index = i;
                log.read(i, (idx, term, buffer, offset, length) -> {
                    final Membership m;
                    try {
                        m = Membership.decode(buffer, offset, length);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalStateException("node " + s.nodeId + ": the configuration entry at index " + index
                            + " of the log is unreadable: " + e.getMessage(), e);
                    }
                    s.configs.add(index, m);
                });
            }
        }
        s.useMembership(s.configs.current());
    }

    private static void validateLearners(int[] memberIds, int[] learnerIds) {
        if (learnerIds == null) {
            throw new IllegalArgumentException("learnerIds must not be null (an empty array for none)");
        }
        for (int i = 0; i < learnerIds.length; i++) {
            boolean member = false;
            for (int m : memberIds) {
                member |= m == learnerIds[i];
            }
            if (!member) {
                throw new IllegalArgumentException("learner " + learnerIds[i] + " is not one of the members "
                    + java.util.Arrays.toString(memberIds) + " (list every member, learners included)");
            }
            for (int j = 0; j < i; j++) {
                if (learnerIds[j] == learnerIds[i]) {
                    throw new IllegalArgumentException("duplicate learner id " + learnerIds[i]);
                }
            }
        }
        if (learnerIds.length >= memberIds.length) {
            throw new IllegalArgumentException("every member is a learner " + java.util.Arrays.toString(learnerIds)
                + ": at least one must vote");
        }
    }

    private static void validateMembers(int nodeId, int[] memberIds) {
        if (memberIds == null || memberIds.length == 0) {
            throw new IllegalArgumentException("memberIds must list at least this node, got none");
        }
        boolean self = false;
        for (int i = 0; i < memberIds.length; i++) {
            if (memberIds[i] <= 0) {
                throw new IllegalArgumentException("node ids must be positive, got " + memberIds[i]);
            }
            for (int j = 0; j < i; j++) {
                if (memberIds[j] == memberIds[i]) {
                    throw new IllegalArgumentException("duplicate node id " + memberIds[i] + " in memberIds");
                }
            }
            self |= memberIds[i] == nodeId;
        }
        if (!self) {
            throw new IllegalArgumentException("nodeId " + nodeId + " is not in memberIds " + java.util.Arrays.toString(memberIds));
        }
    }

    /**
     * One duty cycle, in the only order there is (STYLE.md 13): every driver (the runtime's Raft thread,
     * the simulator, the engine benchmark, tests) calls this and supplies only the clock and the inbox.
     * <ol>
     *   <li>{@link #onClock}: messages of this cycle are stamped with the current time;</li>
     *   <li>the inbox: peer messages and proposals;</li>
     *   <li>{@link #onTick}: timers (elections, heartbeats, check-quorum, proposal timeouts);</li>
     *   <li>{@link #onDurable}: the log's durable index (a leader may commit);</li>
     *   <li>{@link #flush}: a leader sends AppendEntries, a follower one answer for the AppendEntries it
     *       took, then {@link Outbox#flush()} hands them to the network;</li>
     *   <li>{@link #applyCommitted}: up to {@link #MAX_APPLY_PER_CYCLE} committed entries are applied and
     *       the proposals they settle resolved, after the messages left.</li>
     * </ol>
     * Returns the work done (0 lets the driver idle).
     */
    public int doWork(long nowNs, Inbox inbox) {
        onClock(nowNs);
        int work = inbox.drainTo(this);
        work += onTick(nowNs);
        work += onDurable();
        work += flush();
        outbox.flush();
        work += applyCommitted(MAX_APPLY_PER_CYCLE);
        return work;
    }

    /**
     * Moves the engine's clock without firing timers. The runtime calls it before handing over a batch of
     * inbound messages, so a message that resets a timer (a heartbeat) is stamped with the current time
     * rather than the time of the last tick, which may be long ago after the thread was descheduled.
     */
    public void onClock(long nowNs) {
        if (nowNs > s.nowNs) {
            s.nowNs = nowNs;
        }
    }

    /** Advances time: election and heartbeat timers, check-quorum, proposal timeouts. Returns work done. */
    public int onTick(long nowNs) {
        s.nowNs = nowNs;
        int work = 0;
        if (s.role == Role.LEADER) {
            if (nowNs >= s.nextHeartbeatNs) {
                broadcastHeartbeat();
                maybeHandOverToPreferred();
                work++;
            }
            if (nowNs >= s.checkQuorumDeadlineNs) {
                s.checkQuorumDeadlineNs = nowNs + s.config.electionTimeoutNs;
                if (s.config.checkQuorum && !quorumActive()) {
                    // Check-quorum (thesis §6.2): a leader cut off from a majority steps down.
                    s.cause = io.pontoon.ChangeReason.CHECK_QUORUM;
                    s.becomeFollower(s.term, RaftState.NO_NODE);
                }
                for (Progress pr : s.peers) {
                    pr.recentActive = false;
                }
                work++;
            }
        } else if (nowNs >= s.electionDeadlineNs && !s.mayCampaign()) {
            s.resetElectionTimer(); // a learner never campaigns: it waits for a leader to reach it
        } else if (nowNs >= s.electionDeadlineNs) {
            s.cause = io.pontoon.ChangeReason.TIMEOUT;
            if (s.config.preVote) {
                s.becomePreCandidate();
            } else {
                s.becomeCandidate();
            }
            work++;
        }
        if (s.transferTarget != RaftState.NO_NODE && nowNs >= s.transferDeadlineNs) {
            s.endTransfer(false); // thesis §3.10: give up, and take proposals again
            work++;
        }
        work += s.reads.onTick();
        final PendingProposals pending = s.pending;
        while (pending.size() > 0 && pending.headDeadlineNs() <= nowNs) {
            final long tag = pending.headTag();
            final long index = pending.headIndex();
            pending.removeHead();
            s.listener.onProposalResult(tag, ResultCode.TIMEOUT, index);
            work++;
        }
        return work;
    }

    /**
     * Leader, once per heartbeat: if a preferred leader is configured and it is another voter that answered recently
     * and holds the whole log, hand over to it (a leadership transfer); at most once per ten election timeouts, so a
     * preferred member that cannot win does not keep the cluster from taking proposals.
     */
    private void maybeHandOverToPreferred() {
        final int preferred = s.config.preferredLeader;
        if (preferred == 0 || preferred == s.nodeId || s.transferTarget != RaftState.NO_NODE
            || s.nowNs < s.preferredCheckNs) {
            return;
        }
        final Progress pr = s.progress(preferred);
        if (pr != null && pr.voter && pr.recentActive && pr.matchIndex == s.log.lastIndex()) {
            s.preferredCheckNs = s.nowNs + 10 * s.config.electionTimeoutNs;
            transferLeadership(preferred);
        }
    }

    /** Leader: a heartbeat to every follower, as one numbered round (it also confirms the reads queued before it). */
    private void broadcastHeartbeat() {
        s.nextHeartbeatNs = s.nowNs + s.config.heartbeatIntervalNs;
        final long round = s.reads.startRound();
        for (Progress pr : s.peers) {
            s.sender.sendHeartbeat(pr.nodeId, s.term, Math.min(pr.matchIndex, s.commitIndex), round);
        }
    }

    private boolean quorumActive() {
        final Progress[] peers = s.peers;
        final boolean[] active = s.agreeing();
        for (int i = 0; i < peers.length; i++) {
            active[i] = peers[i].recentActive;
        }
        return s.isQuorum(true, active);
    }

    /**
     * Handles one peer message. Returns null if it was handled (or ignored as stale), else the reason it
     * was rejected as malformed or from an unknown sender; a rejected message changes nothing.
     */
    public String onMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length) {
        s.cause = io.pontoon.ChangeReason.MESSAGE;
        if (fromNodeId == s.nodeId || fromNodeId <= 0) {
            return "message from node " + fromNodeId + " (this node is " + s.nodeId + ")";
        }
        if (s.progress(fromNodeId) == null && MessageType.isResponse(type)) {
            // Answers count only from members; one from a node just removed (or never added) is ignored, like a stale
            // answer. A request may come from a node this configuration does not list yet: a leader or candidate
            // made a voter by an entry this node has not received (thesis §4.1).
            nonMemberAnswers++;
            return null;
        }
        final String malformed = in.decode(type, body, offset, length);
        if (malformed != null) {
            return malformed;
        }
        final long msgTerm = in.term;
        if (msgTerm < 0) {
            return MessageType.name(type) + " has negative term " + msgTerm;
        }
        if (msgTerm - s.term > MAX_TERM_STEP) {
            // Terms rise by one per election: no correct peer is 2^32 elections ahead. Taking such a term would
            // persist it, and a term near Long.MAX_VALUE overflows at the next election (issue 9).
            return MessageType.name(type) + " has term " + msgTerm + ", more than 2^32 above this node's term "
                + s.term + ": no correct peer sends that";
        }
        if (!passTermGate(fromNodeId, type, msgTerm)) {
            return null;
        }
        if (type == MessageType.APPEND_RESPONSE && s.role == Role.LEADER && beyondOurLog(in.appendResponse)) {
            // Not for this leadership: a follower answers a stale leader's AppendEntries (delayed from an earlier
            // term) with its current term, naming indexes of that older log (simulation seed 2019854). Taken, they
            // would move matchIndex or nextIndex past our log.
            staleResponses++;
            return null;
        }
        switch (type) {
            case MessageType.APPEND_ENTRIES:
                appendEntriesHandler.onAppendEntries(fromNodeId, in.appendEntries);
                break;
            case MessageType.APPEND_RESPONSE:
                appendResponseHandler.onAppendResponse(fromNodeId, in.appendResponse);
                break;
            case MessageType.VOTE_REQUEST:
                voteRequestHandler.onVoteRequest(fromNodeId, in.voteRequest);
                break;
            case MessageType.VOTE_RESPONSE:
                voteResponseHandler.onVoteResponse(fromNodeId, in.voteResponse);
                break;
            case MessageType.HEARTBEAT:
                heartbeatHandler.onHeartbeat(fromNodeId, in.heartbeat);
                break;
            case MessageType.INSTALL_SNAPSHOT:
                installSnapshotHandler.onInstallSnapshot(fromNodeId, in.installSnapshot);
                break;
            case MessageType.INSTALL_SNAPSHOT_RESPONSE:
                installSnapshotResponseHandler.onInstallSnapshotResponse(fromNodeId, in.installSnapshotResponse);
                break;
            case MessageType.READ_INDEX:
                s.reads.onRequest(fromNodeId, in.readIndex.requestId());
                break;
            case MessageType.READ_INDEX_RESPONSE:
                s.reads.onResponse(fromNodeId, in.readIndex.requestId(), in.readIndex.readIndex(),
                    in.readIndex.code());
                break;
            case MessageType.TIMEOUT_NOW:
                if (s.role == Role.FOLLOWER && fromNodeId == s.leaderId && s.mayCampaign()) {
                    // Thesis §3.10: the leader hands over; campaign now, no pre-vote, and say why.
                    s.becomeCandidate(true);
                }
                break;
            default:
                heartbeatResponseHandler.onHeartbeatResponse(fromNodeId, in.heartbeat.secondField(),
                    in.heartbeat.round());
                break;
        }
        return null;
    }

    /**
     * Whether an answer in our term names an index beyond our log. A leader's log only grows during its term, so an
     * answer to an AppendEntries of this leadership never does; one that does answers an older leader's request
     * (issue 9: no index arithmetic past the log).
     */
    private boolean beyondOurLog(AppendResponseCodec m) {
        final long last = s.log.lastIndex();
        return m.success() ? m.matchIndex() > last || m.lastLogIndex() > last : m.rejectedIndex() > last;
    }

    /** Answers ignored because their sender is not a member of this node's configuration (for tests and reports). */
    public long nonMemberAnswers() {
        return nonMemberAnswers;
    }

    /** AppendResponses ignored because they answered an older leadership's requests (for tests and reports). */
    public long staleResponses() {
        return staleResponses;
    }

    /**
     * §5.1 term rules, with the pre-vote and check-quorum refinements of thesis §9.6 / etcd raft.
     * Returns true if the message should reach its handler.
     */
    private boolean passTermGate(int from, int type, long msgTerm) {
        if (msgTerm > s.term) {
            if (type == MessageType.VOTE_REQUEST) {
                if (s.inLease() && !(in.voteRequest.transfer() && !in.voteRequest.preVote())) {
                    // A leader was heard from recently: a disruptive candidate is ignored (thesis §4.2.3), unless
                    // that leader asked for this election (a leadership transfer, thesis §3.10).
                    return false;
                }
                if (in.voteRequest.preVote()) {
                    return true; // a pre-vote never changes our term
                }
            }
            if (type == MessageType.VOTE_RESPONSE && in.voteResponse.preVote() && in.voteResponse.granted()) {
                return true; // a granted pre-vote carries the term we would campaign in
            }
            final boolean fromLeader = type == MessageType.APPEND_ENTRIES || type == MessageType.HEARTBEAT;
            final boolean waiting = s.role == Role.FOLLOWER || s.role == Role.PRE_CANDIDATE;
            final long deadline = s.electionDeadlineNs;
            s.becomeFollower(msgTerm, fromLeader ? from : RaftState.NO_NODE);
            if (!fromLeader && waiting) {
                // §5.2 / Figure 2: only a leader's AppendEntries or a granted vote resets the election timer, not a
                // newer term. A node whose log is too far ahead to vote for the candidates around it must still
                // time out and campaign itself, though they keep raising the term (a removed member that never hears
                // of its removal does forever without pre-vote: simulation seed 1084761). A vote granted below
                // resets it as before.
                s.electionDeadlineNs = deadline;
            }
            return true;
        }
        if (msgTerm < s.term) {
            // Tell a stale leader or pre-candidate about the newer term so it steps down.
            if (type == MessageType.APPEND_ENTRIES) {
                s.sender.sendAppendResponse(from, s.term, false, 0, in.appendEntries.prevLogIndex(),
                    LogStore.NULL_VALUE, s.log.lastIndex() + 1, s.log.lastIndex());
            } else if (type == MessageType.HEARTBEAT) {
                s.sender.sendHeartbeatResponse(from, s.term, s.log.lastIndex(), 0);
            } else if (type == MessageType.VOTE_REQUEST && in.voteRequest.preVote()) {
                s.sender.sendVoteResponse(from, s.term, false, true);
            }
            return false;
        }
        return true;
    }

    /**
     * Leader: appends the entry (copying the bytes) and returns its index (> 0). Otherwise returns
     * {@code -code.ordinal()} of NOT_LEADER, INVALID (empty or larger than maxEntryBytes) or
     * REJECTED_BUSY (pending proposal or uncommitted byte cap, or the log store cannot take it without
     * waiting); nothing is appended then. The entry is
     * sent to followers on the next {@link #flush()}.
     */
    public long propose(DirectBuffer data, int offset, int length, long tag) {
        if (s.role != Role.LEADER) {
            return -ResultCode.NOT_LEADER.ordinal();
        }
        if (length <= 0 || length > s.config.maxEntryBytes) {
            return -ResultCode.INVALID.ordinal();
        }
        if (s.transferTarget != RaftState.NO_NODE) {
            return -ResultCode.LEADERSHIP_TRANSFER.ordinal();
        }
        final PendingProposals pending = s.pending;
        if (pending.size() >= s.config.maxPendingProposals
            || pending.bytes() + length > s.config.maxUncommittedBytes
            || !s.log.hasCapacity(length)) {
            return -ResultCode.REJECTED_BUSY.ordinal();
        }
        final long index = s.log.lastIndex() + 1;
        s.log.append(index, s.term, data, offset, length);
        pending.add(index, s.term, tag, s.nowNs + s.config.proposalTimeoutNs, length);
        return index;
    }

    /**
     * Leader: starts a change to the configuration {@code target} (thesis §4) and returns the index of its entry
     * (> 0); the outcome comes through {@link EngineListener#onProposalResult} under {@code tag} once that entry is
     * committed. A change of at most one voter (adding or removing one, promoting a learner; learners may change
     * freely alongside) is one entry. A larger change goes through joint consensus (thesis §4.3): the returned
     * entry is the joint configuration, and once it commits the leader appends {@code target} by itself. Either way
     * the configuration takes effect on every node as soon as its entry is in the node's log.
     * Refused with {@code -ordinal} of NOT_LEADER, LEADERSHIP_TRANSFER, INVALID (a joint or unchanged target, or a
     * joint change that makes a voter a learner: remove it, then add it as a learner),
     * REJECTED_BUSY, or MEMBERSHIP_CHANGE_PENDING: the previous change is not committed (or its joint configuration
     * not left yet), or this leader has not committed an entry of its own term yet (the fix for single-server
     * changes, thesis §4.1 errata).
     */
    public long proposeMembership(Membership target, long tag) {
        if (s.role != Role.LEADER) {
            return -ResultCode.NOT_LEADER.ordinal();
        }
        if (s.transferTarget != RaftState.NO_NODE) {
            return -ResultCode.LEADERSHIP_TRANSFER.ordinal();
        }
        final Membership current = s.membership;
        if (s.configs.currentIndex() > s.commitIndex || current.isJoint() || s.commitIndex < s.reads.termStart()) {
            return -ResultCode.MEMBERSHIP_CHANGE_PENDING.ordinal();
        }
        if (target.isJoint() || target.sameMembers(current)) {
            return -ResultCode.INVALID.ordinal();
        }
        final PendingProposals pending = s.pending;
        if (pending.size() >= s.config.maxPendingProposals) {
            return -ResultCode.REJECTED_BUSY.ordinal();
        }
        final Membership entry;
        try {
            entry = target.votersChangedFrom(current) <= 1 ? target : current.jointTo(target);
        } catch (IllegalArgumentException e) {
            return -ResultCode.INVALID.ordinal(); // a voter made a learner in a joint change: demote in two steps
        }
        final long index = s.appendConfiguration(entry);
        pending.add(index, s.term, tag, s.nowNs + s.config.proposalTimeoutNs, 0);
        return index;
    }

    /** The configuration in effect on this node: the newest in its log (committed or not), else its snapshot's. */
    public Membership membership() {
        return s.membership;
    }

    /** Index of the entry that holds {@link #membership()} (0 for the configuration the cluster started with). */
    public long membershipIndex() {
        return s.configs.currentIndex();
    }

    /** The configuration in effect at {@code index} (for a snapshot taken there; at or above the latest snapshot). */
    public Membership membershipAt(long index) {
        return s.configs.at(index);
    }

    /**
     * Reads the log's durable index: a leader may commit; a follower answers in {@link #flush()}. Returns
     * work done.
     */
    public int onDurable() {
        final long durable = s.log.durableIndex();
        if (durable == lastDurableIndex) {
            return 0;
        }
        lastDurableIndex = durable;
        if (s.role == Role.LEADER) {
            s.maybeCommit();
        }
        return 1;
    }

    /**
     * End of a duty cycle's inputs: a leader sends pending AppendEntries (batched, pipelined); a follower
     * sends one AppendResponse for the AppendEntries it took, once they are durable (see
     * {@code RaftState.flushAck}). Returns messages sent.
     */
    public int flush() {
        if (s.role != Role.LEADER) {
            return s.flushAck() + s.reads.flush();
        }
        s.maybeCommit();
        if (s.role != Role.LEADER) {
            return 0; // the leader stepped down: the change that removed it committed
        }
        int work = 0;
        if (s.reads.roundWanted) {
            broadcastHeartbeat(); // one round for every read queued in this cycle
            work++;
        }
        work += s.replicate();
        s.maybeSendTimeoutNow();
        return work;
    }

    /**
     * A linearizable read (thesis §6.4) under {@code tag}; {@code lease}: a lease read (needs
     * {@code RaftConfig.leaseReads}). Returns 0 if taken: the outcome comes through
     * {@link EngineListener#onReadIndex}, at once or after a heartbeat round (a follower asks the leader). Else
     * {@code -ordinal} of NOT_LEADER (no leader known, or a lease read on a follower), LEASE_EXPIRED or
     * LEADERSHIP_TRANSFER.
     */
    public int requestRead(long tag, boolean lease) {
        return s.reads.request(tag, lease);
    }

    /** Reads waiting for a heartbeat round or the leader's answer (for tests and reports). */
    public int pendingReads() {
        return s.reads.pending();
    }

    /**
     * Leader: hands leadership to {@code target} (thesis §3.10). Proposals and reads are refused with
     * LEADERSHIP_TRANSFER while it lasts; once the target's log matches, it gets TimeoutNow and campaigns at once.
     * The end comes through {@link EngineListener#onTransferEnded}: when the target leads, or after
     * {@code transferTimeoutNs}. Returns 0 if started (or already under way to {@code target}), else
     * {@code -ordinal} of NOT_LEADER, INVALID (not another member) or LEADERSHIP_TRANSFER (one to another member
     * is under way).
     */
    public int transferLeadership(int target) {
        if (s.role != Role.LEADER) {
            return -ResultCode.NOT_LEADER.ordinal();
        }
        if (target == s.nodeId || s.progress(target) == null || !s.progress(target).voter) {
            return -ResultCode.INVALID.ordinal(); // not another member, or a learner (it cannot lead)
        }
        if (s.transferTarget != RaftState.NO_NODE) {
            return s.transferTarget == target ? 0 : -ResultCode.LEADERSHIP_TRANSFER.ordinal();
        }
        s.transferTarget = target;
        s.transferDeadlineNs = s.nowNs + s.config.transferTimeoutNs;
        s.timeoutNowSent = false;
        s.maybeSendTimeoutNow();
        return 0;
    }

    /** Leader: how many followers there are (the members but this node); see {@link #followerId}. */
    public int followerCount() {
        return s.peers.length;
    }

    /** The id of follower {@code i} (0 .. followerCount - 1). */
    public int followerId(int i) {
        return s.peers[i].nodeId;
    }

    /** Leader: the highest index known to match on follower {@code i} (0 when this node does not lead). */
    public long followerMatchIndex(int i) {
        return s.role == Role.LEADER ? s.peers[i].matchIndex : 0;
    }

    /** Leader: the next index to send to follower {@code i}. */
    public long followerNextIndex(int i) {
        return s.peers[i].nextIndex;
    }

    /** Whether this node may start an election (see {@code RaftState.mayCampaign}). */
    public boolean mayCampaign() {
        return s.mayCampaign();
    }

    /** Whether follower {@code i} votes (false: a learner). */
    public boolean followerVoter(int i) {
        return s.peers[i].voter;
    }

    /** Leader: how follower {@code i} replicates: PROBE, REPLICATE or SNAPSHOT. */
    public String followerState(int i) {
        switch (s.peers[i].state) {
            case Progress.REPLICATE: return "REPLICATE";
            case Progress.SNAPSHOT: return "SNAPSHOT";
            default: return "PROBE";
        }
    }

    /** Elections this node started (each a term it campaigned in; pre-votes that failed are not counted). */
    public long electionsStarted() {
        return s.electionsStarted;
    }

    /** How often this node's term changed since it started. */
    public long termChanges() {
        return s.termChanges;
    }

    /** How often the leader this node knows of changed (to another node or to none). */
    public long leaderChanges() {
        return s.leaderChanges;
    }

    /** Why the term last changed ({@link io.pontoon.ChangeReason#NONE} before the first change). */
    public io.pontoon.ChangeReason lastTermChangeReason() {
        return s.lastTermChangeReason;
    }

    /** Why the known leader last changed ({@link io.pontoon.ChangeReason#NONE} before the first change). */
    public io.pontoon.ChangeReason lastLeaderChangeReason() {
        return s.lastLeaderChangeReason;
    }

    /** Why this node has its current role: its campaign's reason while it campaigns or leads, else the last leader change's. */
    public io.pontoon.ChangeReason roleReason() {
        return s.role == Role.FOLLOWER ? s.lastLeaderChangeReason : s.campaignCause;
    }

    /** Follower: bytes received of the snapshot being installed (0 when none is under way). */
    public long installReceivedBytes() {
        return s.incoming.sink == null ? 0 : s.incoming.received;
    }

    /** Follower: total size of the snapshot being installed (0 when none is under way). */
    public long installTotalBytes() {
        return s.incoming.sink == null ? 0 : s.incoming.totalBytes;
    }

    /** Leader: AppendEntries messages in flight to follower {@code i} (its window's occupancy). */
    public int followerInflight(int i) {
        return s.peers[i].inflightCount();
    }

    /** The member a leadership transfer is under way to, or 0. */
    public int transferTarget() {
        return s.transferTarget;
    }

    /**
     * Delivers up to {@code maxEntries} committed entries to the listener in index order, then resolves
     * the proposals they settle. Returns the number of entries applied.
     */
    public int applyCommitted(int maxEntries) {
        final long target = Math.min(s.commitIndex, s.lastApplied + maxEntries);
        int applied = 0;
        while (s.lastApplied < target) {
            final long index = s.lastApplied + 1;
            final int length = s.log.payloadLength(index);
            if (length > 0 && !s.listener.canApply(length)) {
                break; // the consumer is full: this entry is offered again next cycle
            }
            if (!s.log.read(index, applyReader)) {
                throw new IllegalStateException("node " + s.nodeId + " has no entry " + index
                    + " to apply (commitIndex " + s.commitIndex + ", firstIndex " + s.log.firstIndex() + ")");
            }
            s.lastApplied = index;
            applied++;
        }
        if (applied > 0) {
            s.listener.onApplied(s.lastApplied);
        }
        final PendingProposals pending = s.pending;
        while (pending.size() > 0 && pending.headIndex() <= s.lastApplied) {
            final long index = pending.headIndex();
            final long tag = pending.headTag();
            final long proposedTerm = pending.headTerm();
            final long committedTerm = s.termAt(index);
            pending.removeHead();
            // A snapshot from the leader may have replaced the log that held the entry: its term is then unknown.
            s.listener.onProposalResult(tag, committedTerm == LogStore.NULL_VALUE ? ResultCode.TIMEOUT
                : committedTerm == proposedTerm ? ResultCode.OK : ResultCode.LEADERSHIP_LOST, index);
        }
        return applied;
    }

    /**
     * Reports {@link ResultCode#CLOSED} for every pending proposal and read (and ends a transfer); call when the node
     * shuts down.
     */
    public void abandonPending() {
        final PendingProposals pending = s.pending;
        while (pending.size() > 0) {
            final long tag = pending.headTag();
            final long index = pending.headIndex();
            pending.removeHead();
            s.listener.onProposalResult(tag, ResultCode.CLOSED, index);
        }
        s.reads.abandon();
        s.endTransfer(false);
    }

    /**
     * The caller took a snapshot of the state machine at {@code meta.index()} (at most the last applied index) and
     * committed it to the SnapshotStore. It becomes the snapshot this node sends to followers that fall behind the
     * log, and the log is compacted up to the previous snapshot: one snapshot back, so that if the newest one is
     * found damaged at the next start, the previous one and the log still cover everything. A leader also keeps
     * the entries after any snapshot it is still sending: the follower installing it continues from there with
     * AppendEntries, instead of needing a newer snapshot once it is done (an install that takes longer than the
     * snapshot interval would otherwise never end: SOFAJRaft #80, hashicorp/raft #212).
     */
    public void onSnapshotTaken(SnapshotMeta meta) {
        if (meta.index() > s.lastApplied) {
            throw new IllegalArgumentException("node " + s.nodeId + ": a snapshot at index " + meta.index()
                + " is past the last applied index " + s.lastApplied);
        }
        final SnapshotMeta previous = s.snapshot;
        if (previous != null && meta.index() <= previous.index()) {
            return;
        }
        s.setSnapshot(meta);
        s.configs.rebase(meta.index(), meta.membership());
        s.useMembership(s.configs.current()); // the same configuration, but known from the snapshot's index now
        if (previous != null) {
            s.log.deleteBefore(Math.min(previous.index() + 1, s.installingFloor()));
        }
    }

    /** The latest snapshot this node has (started from, took or installed), or null. */
    public SnapshotMeta snapshot() {
        return s.snapshot;
    }

    /** Leader: times a follower needed entries no snapshot covers (it cannot catch up). */
    public long strandedFollowers() {
        return s.stranded;
    }

    /** Lets go of snapshots being sent or received (their files stay in, or leave, the store as it decides). */
    public void close() {
        s.closeOutgoing();
        s.closeIncoming();
    }

    public int nodeId() {
        return s.nodeId;
    }

    public Role role() {
        return s.role;
    }

    public long term() {
        return s.term;
    }

    public int votedFor() {
        return s.votedFor;
    }

    /** The known leader's id, or 0 if none is known. */
    public int leaderId() {
        return s.leaderId;
    }

    public long commitIndex() {
        return s.commitIndex;
    }

    public long lastApplied() {
        return s.lastApplied;
    }

    public LogStore log() {
        return s.log;
    }

    /** Number of proposals accepted by this node whose outcome is not yet known. */
    public int pendingProposals() {
        return s.pending.size();
    }
}
