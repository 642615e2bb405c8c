package io.pontoon.storage;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of one journal record, the body of one Chronicle Queue data excerpt. Little-endian; the trailing
 * CRC32C covers every byte of the record before it (type and header fields included), so a flipped bit
 * anywhere in the record is caught.
 *
 * <pre>
 * ENTRY     type=1:u8 index:i64 term:i64 length:i32 payload:length bytes crc:u32   (25 + length bytes)
 * TRUNCATE  type=2:u8 fromIndex:i64 crc:u32                                         (13 bytes)
 * COMMIT    type=3:u8 commitIndex:i64 crc:u32                                       (13 bytes)
 * DISCARD   type=4:u8 firstQueueIndex:i64 lastQueueIndex:i64 crc:u32                (21 bytes)
 * </pre>
 *
 * <ul>
 *   <li>ENTRY: a Raft log entry. Replay requires each ENTRY to follow the previous one ({@code index =
 *   last + 1}) unless the log is empty.</li>
 *   <li>TRUNCATE: every entry with index {@code >= fromIndex} is gone (Chronicle Queue cannot cut its tail, so
 *   the cut is a record).</li>
 *   <li>COMMIT: a hint of the node's commit index, for offline tools; Raft safety never depends on it.</li>
 *   <li>DISCARD: written by recovery after it dropped a damaged tail: the excerpts in the queue index range
 *   are known-bad and are skipped on every later replay.</li>
 * </ul>
 */
final class JournalFormat {
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final byte TYPE_ENTRY = 1;
    static final byte TYPE_TRUNCATE = 2;
    static final byte TYPE_COMMIT = 3;
    static final byte TYPE_DISCARD = 4;

    static final int TYPE_OFFSET = 0;
    static final int CRC_LENGTH = 4;

    static final int ENTRY_INDEX_OFFSET = 1;
    static final int ENTRY_TERM_OFFSET = 9;
    static final int ENTRY_LENGTH_OFFSET = 17;
    static final int ENTRY_PAYLOAD_OFFSET = 21;
    static final int ENTRY_OVERHEAD = ENTRY_PAYLOAD_OFFSET + CRC_LENGTH;

    static final int VALUE_OFFSET = 1;
    static final int VALUE_RECORD_LENGTH = 1 + 8 + CRC_LENGTH;

    static final int DISCARD_FIRST_OFFSET = 1;
    static final int DISCARD_LAST_OFFSET = 9;
    static final int DISCARD_RECORD_LENGTH = 1 + 8 + 8 + CRC_LENGTH;

    /**
     * CRC32C over bytes of any {@link DirectBuffer} (mapped journal memory included), via a reusable heap copy.
     * Used off the hot path (replay, dump): the JDK's intrinsic CRC32C takes arrays or ByteBuffers, and Agrona's
     * address-based one needs {@code --add-opens java.base/java.util.zip}, a flag we do not want to require.
     */
    static final class Checksum {
        private final CRC32C crc = new CRC32C();
        private byte[] scratch = new byte[4096];

        int of(DirectBuffer buffer, int offset, int length) {
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            buffer.getBytes(offset, scratch, 0, length);
            crc.reset();
            crc.update(scratch, 0, length);
            return (int) crc.getValue();
        }
    }

    /**
     * Checks the record in {@code record[0, length)}: a known type, the exact length for that type, and the CRC.
     * Returns null if intact, else a short reason for the warning or error message.
     */
    static String validate(DirectBuffer record, int length, Checksum checksum) {
        if (length < 1) {
            return "empty record";
        }
        final byte type = record.getByte(TYPE_OFFSET);
        final int expected;
        switch (type) {
            case TYPE_ENTRY:
                if (length < ENTRY_OVERHEAD) {
                    return "ENTRY record of " + length + " bytes is shorter than its " + ENTRY_OVERHEAD + "-byte header";
                }
                final int payloadLength = record.getInt(ENTRY_LENGTH_OFFSET, ORDER);
                expected = payloadLength < 0 ? -1 : ENTRY_OVERHEAD + payloadLength;
                break;
            case TYPE_TRUNCATE:
            case TYPE_COMMIT:
                expected = VALUE_RECORD_LENGTH;
                break;
            case TYPE_DISCARD:
                expected = DISCARD_RECORD_LENGTH;
                break;
            default:
                return "unknown record type " + type;
        }
        if (expected != length) {
            return "record type " + type + " has length " + length + " but its header implies " + expected;
        }
        final int stored = record.getInt(length - CRC_LENGTH, ORDER);
        final int actual = checksum.of(record, 0, length - CRC_LENGTH);
        if (stored != actual) {
            return "CRC32C mismatch (stored " + Integer.toHexString(stored) + ", computed "
                + Integer.toHexString(actual) + ")";
        }
        return null;
    }

    private JournalFormat() {
    }
}
