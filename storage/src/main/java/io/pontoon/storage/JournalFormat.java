package io.pontoon.storage;

import io.pontoon.spi.LogStore;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of one journal record, the body of one Chronicle Queue data excerpt. Little-endian; the trailing
 * CRC32C covers every byte of the record before it (type and header fields included), so a flipped bit
 * anywhere in the record is caught.
 *
 * <pre>
 * BATCH     type=5:u8 firstIndex:i64                                   offset 0, 1
 *           payload[0] payload[1] ... payload[count-1]                 offset 9 (concatenated, no padding)
 *           count x (term:i64 length:i32)                              the entry table, 12 bytes per entry
 *                                                                      (length bit 31: a configuration entry)
 *           count:i32 crc:u32                                          the last 8 bytes
 *                                                                      (17 + 12 x count + sum(length) bytes)
 * TRUNCATE  type=2:u8 fromIndex:i64 crc:u32                            (13 bytes)
 * COMMIT    type=3:u8 commitIndex:i64 crc:u32                          (13 bytes)
 * DISCARD   type=4:u8 firstQueueIndex:i64 lastQueueIndex:i64 crc:u32   (21 bytes)
 * RESET     type=6:u8 index:i64 term:i64 crc:u32                       (21 bytes)
 * </pre>
 *
 * <ul>
 *   <li>BATCH: {@code count >= 1} consecutive Raft log entries {@code firstIndex .. firstIndex + count - 1},
 *   the entries the journal thread drained in one duty cycle (capped at {@link #BATCH_MAX_ENTRIES} entries and
 *   about {@link #BATCH_MAX_BYTES} bytes). Entry {@code k}'s payload starts at {@code 9 + length[0] + ... +
 *   length[k-1]}. The table and count trail the payloads so the writer copies each payload once, straight from
 *   the hand-over ring into the mapped file, before it knows how many entries the batch will hold. Replay
 *   requires {@code firstIndex = last + 1} unless the log is empty. Bit 31 of a table {@code length} marks a
 *   configuration entry ({@link LogStore#KIND_CONFIGURATION}, as {@code AppendEntriesCodec.CONFIGURATION_FLAG}
 *   on the wire); bits 0..30 are the payload length. Journals written before configuration entries never set it
 *   and read as all-data, so the format has no new version; a journal holding a configuration entry reads as
 *   damaged to a Pontoon older than this bit.</li>
 *   <li>TRUNCATE: every entry with index {@code >= fromIndex} is gone (Chronicle Queue cannot cut its tail, so
 *   the cut is a record). It may cut inside an earlier BATCH.</li>
 *   <li>COMMIT: a hint of the node's commit index, for offline tools; Raft safety never depends on it.</li>
 *   <li>DISCARD: written by recovery after it dropped a damaged tail: the excerpts in the queue index range
 *   are known-bad and are skipped on every later replay.</li>
 *   <li>RESET: every entry is gone and the log restarts after a snapshot ({@code LogStore.resetTo}): it is empty
 *   with last index {@code index}, the term at {@code index} is {@code term}, and the next BATCH starts at
 *   {@code index + 1}. {@code index} and {@code term} are at least 1.</li>
 * </ul>
 *
 * <p>Type 1 was the per-entry ENTRY record of the first journal format ({@code type=1:u8 index:i64 term:i64
 * length:i32 payload crc:u32}). This version does not read it: an intact type-1 record makes open fail with a
 * {@link StorageException} naming the file and the format (see docs/STORAGE.md).
 */
final class JournalFormat {
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Type of the old per-entry record; recognised only to refuse it. */
    static final byte TYPE_LEGACY_ENTRY = 1;
    static final byte TYPE_TRUNCATE = 2;
    static final byte TYPE_COMMIT = 3;
    static final byte TYPE_DISCARD = 4;
    static final byte TYPE_BATCH = 5;
    static final byte TYPE_RESET = 6;

    static final int TYPE_OFFSET = 0;
    static final int CRC_LENGTH = 4;

    static final int BATCH_FIRST_INDEX_OFFSET = 1;
    static final int BATCH_PAYLOAD_OFFSET = 9;
    static final int BATCH_TABLE_ENTRY_LENGTH = 12;
    static final int BATCH_TABLE_TERM_OFFSET = 0;
    static final int BATCH_TABLE_LENGTH_OFFSET = 8;
    /** Bit of a table length that marks a configuration entry; the payload length is the bits below it. */
    static final int BATCH_CONFIGURATION_FLAG = 0x8000_0000;
    /** count:i32 + crc:u32 after the table. */
    static final int BATCH_TRAILER_LENGTH = 8;
    static final int BATCH_OVERHEAD = BATCH_PAYLOAD_OFFSET + BATCH_TRAILER_LENGTH;
    /** Most entries in one BATCH record (bounds the journal thread's fixed table scratch). */
    static final int BATCH_MAX_ENTRIES = 4096;
    /** A batch is closed once its payloads reach this many bytes (one larger entry still gets a batch alone). */
    static final int BATCH_MAX_BYTES = 1 << 20;

    /** Old per-entry layout, for recognising (and refusing) a journal written by an older version. */
    static final int LEGACY_ENTRY_LENGTH_OFFSET = 17;
    static final int LEGACY_ENTRY_OVERHEAD = 25;

    static final int VALUE_OFFSET = 1;
    static final int VALUE_RECORD_LENGTH = 1 + 8 + CRC_LENGTH;

    static final int DISCARD_FIRST_OFFSET = 1;
    static final int DISCARD_LAST_OFFSET = 9;
    static final int DISCARD_RECORD_LENGTH = 1 + 8 + 8 + CRC_LENGTH;

    static final int RESET_INDEX_OFFSET = 1;
    static final int RESET_TERM_OFFSET = 9;
    static final int RESET_RECORD_LENGTH = 1 + 8 + 8 + CRC_LENGTH;

    /** Reason prefix {@link #validate} uses for an intact record of the old per-entry format. */
    static final String LEGACY_REASON = "per-entry ENTRY record (type 1)";

    /** Entry count of an intact BATCH record of {@code length} bytes. */
    static int batchCount(DirectBuffer record, int length) {
        return record.getInt(length - BATCH_TRAILER_LENGTH, ORDER);
    }

    /** Payload length in a BATCH table's length field (bits 0..30). */
    static int payloadLength(int tableLength) {
        return tableLength & ~BATCH_CONFIGURATION_FLAG;
    }

    /** Entry kind in a BATCH table's length field: {@link LogStore#KIND_CONFIGURATION} if bit 31 is set. */
    static int kind(int tableLength) {
        return (tableLength & BATCH_CONFIGURATION_FLAG) != 0 ? LogStore.KIND_CONFIGURATION : LogStore.KIND_DATA;
    }

    /** The table length field of an entry of {@code kind} with {@code payloadLength} bytes. */
    static int tableLength(int payloadLength, int kind) {
        return kind == LogStore.KIND_CONFIGURATION ? payloadLength | BATCH_CONFIGURATION_FLAG : payloadLength;
    }

    /** Offset of the entry table of an intact BATCH record. */
    static int batchTableOffset(int length, int count) {
        return length - BATCH_TRAILER_LENGTH - count * BATCH_TABLE_ENTRY_LENGTH;
    }

    /**
     * CRC32C over bytes of any {@link DirectBuffer} (mapped journal memory included), via a reusable heap copy.
     * Used off the hot path (replay, dump): the JDK's intrinsic CRC32C takes arrays or ByteBuffers, and Agrona's
     * address-based one needs {@code --add-opens java.base/java.util.zip}, a flag we do not want to require.
     */
    static final class Checksum {
        private final CRC32C crc = new CRC32C();
        private byte[] scratch = new byte[1 << 16];

        int of(DirectBuffer buffer, int offset, int length) {
            crc.reset();
            int done = 0;
            while (done < length) {
                final int chunk = Math.min(scratch.length, length - done);
                buffer.getBytes(offset + done, scratch, 0, chunk);
                crc.update(scratch, 0, chunk);
                done += chunk;
            }
            return (int) crc.getValue();
        }
    }

    /**
     * Checks the record in {@code record[0, length)}: a known type, the exact length for that type (for BATCH:
     * count in range and the table's lengths adding up to the record), and the CRC. Returns null if intact,
     * else a short reason for the warning or error message. An intact record of the old per-entry format yields
     * a reason starting with {@link #LEGACY_REASON}.
     */
    static String validate(DirectBuffer record, int length, Checksum checksum) {
        if (length < 1) {
            return "empty record";
        }
        final byte type = record.getByte(TYPE_OFFSET);
        switch (type) {
            case TYPE_BATCH: {
                if (length < BATCH_OVERHEAD + BATCH_TABLE_ENTRY_LENGTH) {
                    return "BATCH record of " + length + " bytes is shorter than its smallest form ("
                        + (BATCH_OVERHEAD + BATCH_TABLE_ENTRY_LENGTH) + " bytes)";
                }
                final int count = batchCount(record, length);
                if (count < 1 || count > (length - BATCH_OVERHEAD) / BATCH_TABLE_ENTRY_LENGTH) {
                    return "BATCH record of " + length + " bytes has length " + length
                        + " but its header implies an entry count of " + count;
                }
                final int table = batchTableOffset(length, count);
                long payloadBytes = 0;
                for (int k = 0; k < count; k++) {
                    // Bit 31 is the kind; the length below it is never negative.
                    payloadBytes += payloadLength(record.getInt(table + k * BATCH_TABLE_ENTRY_LENGTH
                        + BATCH_TABLE_LENGTH_OFFSET, ORDER));
                }
                if (payloadBytes != table - BATCH_PAYLOAD_OFFSET) {
                    return "BATCH record of " + count + " entries has length " + length
                        + " but its header implies payloads of " + payloadBytes + " bytes, not "
                        + (table - BATCH_PAYLOAD_OFFSET);
                }
                break;
            }
            case TYPE_TRUNCATE:
            case TYPE_COMMIT:
                if (length != VALUE_RECORD_LENGTH) {
                    return "record type " + type + " has length " + length + " but its header implies " + VALUE_RECORD_LENGTH;
                }
                break;
            case TYPE_DISCARD:
                if (length != DISCARD_RECORD_LENGTH) {
                    return "record type " + type + " has length " + length + " but its header implies " + DISCARD_RECORD_LENGTH;
                }
                break;
            case TYPE_RESET:
                if (length != RESET_RECORD_LENGTH) {
                    return "record type " + type + " has length " + length + " but its header implies " + RESET_RECORD_LENGTH;
                }
                break;
            case TYPE_LEGACY_ENTRY: {
                final int payloadLength = length >= LEGACY_ENTRY_OVERHEAD
                    ? record.getInt(LEGACY_ENTRY_LENGTH_OFFSET, ORDER) : -1;
                if (payloadLength < 0 || LEGACY_ENTRY_OVERHEAD + payloadLength != length) {
                    return "unknown record type " + type;
                }
                break;
            }
            default:
                return "unknown record type " + type;
        }
        final int stored = record.getInt(length - CRC_LENGTH, ORDER);
        final int actual = checksum.of(record, 0, length - CRC_LENGTH);
        if (stored != actual) {
            return "CRC32C mismatch (stored " + Integer.toHexString(stored) + ", computed "
                + Integer.toHexString(actual) + ")";
        }
        return type == TYPE_LEGACY_ENTRY ? LEGACY_REASON : null;
    }

    private JournalFormat() {
    }
}
