package io.pontoon.engine;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.HeartbeatCodec;
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
        final long prevTerm = log.termAt(prevIndex);
        if (prevTerm == LogStore.NULL_VALUE) {
            return -1;
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

    private void onBatchEntry(long index, long term, DirectBuffer buffer, int offset, int length) {
        appendCodec.appendEntry(term, buffer, offset, length);
        batchBytes += length;
    }

    void sendAppendResponse(int to, long term, boolean success, long matchIndex, long rejectedIndex,
                            long conflictTerm, long conflictIndex, long lastLogIndex) {
        final int len = AppendResponseCodec.encode(scratch, 0, term, success, matchIndex, rejectedIndex,
            conflictTerm, conflictIndex, lastLogIndex);
        outbox.send(to, MessageType.APPEND_RESPONSE, scratch, 0, len);
    }

    void sendVoteRequest(int to, long term, long lastLogIndex, long lastLogTerm, boolean preVote) {
        final int len = VoteRequestCodec.encode(scratch, 0, term, lastLogIndex, lastLogTerm, preVote);
        outbox.send(to, MessageType.VOTE_REQUEST, scratch, 0, len);
    }

    void sendVoteResponse(int to, long term, boolean granted, boolean preVote) {
        final int len = VoteResponseCodec.encode(scratch, 0, term, granted, preVote);
        outbox.send(to, MessageType.VOTE_RESPONSE, scratch, 0, len);
    }

    void sendHeartbeat(int to, long term, long commitIndex) {
        final int len = HeartbeatCodec.encode(scratch, 0, term, commitIndex);
        outbox.send(to, MessageType.HEARTBEAT, scratch, 0, len);
    }

    void sendHeartbeatResponse(int to, long term, long lastLogIndex) {
        final int len = HeartbeatCodec.encode(scratch, 0, term, lastLogIndex);
        outbox.send(to, MessageType.HEARTBEAT_RESPONSE, scratch, 0, len);
    }
}
