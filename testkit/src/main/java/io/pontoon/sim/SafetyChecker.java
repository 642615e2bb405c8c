package io.pontoon.sim;

import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.engine.RaftEngine;
import io.pontoon.spi.Membership;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * The Raft safety properties (paper Figure 3) and the proposal-outcome contract, checked incrementally
 * after every simulator step, so a violation is reported at the step that caused it.
 *
 * <ul>
 *   <li>Election safety: at most one leader per term, ever ({@link #leaderOfTerm}).</li>
 *   <li>Leader append-only: a leader never removes entries from its log during its term.</li>
 *   <li>Log matching: the first time any node holds an entry at (index, term) its payload hash and the
 *       term of the entry before it are recorded; every later (index, term) entry on any node must agree.
 *       By induction on the index this is the Log Matching Property.</li>
 *   <li>Figure 8 (§5.4.2): a leader's commitIndex only ever advances onto an entry of its own term.</li>
 *   <li>Leader completeness: a node seen as leader of term T for the first time must hold every entry
 *       committed in a term up to T (the committed map is learned from every node's commitIndex).</li>
 *   <li>State machine safety: every entry a node applies equals the committed entry at that index; each
 *       incarnation applies every committed non-empty entry exactly once, in index order.</li>
 *   <li>Durability: an entry is durable on a majority when it is first seen committed, and no node
 *       truncates a committed entry on the word of a leader of the commit term or later; term and vote
 *       are durable (MetaStore) whenever the engine acts.</li>
 *   <li>Proposal honesty: OK only for an entry committed at its index; LEADERSHIP_LOST only for one that
 *       is never committed; exactly one outcome per accepted proposal.</li>
 * </ul>
 * Violations are thrown as {@link Violation}; the simulator adds the seed and the trace.
 */
final class SafetyChecker implements SimLogStore.AppendObserver {
    static final long EMPTY_HASH = Payloads.hash(new byte[0]);

    /** A broken invariant; the simulator turns it into a {@link SimulationFailure}. */
    static final class Violation extends RuntimeException {
        final String invariant;

        Violation(String invariant, String details) {
            super(details, null, false, false);
            this.invariant = invariant;
        }
    }

    private final Simulation sim;
    private int[] leaderOfTerm = new int[64];
    private long[] committedTerm = new long[256];
    private long[] committedHash = new long[256];
    private long[] committedId = new long[256];
    /** Term of the node that first reported the index committed: an upper bound of the commit term. */
    private long[] commitTerm = new long[256];
    private long maxCommitted;
    /** Per index: (term, hash, prevTerm) triples of every entry ever appended there on any node. */
    private long[][] seenAt = new long[256][];
    private final ArrayList<Proposal> proposals = new ArrayList<>();
    private int firstUnresolved;
    /**
     * The two checks that look into a node's storage ("persist before act", "durable before commit"). Off,
     * only end-to-end invariants remain: the mutant tests switch them off to show that aimed crashes make
     * election safety or state machine safety catch a storage bug on their own.
     */
    boolean directStorageChecks = true;
    long elections;
    long committedPayloads;
    long outcomesOk;
    /** The highest index of a write acknowledged (OK) so far: a read that starts now must return at least it. */
    private long maxAcknowledged;
    /** Reads started, answered OK, and refused or failed. */
    long readsStarted;
    long readsOk;
    long readsFailed;
    private final java.util.Map<Long, long[]> openReads = new java.util.HashMap<>();
    long outcomesLost;
    long outcomesTimeout;

    SafetyChecker(Simulation sim, int nodes) {
        this.sim = sim;
    }

    static Violation violation(String invariant, String details) {
        return new Violation(invariant, details);
    }

    // ------------------------------------------------------------------ membership (thesis §4)

    /** The newest configuration committed anywhere, and the index of its entry (0: the starting one). */
    private Membership committedMembership;
    private long committedMembershipIndex;
    long membershipCommits;

    void onInitialMembership(Membership m) {
        committedMembership = m;
        committedMembershipIndex = 0;
    }

    void onMembershipCommitted(SimNode n, long index, Membership m) {
        if (index > committedMembershipIndex) {
            committedMembership = m;
            committedMembershipIndex = index;
            membershipCommits++;
        }
    }

    /**
     * A leader appends a configuration entry (checked before it takes effect): one change at a time, after an entry
     * of its own term committed (thesis §4.1 and its errata), and the new configuration shares a member with every
     * quorum of the one it follows (no two disjoint quorums; thesis §4.2, §4.3).
     */
    @Override
    public void onConfigurationAppend(int nodeId, long index, long term, Membership next) {
        final SimNode n = sim.node(nodeId);
        final RaftEngine e = n.engine;
        if (e == null || e.role() != Role.LEADER || e.term() != term) {
            return; // a follower copying the leader's entry
        }
        final Membership previous = e.membership();
        if (e.commitIndex() < e.membershipIndex() || n.log.termAt(e.commitIndex()) != term) {
            throw violation("one membership change at a time", "n" + nodeId + " leader of term " + term
                + " appends " + next.describe() + " at " + index + " while its configuration " + previous.describe()
                + " (entry " + e.membershipIndex() + ") or its own term is not committed (commit " + e.commitIndex()
                + ")");
        }
        if (!quorumsOverlap(previous, next)) {
            throw violation("no two disjoint quorums", "n" + nodeId + " leader of term " + term + " goes from "
                + previous.describe() + " to " + next.describe() + " at " + index
                + ": a quorum of each could decide without the other");
        }
    }

    /** Whether every quorum of {@code a} shares a node with every quorum of {@code b} (brute force, small clusters). */
    static boolean quorumsOverlap(Membership a, Membership b) {
        final java.util.TreeSet<Integer> all = new java.util.TreeSet<>();
        for (Membership m : new Membership[] {a, b}) {
            for (int id : m.voters()) {
                all.add(id);
            }
            for (int id : m.outgoingVoters()) {
                all.add(id);
            }
        }
        final Integer[] ids = all.toArray(new Integer[0]);
        if (ids.length > 16) {
            return true; // not checked: the simulator runs small clusters
        }
        for (int mask = 0; mask < 1 << ids.length; mask++) {
            final java.util.Set<Integer> side = new java.util.HashSet<>();
            final java.util.Set<Integer> rest = new java.util.HashSet<>();
            for (int k = 0; k < ids.length; k++) {
                ((mask & 1 << k) != 0 ? side : rest).add(ids[k]);
            }
            if (isQuorum(a, side) && isQuorum(b, rest)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code nodes} holds a majority of every voter set of {@code m}. */
    static boolean isQuorum(Membership m, java.util.Set<Integer> nodes) {
        return majority(m.voters(), nodes) && (!m.isJoint() || majority(m.outgoingVoters(), nodes));
    }

    private static boolean majority(int[] voters, java.util.Set<Integer> nodes) {
        int in = 0;
        for (int id : voters) {
            in += nodes.contains(id) ? 1 : 0;
        }
        return in >= voters.length / 2 + 1;
    }

    // ------------------------------------------------------------------ log matching (on every append)

    @Override
    public void onAppend(int nodeId, long index, long term, long prevTerm, long hash, long proposalId) {
        final int i = (int) index;
        if (i >= seenAt.length) {
            seenAt = Arrays.copyOf(seenAt, Math.max(i + 1, seenAt.length * 2));
        }
        long[] triples = seenAt[i];
        if (triples == null) {
            seenAt[i] = new long[] {term, hash, prevTerm};
        } else {
            boolean found = false;
            for (int k = 0; k < triples.length; k += 3) {
                if (triples[k] == term) {
                    found = true;
                    if (triples[k + 1] != hash || triples[k + 2] != prevTerm) {
                        throw violation("log matching", "n" + nodeId + " appended index " + index + " term " + term
                            + " (payload hash " + Long.toHexString(hash) + ", previous entry term " + prevTerm
                            + ") but another log holds index " + index + " term " + term + " with payload hash "
                            + Long.toHexString(triples[k + 1]) + ", previous entry term " + triples[k + 2]);
                    }
                }
            }
            if (!found) {
                triples = Arrays.copyOf(triples, triples.length + 3);
                triples[triples.length - 3] = term;
                triples[triples.length - 2] = hash;
                triples[triples.length - 1] = prevTerm;
                seenAt[i] = triples;
            }
        }
        if (proposalId == -1) {
            throw violation("payload integrity", "n" + nodeId + " appended index " + index
                + " with a payload of 1..7 bytes, which no client proposed");
        }
        if (proposalId > 0) {
            final Proposal p = proposal(proposalId);
            if (p == null || p.hash != hash) {
                throw violation("payload integrity", "n" + nodeId + " appended index " + index
                    + " with a payload no client proposed (id " + proposalId + ")");
            }
            if (p.result != 0 && p.result != index) { // 0: the leader's own append inside propose()
                throw violation("payload integrity", "n" + nodeId + " appended " + p + " at index " + index
                    + " but the leader accepted it at index " + p.result);
            }
        }
    }

    /**
     * A node may drop a committed entry only on the word of a stale leader: one whose term is below the
     * term the entry was committed in (that leader can commit nothing, and the entry stays on the majority
     * that committed it, all in the newer term). Under a leader of the commit term or later it is a bug.
     */
    @Override
    public void onTruncate(int nodeId, long fromIndex, long lastIndex) {
        final SimNode n = sim.node(nodeId);
        final SimLogStore log = n.log;
        final long nodeTerm = n.engine != null ? n.engine.term() : Long.MAX_VALUE;
        final long end = Math.min(lastIndex, maxCommitted);
        for (long i = fromIndex; i <= end; i++) {
            if (commitTerm[(int) i] <= nodeTerm
                && log.termAt(i) == committedTerm[(int) i] && log.hashAt(i) == committedHash[(int) i]) {
                throw violation("committed entry truncated", "n" + nodeId + " in term " + nodeTerm
                    + " truncated its log from index " + fromIndex + " (last " + lastIndex + "), removing entry " + i
                    + " term " + committedTerm[(int) i] + ", committed in term " + commitTerm[(int) i]);
            }
        }
    }

    // ------------------------------------------------------------------ after every step of a node

    void afterStep(SimNode n) {
        final RaftEngine e = n.engine;
        final Role role = e.role();
        final long term = e.term();
        if (term < n.seenTerm) {
            throw violation("term monotonic", "n" + n.id + " term went back from " + n.seenTerm + " to " + term);
        }
        n.seenTerm = term;
        if (directStorageChecks && (n.meta.term() != term || n.meta.votedFor() != e.votedFor())) {
            throw violation("persist before act", "n" + n.id + " acts in term " + term + " with vote "
                + e.votedFor() + " but the MetaStore holds term " + n.meta.term() + " vote " + n.meta.votedFor());
        }
        final Membership config = e.membership();
        if (!config.isVoter(n.id) && (role == Role.PRE_CANDIDATE || role == Role.CANDIDATE)
            && !(e.membershipIndex() > e.commitIndex() && e.membershipAt(e.membershipIndex() - 1).isVoter(n.id))) {
            throw violation("learners never campaign", "n" + n.id + " is not a voter of " + config.describe()
                + " but is " + role + " in term " + term);
        }
        if (role == Role.LEADER && !config.isVoter(n.id) && e.commitIndex() >= e.membershipIndex()) {
            throw violation("removed leader steps down", "n" + n.id + " still leads term " + term + " although "
                + config.describe() + ", which does not count it, committed (entry " + e.membershipIndex() + ")");
        }
        if (role == Role.LEADER) {
            checkLeader(n, e, term);
        } else {
            n.leaderTerm = -1;
        }
        syncCommit(n);
        if (e.lastApplied() > e.commitIndex()) {
            throw violation("apply after commit", "n" + n.id + " lastApplied " + e.lastApplied()
                + " is above commitIndex " + e.commitIndex());
        }
    }

    private void checkLeader(SimNode n, RaftEngine e, long term) {
        if (term >= leaderOfTerm.length) {
            leaderOfTerm = Arrays.copyOf(leaderOfTerm, (int) Math.max(term + 1, leaderOfTerm.length * 2L));
        }
        final int known = leaderOfTerm[(int) term];
        if (known == 0) {
            leaderOfTerm[(int) term] = n.id;
            elections++;
        } else if (known != n.id) {
            throw violation("election safety", "n" + n.id + " and n" + known + " were both leader of term " + term);
        }
        if (e.leaderId() != n.id) {
            throw violation("leader identity", "n" + n.id + " is leader of term " + term + " but reports leaderId "
                + e.leaderId());
        }
        if (n.leaderTerm != term) {
            final Membership config = e.membership();
            if (!quorumsOverlap(config, committedMembership)) {
                throw violation("no two disjoint quorums", "n" + n.id + " leads term " + term + " under "
                    + config.describe() + ", which has a quorum disjoint from one of the committed configuration "
                    + committedMembership.describe());
            }
            n.leaderTerm = term;
            n.leaderTruncations = n.log.truncations();
            checkLeaderCompleteness(n, term);
        } else if (n.log.truncations() != n.leaderTruncations) {
            throw violation("leader append-only", "n" + n.id + " truncated its own log while leader of term " + term
                + " (log now ends at " + n.log.lastIndex() + ")");
        }
    }

    private void checkLeaderCompleteness(SimNode n, long term) {
        final long covered = n.engine.snapshot() == null ? 0 : n.engine.snapshot().index();
        for (int i = (int) covered + 1; i <= maxCommitted; i++) {
            if (commitTerm[i] > term) {
                continue; // committed by a later term: a stale leader of an old term need not hold it
            }
            if (n.log.termAt(i) != committedTerm[i] || n.log.hashAt(i) != committedHash[i]) {
                throw violation("leader completeness", "n" + n.id + " became leader of term " + term
                    + " but its entry " + i + " has term " + n.log.termAt(i) + " (hash "
                    + Long.toHexString(n.log.hashAt(i)) + "); the committed entry " + i + " has term "
                    + committedTerm[i] + " (hash " + Long.toHexString(committedHash[i]) + ")");
            }
        }
    }

    /** Learns the entries the node now reports committed and checks them against the committed map. */
    void syncCommit(SimNode n) {
        final RaftEngine e = n.engine;
        final long commitIndex = e.commitIndex();
        if (commitIndex == n.seenCommitIndex) {
            return;
        }
        if (commitIndex < n.seenCommitIndex) {
            throw violation("commit monotonic", "n" + n.id + " commitIndex went back from " + n.seenCommitIndex
                + " to " + commitIndex);
        }
        if (commitIndex > n.log.lastIndex()) {
            throw violation("commit within log", "n" + n.id + " commitIndex " + commitIndex
                + " is beyond its last log index " + n.log.lastIndex());
        }
        if (e.role() == Role.LEADER && n.log.termAt(commitIndex) != e.term()) {
            // §5.4.2, Figure 8: a leader commits only by counting replicas of a current-term entry.
            throw violation("leader commits only current-term entries", "n" + n.id + " leader of term " + e.term()
                + " advanced commitIndex from " + n.seenCommitIndex + " to " + commitIndex
                + " whose entry has term " + n.log.termAt(commitIndex));
        }
        // Entries a snapshot covers may be gone from the log; the snapshot's state was checked when it was restored.
        final long covered = e.snapshot() == null ? 0 : e.snapshot().index();
        for (long i = Math.max(n.seenCommitIndex, covered) + 1; i <= commitIndex; i++) {
            recordCommitted(n, (int) i, e.term());
        }
        n.seenCommitIndex = commitIndex;
    }

    private void recordCommitted(SimNode n, int i, long nodeTerm) {
        final long term = n.log.termAt(i);
        final long hash = n.log.hashAt(i);
        if (i <= maxCommitted) {
            if (committedTerm[i] != term || committedHash[i] != hash) {
                throw violation("state machine safety", "n" + n.id + " commits index " + i + " with term " + term
                    + " (hash " + Long.toHexString(hash) + ") but index " + i + " was already committed with term "
                    + committedTerm[i] + " (hash " + Long.toHexString(committedHash[i]) + ")");
            }
            return;
        }
        if (i != maxCommitted + 1) {
            throw violation("commit prefix", "n" + n.id + " commits index " + i + " before " + (maxCommitted + 1));
        }
        if (i >= committedTerm.length) {
            final int size = Math.max(i + 1, committedTerm.length * 2);
            committedTerm = Arrays.copyOf(committedTerm, size);
            committedHash = Arrays.copyOf(committedHash, size);
            committedId = Arrays.copyOf(committedId, size);
            commitTerm = Arrays.copyOf(commitTerm, size);
        }
        committedTerm[i] = term;
        committedHash[i] = hash;
        final long id = n.log.proposalIdAt(i);
        committedId[i] = id;
        commitTerm[i] = nodeTerm;
        maxCommitted = i;
        checkDurableOnMajority(n, i, term, hash);
        if (id > 0) {
            committedPayloads++;
            final Proposal p = proposal(id);
            p.committedIndex = i;
            if (p.outcome == ResultCode.LEADERSHIP_LOST) {
                throw violation("proposal honesty", p + " was reported LEADERSHIP_LOST but is now committed at "
                    + i + " (seen on n" + n.id + ")");
            }
        }
    }

    private void checkDurableOnMajority(SimNode n, int i, long term, long hash) {
        if (!directStorageChecks) {
            return;
        }
        if (n.engine.role() != Role.LEADER) {
            return; // learned from a leader, whose check ran when it committed
        }
        final Membership config = n.engine.membership();
        final java.util.Set<Integer> durable = new java.util.TreeSet<>();
        for (SimNode m : sim.nodes()) {
            final SimLogStore log = m.log;
            if (log.durableOnDisk() >= i && log.termAt(i) == term && log.hashAt(i) == hash) {
                durable.add(m.id);
            }
        }
        if (!isQuorum(config, durable)) {
            throw violation("durable before commit", "n" + n.id + " commits index " + i + " term " + term
                + " but it is durable only on " + durable + ", not a majority of " + config.describe());
        }
    }

    // ------------------------------------------------------------------ apply (listener.onCommit)

    void onApply(SimNode n, int incarnation, long lsn, long term, DirectBuffer buffer, int offset, int length) {
        if (incarnation != n.incarnation || n.engine == null) {
            throw violation("apply", "an engine of n" + n.id + " incarnation " + incarnation
                + " applied after it was discarded");
        }
        syncCommit(n);
        if (lsn <= n.lastAppliedLsn) {
            throw violation("state machine safety", "n" + n.id + " applied LSN " + lsn + " after LSN "
                + n.lastAppliedLsn + " (out of order or twice)");
        }
        if (lsn > n.seenCommitIndex) {
            throw violation("state machine safety", "n" + n.id + " applied LSN " + lsn
                + " above its commitIndex " + n.seenCommitIndex);
        }
        if (length == 0) {
            throw violation("state machine safety", "n" + n.id + " delivered the no-op at " + lsn + " to onCommit");
        }
        final long hash = Payloads.hash(buffer, offset, length);
        if (committedTerm[(int) lsn] != term || committedHash[(int) lsn] != hash) {
            throw violation("state machine safety", "n" + n.id + " applied LSN " + lsn + " term " + term + " hash "
                + Long.toHexString(hash) + " but the committed entry is term " + committedTerm[(int) lsn]
                + " hash " + Long.toHexString(committedHash[(int) lsn]));
        }
        for (long j = n.lastAppliedLsn + 1; j < lsn; j++) {
            if (committedHash[(int) j] != EMPTY_HASH && committedId[(int) j] != Payloads.CONFIGURATION_ID) {
                throw violation("state machine safety", "n" + n.id + " applied LSN " + lsn
                    + " but skipped committed non-empty entry " + j);
            }
        }
        n.lastAppliedLsn = lsn;
        n.appliedCount++;
        n.sm.apply(lsn, hash);
        checkStateMachine(n, lsn, "after applying LSN " + lsn);
    }

    // ------------------------------------------------------------------ state machines (snapshots)

    /** Expected state machine (count, hash) after the committed entries up to each index. */
    private long[] expectedCount = new long[256];
    private long[] expectedHash = new long[256];
    private long expectedUpTo;

    private void extendExpected(long index) {
        if (index >= expectedCount.length) {
            final int size = (int) Math.max(index + 1, expectedCount.length * 2L);
            expectedCount = Arrays.copyOf(expectedCount, size);
            expectedHash = Arrays.copyOf(expectedHash, size);
        }
        for (long i = expectedUpTo + 1; i <= index; i++) {
            final int k = (int) i;
            final boolean payload = committedHash[k] != EMPTY_HASH && committedId[k] != Payloads.CONFIGURATION_ID;
            expectedCount[k] = expectedCount[k - 1] + (payload ? 1 : 0);
            expectedHash[k] = payload ? SimStateMachine.mix(expectedHash[k - 1], committedHash[k]) : expectedHash[k - 1];
        }
        expectedUpTo = Math.max(expectedUpTo, index);
    }

    /**
     * Every node's state machine equals the one the committed log implies at {@code index}: the same count and
     * hash, whether it got there by applying entries or by restoring a snapshot (taken by itself or sent).
     */
    private void checkStateMachine(SimNode n, long index, String when) {
        if (index > maxCommitted) {
            throw violation("state machine equality", "n" + n.id + " has a state machine at index " + index + " "
                + when + ", beyond the highest committed index " + maxCommitted);
        }
        extendExpected(index);
        if (n.sm.count != expectedCount[(int) index] || n.sm.hash != expectedHash[(int) index]) {
            throw violation("state machine equality", "n" + n.id + " state machine " + when + " holds " + n.sm.count
                + " payloads, hash " + Long.toHexString(n.sm.hash) + "; the committed log up to index " + index
                + " gives " + expectedCount[(int) index] + " payloads, hash "
                + Long.toHexString(expectedHash[(int) index]));
        }
    }

    /** A node's state machine was restored from {@code meta} (at start, or from the leader's snapshot). */
    void onRestore(SimNode n, io.pontoon.spi.SnapshotMeta meta, String problem, String when) {
        if (problem != null) {
            throw violation("snapshot content", "n" + n.id + " restored " + meta + " " + when + ": " + problem);
        }
        checkStateMachine(n, meta.index(), "restored from " + meta + " " + when);
        n.lastAppliedLsn = meta.index();
    }

    // ------------------------------------------------------------------ proposals

    Proposal newProposal(SimNode n, long hash, int length, long nowNs) {
        final Proposal p = new Proposal(proposals.size() + 1, n.id, n.incarnation, hash, length, nowNs);
        proposals.add(p);
        return p;
    }

    Proposal proposal(long id) {
        return id >= 1 && id <= proposals.size() ? proposals.get((int) (id - 1)) : null;
    }

    void onProposeReturned(SimNode n, Proposal p, long result) {
        p.result = result;
        final Role role = n.engine.role();
        if (result > 0) {
            if (p.length == 0) {
                throw violation("propose contract", "n" + n.id + " accepted an empty proposal at index " + result);
            }
            if (role != Role.LEADER) {
                throw violation("propose contract", "n" + n.id + " accepted " + p + " as " + role);
            }
            if (n.log.hashAt(result) != p.hash) {
                throw violation("propose contract", "n" + n.id + " returned index " + result + " for " + p
                    + " but its log holds another entry there");
            }
            return;
        }
        if (result == 0 || -result >= ResultCode.values().length) {
            throw violation("propose contract", "n" + n.id + " propose returned " + result);
        }
        final ResultCode code = ResultCode.of((int) -result);
        final boolean expected = p.length > 0 ? code != ResultCode.INVALID
            : code == ResultCode.INVALID || (code == ResultCode.NOT_LEADER && role != Role.LEADER);
        if (!expected) {
            throw violation("propose contract", "n" + n.id + " answered " + code + " to a proposal of "
                + p.length + " bytes");
        }
        if (code == ResultCode.NOT_LEADER && role == Role.LEADER) {
            throw violation("propose contract", "n" + n.id + " answered NOT_LEADER while leader");
        }
        if (code == ResultCode.LEADERSHIP_TRANSFER && (role != Role.LEADER || n.engine.transferTarget() == 0)) {
            throw violation("propose contract", "n" + n.id + " answered LEADERSHIP_TRANSFER as " + role
                + " with no transfer under way");
        }
    }

    /**
     * A read starts on node {@code n} under {@code readId}: every write acknowledged until now must be in the
     * state it returns (linearizability of reads: its index is at least theirs).
     */
    void onReadStarted(SimNode n, long readId, long nowNs) {
        readsStarted++;
        openReads.put(readId, new long[] {n.id, maxAcknowledged, nowNs});
    }

    /** The engine's answer for a read; OK carries the read index. */
    void onReadIndex(SimNode n, long readId, ResultCode code, long index) {
        final long[] read = openReads.remove(readId);
        if (read == null || read[0] != n.id) {
            throw violation("read honesty", "n" + n.id + " answered read #" + readId + " which it was not asked or "
                + "had answered already");
        }
        if (code != ResultCode.OK) {
            readsFailed++;
            return;
        }
        readsOk++;
        if (index < read[1]) {
            throw violation("linearizable reads", "n" + n.id + " answered read #" + readId + " (started at "
                + Simulation.formatTime(read[2]) + ") with index " + index + ", but a write at index " + read[1]
                + " had been acknowledged before the read started: the read would miss it");
        }
    }

    /** A read the node refused at once (no answer will come). */
    void onReadRefused(long readId) {
        openReads.remove(readId);
        readsFailed++;
    }

    /** A node crashed: reads it had not answered get no answer (the client's call fails). */
    void onReadsLost(SimNode n) {
        openReads.values().removeIf(r -> r[0] == n.id);
    }

    void onProposalResult(SimNode n, int incarnation, long tag, ResultCode code, long index, long nowNs) {
        final Proposal p = proposal(tag);
        if (p == null || p.nodeId != n.id || p.incarnation != incarnation || !p.accepted()) {
            throw violation("proposal honesty", "n" + n.id + " reported " + code + " for tag " + tag
                + " which it did not accept: " + p);
        }
        if (p.outcome != null) {
            throw violation("proposal honesty", "n" + n.id + " reported " + code + " for " + p
                + " which already had an outcome");
        }
        p.outcome = code;
        p.outcomeIndex = index;
        p.outcomeAtNs = nowNs;
        switch (code) {
            case OK:
                outcomesOk++;
                maxAcknowledged = Math.max(maxAcknowledged, index);
                syncCommit(n);
                if (index != p.result || p.result > maxCommitted || committedId[(int) p.result] != p.id) {
                    throw violation("proposal honesty", "n" + n.id + " reported OK (index " + index + ") for " + p
                        + " but it is not committed there (highest committed index " + maxCommitted + ")");
                }
                break;
            case LEADERSHIP_LOST:
                outcomesLost++;
                if (p.committedIndex > 0) {
                    throw violation("proposal honesty", "n" + n.id + " reported LEADERSHIP_LOST for " + p
                        + " which is committed");
                }
                break;
            case TIMEOUT:
                outcomesTimeout++;
                break;
            default:
                throw violation("proposal honesty", "n" + n.id + " reported " + code + " for accepted " + p);
        }
    }

    /** The node crashed: its pending proposals will get no outcome from that incarnation. */
    void onCrash(SimNode n) {
        for (int k = firstUnresolved; k < proposals.size(); k++) {
            final Proposal p = proposals.get(k);
            if (p.nodeId == n.id && p.incarnation == n.incarnation && p.accepted() && p.outcome == null) {
                p.abandoned = true;
            }
        }
    }

    /**
     * Returns the first accepted proposal on a live incarnation still without an outcome, or null; with
     * {@code deadlineNs}, throws if such a proposal was made more than proposalTimeoutNs before it.
     */
    Proposal firstPending(long timeoutNs, long slackNs, long nowNs, boolean enforce) {
        while (firstUnresolved < proposals.size()) {
            final Proposal p = proposals.get(firstUnresolved);
            if (!p.accepted() || p.outcome != null || p.abandoned) {
                firstUnresolved++;
            } else {
                break;
            }
        }
        for (int k = firstUnresolved; k < proposals.size(); k++) {
            final Proposal p = proposals.get(k);
            if (p.accepted() && p.outcome == null && !p.abandoned) {
                if (enforce && nowNs - p.proposedAtNs > timeoutNs + slackNs) {
                    throw violation("proposal never hangs", p + " accepted at " + Simulation.formatTime(p.proposedAtNs)
                        + " has no outcome at " + Simulation.formatTime(nowNs) + " (proposalTimeoutNs "
                        + timeoutNs + ")");
                }
                return p;
            }
        }
        return null;
    }

    long maxCommitted() {
        return maxCommitted;
    }

    long committedTerm(long index) {
        return index <= maxCommitted ? committedTerm[(int) index] : 0;
    }

    long committedId(long index) {
        return index <= maxCommitted ? committedId[(int) index] : 0;
    }

    int leaderOfTerm(long term) {
        return term < leaderOfTerm.length ? leaderOfTerm[(int) term] : 0;
    }

    int proposalCount() {
        return proposals.size();
    }
}
