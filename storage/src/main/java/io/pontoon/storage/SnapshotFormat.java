package io.pontoon.storage;

import io.pontoon.spi.SnapshotMeta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The snapshot file layout (docs/STORAGE.md, "Snapshots"), little-endian like the journal:
 * <pre>
 *   0  magic "PNTSNAP1"     8 bytes
 *   8  version:u32          = 1
 *  12  memberCount:u32      n, at most {@link #MAX_MEMBERS}
 *  16  index:i64            last included index
 *  24  term:i64             its term
 *  32  contentLength:i64    L
 *  40  members:n x i32      the configuration's member ids
 *  40 + 4n  headerCrc:u32   CRC32C of bytes [0, 40 + 4n)
 *  44 + 4n  content         L bytes
 *  44 + 4n + L  contentCrc:u32   CRC32C of the content
 * </pre>
 * Names: {@code snapshot-<index, 20 digits>-<term>.snap}, so a listing sorts by index; a file being written
 * is {@code snapshot-<index>-<term>.snap.<n>.tmp} and never matches the committed pattern.
 *
 * <p>Stateless; called by whichever thread uses a store, sink or source.
 */
final class SnapshotFormat {
    static final byte[] MAGIC = "PNTSNAP1".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    /** Far above any real configuration; bounds what a damaged member count can make a reader allocate. */
    static final int MAX_MEMBERS = 65_536;
    static final int FIXED_HEADER_BYTES = 40;
    static final int CRC_BYTES = 4;
    static final String PREFIX = "snapshot-";
    static final String SUFFIX = ".snap";
    static final String TMP_GLOB = PREFIX + "*" + ".tmp";
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{1,19})\\.snap");

    private SnapshotFormat() {
    }

    /** Header bytes, its CRC included, for {@code memberCount} members: where the content starts. */
    static int headerBytes(int memberCount) {
        return FIXED_HEADER_BYTES + 4 * memberCount + CRC_BYTES;
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

    /** The encoded header of a snapshot with {@code contentLength} content bytes, ready to write at offset 0. */
    static ByteBuffer header(long index, long term, int[] members, long contentLength) {
        final int headerBytes = headerBytes(members.length);
        final ByteBuffer b = ByteBuffer.allocate(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(members.length).putLong(index).putLong(term).putLong(contentLength);
        for (int member : members) {
            b.putInt(member);
        }
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, headerBytes - CRC_BYTES);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /**
     * Checks the whole file (header, length, content CRC) and returns what it holds. {@code nameIndex} and
     * {@code nameTerm} come from its name, which must agree with its header. Streams the content through
     * {@code scratch}, so memory stays bounded whatever the snapshot's size.
     *
     * @throws Damaged saying what is wrong, in words for a warning
     */
    static SnapshotMeta validate(FileChannel channel, long nameIndex, long nameTerm, ByteBuffer scratch)
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
        return new SnapshotMeta(h.index, h.term, h.members, h.contentLength, stored);
    }

    private static Header readHeader(FileChannel channel, long size) throws IOException, Damaged {
        if (size < headerBytes(0) + CRC_BYTES) {
            throw new Damaged("it is " + size + " bytes, shorter than the smallest snapshot file ("
                + (headerBytes(0) + CRC_BYTES) + " bytes; truncated)");
        }
        final ByteBuffer fixed = ByteBuffer.allocate(FIXED_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, fixed, 0);
        for (int i = 0; i < MAGIC.length; i++) {
            if (fixed.get(i) != MAGIC[i]) {
                throw new Damaged("it does not start with the magic PNTSNAP1 (header damaged, or not a snapshot)");
            }
        }
        final int memberCount = fixed.getInt(12);
        if (memberCount < 0 || memberCount > MAX_MEMBERS) {
            throw new Damaged("its member count " + Integer.toUnsignedString(memberCount) + " is out of range [0, "
                + MAX_MEMBERS + "] (header damaged)");
        }
        final int headerBytes = headerBytes(memberCount);
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
        // Checked after the CRC, so a damaged version field reads as damage rather than as a newer format.
        final int version = header.getInt(8);
        if (version != VERSION) {
            throw new Damaged("it has format version " + version + "; this Pontoon reads version " + VERSION);
        }
        final long index = header.getLong(16);
        final long term = header.getLong(24);
        final long contentLength = header.getLong(32);
        if (index < 1 || term < 1 || contentLength < 0) {
            throw new Damaged("its header holds index " + index + " term " + term + " content length "
                + contentLength + ", out of range");
        }
        final int[] members = new int[memberCount];
        for (int i = 0; i < memberCount; i++) {
            members[i] = header.getInt(FIXED_HEADER_BYTES + 4 * i);
        }
        return new Header(index, term, members, contentLength, headerBytes);
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

    private record Header(long index, long term, int[] members, long contentLength, int headerBytes) {
    }

    /** A snapshot file that fails a check; the message says which, for the warning that names the file. */
    static final class Damaged extends Exception {
        private static final long serialVersionUID = 1L;

        Damaged(String problem) {
            super(problem, null, false, false);
        }
    }
}
