package io.pontoon.storage;

import io.pontoon.spi.Membership;
import io.pontoon.spi.SnapshotMeta;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The snapshot file layout (docs/STORAGE.md, "Snapshots"), little-endian like the journal. Version 2, written:
 * <pre>
 *   0  magic "PNTSNAP1"     8 bytes
 *   8  version:u32          = 2
 *  12  configLength:u32     c, in [1, {@link Membership#MAX_ENCODED_BYTES}]
 *  16  index:i64            last included index
 *  24  term:i64             its term
 *  32  contentLength:i64    L
 *  40  configuration        c bytes: {@link Membership#encode()} of the configuration at index
 *  40 + c  headerCrc:u32    CRC32C of bytes [0, 40 + c)
 *  44 + c  content          L bytes
 *  44 + c + L  contentCrc:u32   CRC32C of the content
 * </pre>
 * Version 1 (still read, no longer written) had {@code memberCount:u32} n at 12 and {@code n x i32} member ids at
 * 40 instead of the configuration; its ids read as voters ({@code Membership.of(ids, new int[0])}).
 *
 * <p>Names: {@code snapshot-<index, 20 digits>-<term>.snap}, so a listing sorts by index; a file being written
 * is {@code snapshot-<index>-<term>.snap.<n>.tmp} and never matches the committed pattern.
 *
 * <p>Stateless; called by whichever thread uses a store, sink or source.
 */
final class SnapshotFormat {
    static final byte[] MAGIC = "PNTSNAP1".getBytes(StandardCharsets.US_ASCII);
    /** The version written: the encoded configuration in the header. */
    static final int VERSION = 2;
    /** The first version, member ids only; read, never written. */
    static final int VERSION_MEMBER_IDS = 1;
    /** Far above any real configuration; bounds what a damaged version-1 member count can make a reader allocate. */
    static final int MAX_V1_MEMBERS = 65_536;
    static final int MAX_CONFIG_BYTES = Membership.MAX_ENCODED_BYTES;
    static final int FIXED_HEADER_BYTES = 40;
    static final int CRC_BYTES = 4;
    /** Fixed header, header CRC and content CRC: a file with an empty variable part and no content. */
    static final int SMALLEST_FILE_BYTES = FIXED_HEADER_BYTES + 2 * CRC_BYTES;
    static final String PREFIX = "snapshot-";
    static final String SUFFIX = ".snap";
    static final String TMP_GLOB = PREFIX + "*" + ".tmp";
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{1,19})\\.snap");

    private SnapshotFormat() {
    }

    /**
     * Header bytes, its CRC included, for a variable part of {@code variableBytes} (the encoded configuration; in
     * version 1, 4 per member): where the content starts.
     */
    static int headerBytes(int variableBytes) {
        return FIXED_HEADER_BYTES + variableBytes + CRC_BYTES;
    }

    static String fileName(long index, long term) {
        return String.format("%s%020d-%d%s", PREFIX, index, term, SUFFIX);
    }

    /** The index and term a committed file's name carries, or null if {@code name} is not a committed snapshot. */
    static long[] parseName(String name) {
        final Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
        } catch (NumberFormatException e) {
            return null; // digits beyond a long: not a name this store wrote
        }
    }

    /**
     * The encoded version-2 header of a snapshot with configuration {@code config} ({@link Membership#encode()}
     * bytes) and {@code contentLength} content bytes, ready to write at offset 0.
     */
    static ByteBuffer header(long index, long term, byte[] config, long contentLength) {
        final int headerBytes = headerBytes(config.length);
        final ByteBuffer b = ByteBuffer.allocate(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(config.length).putLong(index).putLong(term).putLong(contentLength);
        b.put(config);
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, headerBytes - CRC_BYTES);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** A checked snapshot file: what it holds, and where its content starts. */
    record Checked(SnapshotMeta meta, int headerBytes) {
    }

    /**
     * Checks the whole file (header, length, content CRC) and returns what it holds. {@code nameIndex} and
     * {@code nameTerm} come from its name, which must agree with its header. Streams the content through
     * {@code scratch}, so memory stays bounded whatever the snapshot's size.
     *
     * @throws Damaged saying what is wrong, in words for a warning
     */
    static Checked validate(FileChannel channel, long nameIndex, long nameTerm, ByteBuffer scratch)
        throws IOException, Damaged {
        final long size = channel.size();
        final Header h = readHeader(channel, size);
        if (h.index != nameIndex || h.term != nameTerm) {
            throw new Damaged("its header says index " + h.index + " term " + h.term + " but its name says index "
                + nameIndex + " term " + nameTerm);
        }
        final long expected = h.headerBytes + h.contentLength + CRC_BYTES;
        if (size != expected) {
            throw new Damaged("it is " + size + " bytes but its header announces " + h.contentLength
                + " content bytes, a " + expected + "-byte file (" + (size < expected ? "truncated" : "extra bytes")
                + ")");
        }
        final CRC32C crc = new CRC32C();
        long position = h.headerBytes;
        final long end = position + h.contentLength;
        while (position < end) {
            scratch.clear().limit((int) Math.min(scratch.capacity(), end - position));
            readFully(channel, scratch, position);
            scratch.flip();
            position += scratch.remaining();
            crc.update(scratch);
        }
        final ByteBuffer trailer = ByteBuffer.allocate(CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, trailer, end);
        final long stored = Integer.toUnsignedLong(trailer.getInt(0));
        if (stored != crc.getValue()) {
            throw new Damaged("content CRC32C mismatch: the content hashes to " + Long.toHexString(crc.getValue())
                + " but the trailer says " + Long.toHexString(stored) + " (content damaged)");
        }
        return new Checked(new SnapshotMeta(h.index, h.term, h.membership, h.contentLength, stored), h.headerBytes);
    }

    private static Header readHeader(FileChannel channel, long size) throws IOException, Damaged {
        if (size < SMALLEST_FILE_BYTES) {
            throw new Damaged("it is " + size + " bytes, shorter than the smallest snapshot file ("
                + SMALLEST_FILE_BYTES + " bytes; truncated)");
        }
        final ByteBuffer fixed = ByteBuffer.allocate(FIXED_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, fixed, 0);
        for (int i = 0; i < MAGIC.length; i++) {
            if (fixed.get(i) != MAGIC[i]) {
                throw new Damaged("it does not start with the magic PNTSNAP1 (header damaged, or not a snapshot)");
            }
        }
        // The version says how long the header is, so it is read before the CRC can be checked; a damaged version
        // or length field is named as such (or, in range, caught by the CRC below).
        final int version = fixed.getInt(8);
        final int headerBytes = headerBytes(variableBytes(version, fixed.getInt(12)));
        if (size < headerBytes + CRC_BYTES) {
            throw new Damaged("it is " + size + " bytes, shorter than its " + headerBytes + "-byte header and "
                + "trailer (truncated)");
        }
        final ByteBuffer header = ByteBuffer.allocate(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header, 0);
        final CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, headerBytes - CRC_BYTES);
        if (header.getInt(headerBytes - CRC_BYTES) != (int) crc.getValue()) {
            throw new Damaged("header CRC32C mismatch (header damaged)");
        }
        final long index = header.getLong(16);
        final long term = header.getLong(24);
        final long contentLength = header.getLong(32);
        if (index < 1 || term < 1 || contentLength < 0) {
            throw new Damaged("its header holds index " + index + " term " + term + " content length "
                + contentLength + ", out of range");
        }
        final int variableBytes = headerBytes - FIXED_HEADER_BYTES - CRC_BYTES;
        final Membership membership = version == VERSION_MEMBER_IDS
            ? membersOfVersion1(header, variableBytes / 4)
            : configuration(header, variableBytes);
        return new Header(index, term, membership, contentLength, headerBytes);
    }

    /** Length of the header's variable part, from the version and the u32 at offset 12. */
    private static int variableBytes(int version, int field) throws Damaged {
        switch (version) {
            case VERSION:
                if (field < 1 || field > MAX_CONFIG_BYTES) {
                    throw new Damaged("its configuration length " + Integer.toUnsignedString(field)
                        + " is out of range [1, " + MAX_CONFIG_BYTES + "] (header damaged)");
                }
                return field;
            case VERSION_MEMBER_IDS:
                if (field < 0 || field > MAX_V1_MEMBERS) {
                    throw new Damaged("its member count " + Integer.toUnsignedString(field) + " is out of range [0, "
                        + MAX_V1_MEMBERS + "] (header damaged)");
                }
                return 4 * field;
            default:
                throw new Damaged("it has format version " + Integer.toUnsignedString(version) + "; this Pontoon reads "
                    + "versions " + VERSION_MEMBER_IDS + " and " + VERSION + " (header damaged, or written by a newer "
                    + "Pontoon)");
        }
    }

    /** Version 2: the encoded configuration at offset 40, behind an intact header CRC. */
    private static Membership configuration(ByteBuffer header, int length) throws Damaged {
        try {
            return Membership.decode(new UnsafeBuffer(header.array()), FIXED_HEADER_BYTES, length);
        } catch (IllegalArgumentException e) {
            throw new Damaged("its configuration (" + length + " bytes at offset " + FIXED_HEADER_BYTES
                + ") cannot be decoded: " + e.getMessage() + " (the header CRC32C matches: it was written so)");
        }
    }

    /** Version 1: member ids at offset 40, all voters. */
    private static Membership membersOfVersion1(ByteBuffer header, int count) throws Damaged {
        final int[] members = new int[count];
        for (int i = 0; i < count; i++) {
            members[i] = header.getInt(FIXED_HEADER_BYTES + 4 * i);
        }
        try {
            return Membership.of(members, new int[0]);
        } catch (IllegalArgumentException e) {
            throw new Damaged("its version-1 member ids " + Arrays.toString(members) + " are not a configuration: "
                + e.getMessage());
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException, Damaged {
        while (dst.hasRemaining()) {
            final int n = channel.read(dst, position + dst.position());
            if (n < 0) {
                throw new Damaged("it ended at byte " + (position + dst.position()) + " while being checked "
                    + "(truncated)");
            }
        }
    }

    private record Header(long index, long term, Membership membership, long contentLength, int headerBytes) {
    }

    /** A snapshot file that fails a check; the message says which, for the warning that names the file. */
    static final class Damaged extends Exception {
        private static final long serialVersionUID = 1L;

        Damaged(String problem) {
            super(problem, null, false, false);
        }
    }
}
