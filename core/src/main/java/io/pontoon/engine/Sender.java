package io.pontoon.engine;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.InstallSnapshotCodec;
import io.pontoon.protocol.InstallSnapshotResponseCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.VoteRequestCodec;
import io.pontoon.protocol.VoteResponseCodec;
import io.pontoon.spi.LogStore;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Encodes outbound messages into one reusable scratch buffer and hands them to the {@link Outbox}
 * (the Aeron "publisher" of the engine). Allocation-free once the scratch buffer has grown.
 */
final class Sender {
    private final Outbox outbox;
    private final LogStore log;
    private final int maxBatchEntries;
    private final int maxBatchBytes;
    private final ExpandableDirectByteBuffer scratch;
    private final AppendEntriesCodec appendCodec = new AppendEntriesCodec();
    private final LogStore.EntryReader batchReader = this::onBatchEntry;
    private int batchBytes;
    /** The latest snapshot's last included entry: the term of prevLogIndex when that entry is compacted away. */
    private long snapshotIndex;
    private long snapshotTerm;

    Sender(Outbox outbox, LogStore log, int maxBatchEntries, int maxBatchBytes) {
        this.outbox = outbox;
        this.log = log;
        this.maxBatchEntries = maxBatchEntries;
        this.maxBatchBytes = maxBatchBytes;
        this.scratch = new ExpandableDirectByteBuffer(maxBatchBytes + 64 * 1024);
    }

    /**
     * Sends one AppendEntries to {@code pr} starting at its nextIndex: up to maxBatchEntries entries and
     * maxBatchBytes payload bytes (a single larger entry goes alone). Returns the last index sent, or
     * {@code nextIndex - 1} for an empty (probe) message, or -1 if prevLogIndex is compacted away.
     */
    long sendAppend(Progress pr, long term, long commitIndex) {
        final long prevIndex = pr.nextIndex - 1;
        final long prevTerm = prevIndex == snapshotIndex && snapshotIndex > 0 ? snapshotTerm : log.termAt(prevIndex);
        if (prevTerm == LogStore.NULL_VALUE || pr.nextIndex < log.firstIndex()) {
            return -1; // compacted away: the follower needs the snapshot
        }
        appendCodec.encode(scratch, 0, term, prevIndex, prevTerm, commitIndex);
        batchBytes = 0;
        final long lastIndex = log.lastIndex();
        long index = pr.nextIndex;
        int count = 0;
        while (index <= lastIndex && count < maxBatchEntries) {
            final int len = log.payloadLength(index);
            if (count > 0 && batchBytes + len > maxBatchBytes) {
                break;
            }
            scratch.checkLimit(appendCodec.length() + AppendEntriesCodec.ENTRY_HEADER_LENGTH + len);
            log.read(index, batchReader);
            index++;
            count++;
        }
        outbox.send(pr.nodeId, MessageType.APPEND_ENTRIES, scratch, 0, appendCodec.length());
        if (count > 0 && pr.state == Progress.REPLICATE) {
            pr.addInflight(index - 1, Math.max(batchBytes, 1));
        }
        return index - 1;
    }

    void snapshotBoundary(long index, long term) {
        this.snapshotIndex = index;
        this.snapshotTerm = term;
    }

