package io.pontoon.engine;

import io.pontoon.protocol.InstallSnapshotCodec;
import io.pontoon.protocol.InstallSnapshotResponseCodec;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Follower side of InstallSnapshot (thesis §5.3, Figure 5.3): chunks are written to the SnapshotStore in order as
 * they arrive (never held whole in memory), checked against the leader's CRC32C, committed durably, and only then
 * installed: the log is reset to start after the snapshot unless it already holds the snapshot's last entry, and
 * the state machine is restored ({@link EngineListener#onSnapshotInstalled}). A partial transfer survives a broken
 * connection or a change of leader (it resumes if the same snapshot bytes are sent again, identified by index,
 * term, size and checksum); a crash loses it and the leader starts over.
 */
final class InstallSnapshotHandler {
    private final RaftState s;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer copy = ByteBuffer.allocateDirect(0);

    InstallSnapshotHandler(RaftState s) {
        this.s = s;
    }

    /** {@code m} is validated and its term is at least the current term (the engine's term gate). */
    void onInstallSnapshot(int from, InstallSnapshotCodec m) {
        s.becomeFollower(m.term(), from);
        s.lastLeaderContactNs = s.nowNs;
        final long index = m.lastIncludedIndex();
        final long term = m.lastIncludedTerm();
        if (index <= s.commitIndex || (index <= s.log.lastIndex() && s.termAt(index) == term)) {
            // Nothing to install: our log already holds the snapshot's last entry (so, by Log Matching, everything
            // before it), committed or not. Take the commit point and go on with AppendEntries from there.
            s.closeIncoming();
            s.verifiedIndex = Math.max(s.verifiedIndex, index);
            s.followerCommit(index);
            respond(from, index, m.totalBytes(), InstallSnapshotResponseCodec.INSTALLED);
            return;
        }
        if (s.snapshots == null) {
            // A node without a snapshot store cannot take a snapshot: it can only refuse, and stays behind.
            respond(from, index, 0, InstallSnapshotResponseCodec.REFUSED);
            return;
        }
        final RaftState.Incoming in = s.incoming;
        if (in.sink == null || in.index != index || in.term != term || in.totalBytes != m.totalBytes()
            || in.checksum != m.checksum()) {
            s.closeIncoming();
            if (m.chunkOffset() != 0) {
                respond(from, index, 0, InstallSnapshotResponseCodec.REFUSED);
                return;
            }
            in.sink = s.snapshots.create(index, term, m.membership());
            in.index = index;
            in.term = term;
            in.totalBytes = m.totalBytes();
            in.checksum = m.checksum();
            in.received = 0;
            crc.reset();
        }
        if (m.chunkOffset() != in.received) {
            // A gap (refused: the leader resends from in.received) or a duplicate (just tell it where we are).
            respond(from, index, in.received,
                m.chunkOffset() > in.received ? InstallSnapshotResponseCodec.REFUSED : 0);
            return;
        }
        final int length = m.dataLength();
        if (length > 0) {
            if (copy.capacity() < length) {
                copy = ByteBuffer.allocateDirect(Math.max(length, copy.capacity() * 2));
            }
            copy.clear().limit(length);
            m.buffer().getBytes(m.dataOffset(), copy, 0, length);
            crc.update(copy.duplicate());
            in.sink.write(copy);
            in.received += length;
        }
        if (in.received < in.totalBytes) {
            respond(from, index, in.received, 0);
            return;
        }
        if (crc.getValue() != in.checksum) {
            // Damaged in transit (or a buggy sender): never install it; start over.
            s.closeIncoming();
            s.badSnapshots++;
            respond(from, index, 0, InstallSnapshotResponseCodec.REFUSED);
            return;
        }
        final SnapshotStore.SnapshotSink sink = in.sink;
        in.sink = null;
        final SnapshotMeta meta = sink.commit();
        install(meta);
        respond(from, index, in.received, InstallSnapshotResponseCodec.INSTALLED);
    }

    /** The snapshot is durable in the store: make it this node's state (§5.3 step 6-8). */
    private void install(SnapshotMeta meta) {
        final LogStore log = s.log;
        final long index = meta.index();
        if (!(index <= log.lastIndex() && s.termAt(index) == meta.term())) {
            // Our log does not hold the snapshot's last entry: everything in it is either covered by the snapshot
            // or conflicts with committed entries, so none of it is kept.
            log.resetTo(index, meta.term());
            s.configs.reset(index, meta.membership());
        } else {
            s.configs.rebase(index, meta.membership());
        }
        s.useMembership(s.configs.current());
        s.setSnapshot(meta);
        s.verifiedIndex = Math.max(s.verifiedIndex, index);
        if (index > s.commitIndex) {
            s.commitIndex = index;
            log.onCommitIndex(index);
        }
        if (s.lastApplied < index) {
            s.listener.onSnapshotInstalled(meta);
            s.lastApplied = index;
        }
    }

    private void respond(int to, long index, long nextOffset, int flags) {
        s.sender.sendInstallSnapshotResponse(to, s.term, index, nextOffset, flags);
    }
}
