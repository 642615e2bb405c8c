package io.pontoon.storage;

import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Message layouts on the two rings between the Raft thread and the journal thread (little-endian, Agrona
 * {@code OneToOneRingBuffer} framing around them).
 *
 * <pre>
 * Raft thread -> journal thread
 *   MSG_ENTRY          index:i64 term:i64 payload:bytes
 *   MSG_TRUNCATE       fromIndex:i64
 *   MSG_DELETE_BEFORE  cycle:i32             (delete journal files of cycles below this one)
 * journal thread -> Raft thread
 *   MSG_WRITTEN        firstAppendSeq:i64 firstIndex:i64 firstQueueIndex:i64 count:i32
 * </pre>
 *
 * <p>MSG_WRITTEN reports where entries landed in the queue: appends {@code firstAppendSeq + k} (the k-th
 * append the Raft thread ever made, counting from 1) for Raft index {@code firstIndex + k} sits at queue index
 * {@code firstQueueIndex + k}, for k in [0, count).
 */
final class JournalRing {
    static final int MSG_ENTRY = 1;
    static final int MSG_TRUNCATE = 2;
    static final int MSG_DELETE_BEFORE = 3;
    static final int MSG_WRITTEN = 4;

    static final int ENTRY_INDEX_OFFSET = 0;
    static final int ENTRY_TERM_OFFSET = 8;
    static final int ENTRY_HEADER_LENGTH = 16;

    static final int TRUNCATE_LENGTH = 8;
    static final int DELETE_BEFORE_LENGTH = 4;

    static final int WRITTEN_SEQ_OFFSET = 0;
    static final int WRITTEN_INDEX_OFFSET = 8;
    static final int WRITTEN_QUEUE_INDEX_OFFSET = 16;
    static final int WRITTEN_COUNT_OFFSET = 24;
    static final int WRITTEN_LENGTH = 28;

    /** Feedback ring size: ~29 k MSG_WRITTEN messages (36 bytes with framing), each covering a run of a group commit. */
    static final int FEEDBACK_CAPACITY_BYTES = 1 << 20;

    static int totalLength(int capacityBytes) {
        return capacityBytes + RingBufferDescriptor.TRAILER_LENGTH;
    }

    private JournalRing() {
    }
}
