package io.pontoon.storage;

import io.pontoon.spi.Membership;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore.SnapshotSink;
import io.pontoon.spi.SnapshotStore.SnapshotSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot file's configuration: version 2 keeps the whole {@link Membership} (learners, a joint configuration,
 * addresses); version-1 files (member ids only) still read; a damaged configuration is refused naming the file and
 * what is wrong.
 */
class SnapshotFormatTest {
    private static final Membership JOINT = Membership.joint(new int[] {1, 2, 4}, new int[] {1, 2, 3}, new int[] {5},
        Map.of(1, "10.0.0.1:7000", 4, "node-4.example:7000", 5, "[::1]:7005"));
    private static final byte[] CONTENT = "the state machine's bytes".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void version2KeepsLearnersAJointConfigurationAndAddresses() throws IOException {
        final SnapshotMeta committed;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            committed = commit(store, 10, 2, JOINT);
            assertEquals(JOINT, committed.membership());
        }
        final byte[] file = Files.readAllBytes(file(10, 2));
        final ByteBuffer header = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        final byte[] config = JOINT.encode();
        assertEquals(2, header.getInt(8), "version");
        assertEquals(config.length, header.getInt(12), "configLength");
        assertArrayEquals(config, Arrays.copyOfRange(file, 40, 40 + config.length));
        assertEquals(SnapshotFormat.headerBytes(config.length) + CONTENT.length + 4, file.length);

        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotMeta latest = store.latest();
            assertEquals(committed, latest);
            final Membership m = latest.membership();
            assertEquals(JOINT, m);
            assertTrue(m.isJoint());
            assertArrayEquals(new int[] {1, 2, 3}, m.outgoingVoters());
            assertArrayEquals(new int[] {5}, m.learners());
            assertEquals("[::1]:7005", m.address(5));
            assertArrayEquals(new int[] {1, 2, 3, 4, 5}, latest.members());
            assertArrayEquals(CONTENT, readAll(store, latest));
            // The configuration is part of what a snapshot is: the same index and term under another one is not it.
            final SnapshotMeta other = new SnapshotMeta(10, 2, JOINT.withAddresses(Map.of(1, "10.0.0.9:7000")),
                latest.sizeBytes(), latest.checksum());
            final StorageException e = assertThrows(StorageException.class, () -> store.open(other));
            assertTrue(e.getMessage().contains("not the requested"), e.getMessage());
        }
    }

    @Test
    void aVersion1FileReadsItsMembersAsVoters() throws IOException {
        Files.createDirectories(dir.resolve(FileSnapshotStore.DIRECTORY));
        Files.write(file(10, 2), version1File(10, 2, new int[] {3, 1, 2}, CONTENT));
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotMeta latest = store.latest();
            assertEquals(new SnapshotMeta(10, 2, Membership.of(new int[] {1, 2, 3}, new int[0]), CONTENT.length,
                crc(CONTENT)), latest);
            // Its content starts after a 4n-byte member list, not after an encoded configuration.
            assertArrayEquals(CONTENT, readAll(store, latest));
            // A newer snapshot is written in version 2, and both are listed.
            final SnapshotMeta newer = commit(store, 20, 2, JOINT);
            assertEquals(List.of(newer, latest), store.list());
            assertArrayEquals(CONTENT, readAll(store, latest));
        }
    }

    @Test
    void aVersion1FileWithoutMembersIsRefusedNamingTheFile() throws IOException {
        Files.createDirectories(dir.resolve(FileSnapshotStore.DIRECTORY));
        Files.write(file(10, 2), version1File(10, 2, new int[0], CONTENT));
        assertDamaged(10, 2, "its version-1 member ids [] are not a configuration: a configuration needs at least "
            + "one voter");
    }

    @Test
    void aMalformedConfigurationBehindAnIntactHeaderCrcIsRefusedNamingFileAndCause() throws IOException {
        // The header CRC covers the bytes as written, so only a faulty writer produces this.
        writeVersion2(10, 2, new byte[] {7, 0, 0});
        assertDamaged(10, 2, "its configuration (3 bytes at offset 40) cannot be decoded: configuration of unknown "
            + "version 7");
        final byte[] truncated = Arrays.copyOf(JOINT.encode(), JOINT.encode().length - 3);
        writeVersion2(20, 2, truncated);
        assertDamaged(20, 2, "cannot be decoded: configuration of");
    }

    @Test
    void aFlippedConfigurationByteIsHeaderDamage() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            commit(store, 10, 2, JOINT);
        }
        flip(file(10, 2), 40 + 5);
        assertDamaged(10, 2, "header CRC32C mismatch");
    }

    @Test
    void aConfigurationLengthOutOfRangeIsRefusedNamingIt() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            commit(store, 10, 2, JOINT);
            commit(store, 20, 2, JOINT);
        }
        putInt(file(10, 2), 12, 0);
        assertDamaged(10, 2, "its configuration length 0 is out of range [1, " + Membership.MAX_ENCODED_BYTES + "]");
        putInt(file(20, 2), 12, -1);
        assertDamaged(20, 2, "its configuration length 4294967295 is out of range");
    }

    @Test
    void anUnknownVersionIsRefusedNamingTheVersionsRead() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            commit(store, 10, 2, JOINT);
        }
        putInt(file(10, 2), 8, 3);
        assertDamaged(10, 2, "it has format version 3; this Pontoon reads versions 1 and 2");
    }

    @Test
    void dumpListsEachSnapshotWithItsConfiguration() {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            commit(store, 10, 2, Membership.of(new int[] {1, 2, 3}, new int[0]));
            commit(store, 20, 3, JOINT);
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(2, JournalDump.dumpSnapshots(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        final String crc = String.format("%08x", crc(CONTENT));
        assertEquals(List.of(
            "SNAPSHOT index=20 term=3 bytes=" + CONTENT.length + " crc32c=" + crc + " members=[1,2,3,4,5]",
            "  config joint voters [1, 2, 4] <- [1, 2, 3] learners [5]",
            "SNAPSHOT index=10 term=2 bytes=" + CONTENT.length + " crc32c=" + crc + " members=[1,2,3]",
            "  config voters [1, 2, 3]"), List.of(bytes.toString(StandardCharsets.UTF_8).split("\n")));
    }

    // --- helpers

    private static SnapshotMeta commit(FileSnapshotStore store, long index, long term, Membership membership) {
        try (SnapshotSink sink = store.create(index, term, membership)) {
            sink.write(ByteBuffer.wrap(CONTENT));
            return sink.commit();
        }
    }

    private static byte[] readAll(FileSnapshotStore store, SnapshotMeta meta) {
        try (SnapshotSource source = store.open(meta)) {
            final ByteBuffer dst = ByteBuffer.allocate((int) meta.sizeBytes());
            assertEquals(dst.capacity(), source.read(0, dst));
            return dst.array();
        }
    }

    /** The only snapshot {@code index}/{@code term} is skipped by latest(), and open() names the file and problem. */
    private void assertDamaged(long index, long term, String problem) {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotMeta latest = store.latest();
            assertTrue(latest == null || latest.index() != index, "damaged snapshot taken: " + latest);
            final StorageException e = assertThrows(StorageException.class, () -> store.open(
                SnapshotMeta.of(index, term, JOINT)));
            assertTrue(e.getMessage().contains(file(index, term).toString()) && e.getMessage().contains(problem),
                e.getMessage());
        }
    }

    private Path file(long index, long term) {
        return dir.resolve(FileSnapshotStore.DIRECTORY).resolve(SnapshotFormat.fileName(index, term));
    }

    /** A version-2 file with {@code config} as its configuration bytes, CRCs intact. */
    private void writeVersion2(long index, long term, byte[] config) throws IOException {
        Files.createDirectories(dir.resolve(FileSnapshotStore.DIRECTORY));
        final ByteBuffer header = SnapshotFormat.header(index, term, config, CONTENT.length);
        final ByteBuffer file = ByteBuffer.allocate(header.remaining() + CONTENT.length + 4)
            .order(ByteOrder.LITTLE_ENDIAN);
        file.put(header).put(CONTENT).putInt((int) crc(CONTENT));
        Files.write(file(index, term), file.array());
    }

    /** The version-1 layout, byte by byte: member count at 12, member ids at 40, header CRC after them. */
    private static byte[] version1File(long index, long term, int[] members, byte[] content) {
        final int headerBytes = 40 + 4 * members.length;
        final ByteBuffer b = ByteBuffer.allocate(headerBytes + 4 + content.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put("PNTSNAP1".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(members.length)
            .putLong(index).putLong(term).putLong(content.length);
        for (int member : members) {
            b.putInt(member);
        }
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, headerBytes);
        b.putInt((int) crc.getValue());
        b.put(content).putInt((int) crc(content));
        return b.array();
    }

    private static long crc(byte[] bytes) {
        final CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    private static void flip(Path file, int position) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        bytes[position] ^= 0x5a;
        Files.write(file, bytes);
    }

    private static void putInt(Path file, int position, int value) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(position, value);
        Files.write(file, bytes);
    }
}
