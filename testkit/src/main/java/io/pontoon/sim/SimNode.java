package io.pontoon.sim;

import io.pontoon.Role;
import io.pontoon.engine.RaftEngine;
import io.pontoon.memory.InMemoryMetaStore;
import io.pontoon.memory.InMemorySnapshotStore;

/**
 * One simulated server: its disk (log and meta stores, which survive crashes) and, while it is up, its
 * engine. Each restart is a new incarnation with a new engine over the same stores.
 */
public final class SimNode {
    final int id;
    final SimLogStore log;
    final InMemoryMetaStore meta = new InMemoryMetaStore();
    /** Its snapshots: committed ones survive crashes, a snapshot not yet committed does not. */
    final InMemorySnapshotStore snapshots = new InMemorySnapshotStore(2);
    /** The state machine of the current incarnation (restored from the latest snapshot at start). */
    final SimStateMachine sm = new SimStateMachine();
    RaftEngine engine;
    int incarnation;
    boolean ticksPaused;
    /** The virtual time the node's clock froze at when its ticks were paused. */
    long pausedAtNs;
    boolean diskHeld;
    /** Highest write sequence for which a disk completion is scheduled. */
    long scheduledWriteSeq;
    /** Disk completions are FIFO: none completes before an earlier one. */
    long lastDiskCompletionNs;
    /** Extra disk latency while this node has a slow disk (chaos). */
    long slowDiskNs;
    /** Its log store reports a failure (a failed fsync): the next duty cycle fail-stops the node. */
    boolean logFailing;
    /** Its MetaStore's saves throw (a term or vote that cannot be persisted). */
    boolean metaFailing;
    /** Fail-stopped: down, and not restarted until repaired ({@link Simulation#repairAndRestart}). */
    boolean failed;
    /** AppendResponses and VoteResponses sent, ever (aimed crashes fall just after one). */
    long responsesSent;
    /** The disk just made more entries durable; the next duty cycle publishes them (an aimed crash moment). */
    boolean durableAdvanced;
    /** Snapshots installed from a leader, ever. */
    long snapshotsInstalled;

    // Checker state for the current incarnation.
    long seenCommitIndex;
    long lastAppliedLsn;
    long appliedCount;
    long seenTerm;
    long leaderTerm = -1;
    long leaderTruncations;

    SimNode(int id, SimLogStore.AppendObserver observer) {
        this.id = id;
        this.log = new SimLogStore(id, observer);
    }

    public int id() {
        return id;
    }

    public boolean isUp() {
        return engine != null;
    }

    /** True once the node fail-stopped on a storage fault, until it is repaired. */
    public boolean isFailed() {
        return failed;
    }

    /** The engine of the current incarnation; null while the node is down. */
    public RaftEngine engine() {
        return engine;
    }

    public SimLogStore log() {
        return log;
    }

    public InMemoryMetaStore meta() {
        return meta;
    }

    public InMemorySnapshotStore snapshots() {
        return snapshots;
    }

    /** Count of payloads the state machine holds (applied, or restored from a snapshot). */
    public long stateMachineCount() {
        return sm.count;
    }

    public Role role() {
        return engine == null ? null : engine.role();
    }

    /** Highest LSN delivered to onCommit in this incarnation. */
    public long lastAppliedLsn() {
        return lastAppliedLsn;
    }

    String describe() {
        final StringBuilder sb = new StringBuilder().append('n').append(id);
        if (engine == null) {
            sb.append(" DOWN");
        } else {
            sb.append(' ').append(engine.role()).append(" term=").append(engine.term())
                .append(" vote=").append(engine.votedFor()).append(" leader=").append(engine.leaderId())
                .append(" commit=").append(engine.commitIndex()).append(" applied=").append(engine.lastApplied());
        }
        sb.append(" last=").append(log.lastIndex()).append('/').append(log.lastTerm())
            .append(" first=").append(log.firstIndex())
            .append(" durable=").append(log.durableOnDisk())
            .append(" snap=").append(snapshots.latest() == null ? 0 : snapshots.latest().index())
            .append(" meta=").append(meta.term()).append('/').append(meta.votedFor())
            .append(" inc=").append(incarnation);
        if (diskHeld) {
            sb.append(" disk-held");
        }
        if (ticksPaused) {
            sb.append(" ticks-paused");
        }
        return sb.toString();
    }
}
