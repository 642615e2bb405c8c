package io.pontoon.storage;

import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Message layouts on the two rings between the Raft thread and the journal thread (little-endian, Agrona
 * {@code OneToOneRingBuffer} framing around them).
 *
 * <pre>
 * Raft thread -> journal thread
 *   MSG_ENTRY          index:i64 term:i64 payload:bytes      (a data entry)
 *   MSG_CONFIG_ENTRY   index:i64 term:i64 payload:bytes      (a configuration entry: LogStore.KIND_CONFIGURATION)
 *   MSG_TRUNCATE       fromIndex:i64
 *   MSG_DELETE_BEFORE  segment:i64 cycle:i32 (delete journal files of cycles below this one and log index
 *                                            segment files below this segment)
 *   MSG_RESET          index:i64 term:i64 (LogStore.resetTo: write a RESET record)
 * journal thread -> Raft thread
 *   MSG_WRITTEN        firstAppendSeq:i64 firstIndex:i64 queueIndex:i64 count:i32
 * </pre>
 *
 * <p>MSG_WRITTEN reports where one BATCH record landed in the queue: append {@code firstAppendSeq + k} (the
 * k-th append the Raft thread ever made, counting from 1) for Raft index {@code firstIndex + k} is entry k of the
 * BATCH record at queue index {@code queueIndex}, for k in [0, count). The Raft thread derives each payload's
 * offset in the record from the lengths it already holds.
 */
final class JournalRing {
    static final int MSG_ENTRY = 1;
    static final int MSG_TRUNCATE = 2;
    static final int MSG_DELETE_BEFORE = 3;
    static final int MSG_WRITTEN = 4;
    static final int MSG_RESET = 5;
    /** Laid out as MSG_ENTRY; its own type so the data path carries no kind field. */
    static final int MSG_CONFIG_ENTRY = 6;

    static final int ENTRY_INDEX_OFFSET = 0;
    static final int ENTRY_TERM_OFFSET = 8;
    static final int ENTRY_HEADER_LENGTH = 16;

    static final int TRUNCATE_LENGTH = 8;
    static final int DELETE_BEFORE_SEGMENT_OFFSET = 0;
    static final int DELETE_BEFORE_CYCLE_OFFSET = 8;
    static final int DELETE_BEFORE_LENGTH = 12;

    static final int RESET_INDEX_OFFSET = 0;
    static final int RESET_TERM_OFFSET = 8;
    static final int RESET_LENGTH = 16;

    static final int WRITTEN_SEQ_OFFSET = 0;
    static final int WRITTEN_INDEX_OFFSET = 8;
    static final int WRITTEN_QUEUE_INDEX_OFFSET = 16;
    static final int WRITTEN_COUNT_OFFSET = 24;
    static final int WRITTEN_LENGTH = 28;

    /** Feedback ring size: ~29 k MSG_WRITTEN messages (36 bytes with framing, 40 aligned), one per BATCH record. */
    static final int FEEDBACK_CAPACITY_BYTES = 1 << 20;

    static int totalLength(int capacityBytes) {
        return capacityBytes + RingBufferDescriptor.TRAILER_LENGTH;
    }

    private JournalRing() {
    }
}