    /**
     * Sends the next chunk of {@code pr}'s snapshot, from {@code pr.snapshotSent}: up to {@code chunkBytes}
     * content bytes read from the snapshot store on this thread. Returns the bytes sent (0 at the end).
     */
    int sendSnapshotChunk(Progress pr, long term, int chunkBytes) {
        final io.pontoon.spi.SnapshotMeta meta = pr.snapshotMeta;
        final byte[] members = meta.membership().encode();
        final long from = pr.snapshotSent;
        final int want = (int) Math.min(chunkBytes, meta.sizeBytes() - from);
        if (want <= 0 && from > 0) {
            return 0;
        }
        final int dataOffset = InstallSnapshotCodec.dataOffset(members.length);
        scratch.checkLimit(dataOffset + Math.max(want, 0));
        final java.nio.ByteBuffer dst = scratch.byteBuffer().duplicate();
        dst.clear().position(dataOffset).limit(dataOffset + Math.max(want, 0));
        while (dst.hasRemaining()) {
            final int n = pr.snapshotSource.read(from + (dst.position() - dataOffset), dst);
            if (n < 0) {
                throw new IllegalStateException("snapshot " + meta + " ended at byte " + (from + dst.position() - dataOffset)
                    + " before its recorded size");
            }
        }
        final int len = InstallSnapshotCodec.encodeHeader(scratch, 0, term, meta.index(), meta.term(), meta.sizeBytes(),
            meta.checksum(), from, members, Math.max(want, 0));
        outbox.send(pr.nodeId, MessageType.INSTALL_SNAPSHOT, scratch, 0, len);
        pr.snapshotSent = from + Math.max(want, 0);
        return Math.max(want, 1);
    }

    void sendInstallSnapshotResponse(int to, long term, long lastIncludedIndex, long nextOffset, int flags) {
        final int len = InstallSnapshotResponseCodec.encode(scratch, 0, term, lastIncludedIndex, nextOffset, flags);
        outbox.send(to, MessageType.INSTALL_SNAPSHOT_RESPONSE, scratch, 0, len);
    }

    private void onBatchEntry(long index, long term, DirectBuffer buffer, int offset, int length) {
        appendCodec.appendEntry(term, log.kindAt(index) == LogStore.KIND_CONFIGURATION, buffer, offset, length);
        batchBytes += length;
    }

    void sendAppendResponse(int to, long term, boolean success, long matchIndex, long rejectedIndex,
                            long conflictTerm, long conflictIndex, long lastLogIndex) {
        final int len = AppendResponseCodec.encode(scratch, 0, term, success, matchIndex, rejectedIndex,
            conflictTerm, conflictIndex, lastLogIndex);
        outbox.send(to, MessageType.APPEND_RESPONSE, scratch, 0, len);
    }

    void sendVoteRequest(int to, long term, long lastLogIndex, long lastLogTerm, boolean preVote, boolean transfer) {
        final int len = VoteRequestCodec.encode(scratch, 0, term, lastLogIndex, lastLogTerm, preVote, transfer);
        outbox.send(to, MessageType.VOTE_REQUEST, scratch, 0, len);
    }

    void sendVoteResponse(int to, long term, boolean granted, boolean preVote) {
        final int len = VoteResponseCodec.encode(scratch, 0, term, granted, preVote);
        outbox.send(to, MessageType.VOTE_RESPONSE, scratch, 0, len);
    }

    void sendHeartbeat(int to, long term, long commitIndex, long round) {
        final int len = HeartbeatCodec.encode(scratch, 0, term, commitIndex, round);
        outbox.send(to, MessageType.HEARTBEAT, scratch, 0, len);
    }

    void sendHeartbeatResponse(int to, long term, long lastLogIndex, long round) {
        final int len = HeartbeatCodec.encode(scratch, 0, term, lastLogIndex, round);
        outbox.send(to, MessageType.HEARTBEAT_RESPONSE, scratch, 0, len);
    }

    void sendReadIndex(int to, long term, long requestId) {
        final int len = io.pontoon.protocol.ReadIndexCodec.encodeRequest(scratch, 0, term, requestId);
        outbox.send(to, MessageType.READ_INDEX, scratch, 0, len);
    }

    void sendReadIndexResponse(int to, long term, long requestId, long readIndex, int code) {
        final int len = io.pontoon.protocol.ReadIndexCodec.encodeResponse(scratch, 0, term, requestId, readIndex, code);
        outbox.send(to, MessageType.READ_INDEX_RESPONSE, scratch, 0, len);
    }

    void sendTimeoutNow(int to, long term) {
        final int len = io.pontoon.protocol.TimeoutNowCodec.encode(scratch, 0, term);
        outbox.send(to, MessageType.TIMEOUT_NOW, scratch, 0, len);
    }
}
