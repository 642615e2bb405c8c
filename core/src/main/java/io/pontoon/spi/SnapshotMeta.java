package io.pontoon.spi;

import java.util.Objects;

/**
 * What a snapshot covers: the log up to and including {@code index}, whose entry had {@code term}, under the
 * cluster configuration {@code membership} (the one in effect at {@code index}: a node that starts from, or
 * installs, the snapshot takes it as its configuration until its log holds a newer one). {@code sizeBytes} and
 * {@code checksum} (CRC32C of the content bytes) describe the content; both are -1 for a snapshot still being
 * written.
 */
public record SnapshotMeta(long index, long term, Membership membership, long sizeBytes, long checksum) {
    public SnapshotMeta {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("a snapshot covers index >= 1 of term >= 1, got index " + index
                + " term " + term);
        }
        Objects.requireNonNull(membership, "membership");
    }

    /** Metadata of a snapshot about to be written (size and checksum not known yet). */
    public static SnapshotMeta of(long index, long term, Membership membership) {
        return new SnapshotMeta(index, term, membership, -1, -1);
    }

    /** Every member's id (voters and learners), sorted. */
    public int[] members() {
        return membership.members();
    }

    @Override
    public String toString() {
        return "snapshot(index " + index + ", term " + term + ", " + membership.describe()
            + (sizeBytes >= 0 ? ", " + sizeBytes + " bytes, crc32c " + Long.toHexString(checksum) : "") + ")";
    }
}
