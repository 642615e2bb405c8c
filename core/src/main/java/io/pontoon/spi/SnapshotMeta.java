package io.pontoon.spi;

import java.util.Arrays;

/**
 * What a snapshot covers: the log up to and including {@code index}, whose entry had {@code term}, under the
 * cluster configuration {@code members}. {@code sizeBytes} and {@code checksum} (CRC32C of the content bytes)
 * describe the content; both are -1 for a snapshot still being written.
 */
public record SnapshotMeta(long index, long term, int[] members, long sizeBytes, long checksum) {
    public SnapshotMeta {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("a snapshot covers index >= 1 of term >= 1, got index " + index
                + " term " + term);
        }
        members = members.clone();
    }

    /** Metadata of a snapshot about to be written (size and checksum not known yet). */
    public static SnapshotMeta of(long index, long term, int[] members) {
        return new SnapshotMeta(index, term, members, -1, -1);
    }

    @Override
    public int[] members() {
        return members.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotMeta m && m.index == index && m.term == term && Arrays.equals(m.members, members)
            && m.sizeBytes == sizeBytes && m.checksum == checksum;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Long.hashCode(term);
    }

    @Override
    public String toString() {
        return "snapshot(index " + index + ", term " + term + ", members " + Arrays.toString(members)
            + (sizeBytes >= 0 ? ", " + sizeBytes + " bytes, crc32c " + Long.toHexString(checksum) : "") + ")";
    }
}
