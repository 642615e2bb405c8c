package io.pontoon.sim;

import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The state machine of a simulated node: a running hash and count of the payloads applied, in index order. Two
 * nodes that applied the same committed entries have equal states, so the checker compares every node's state
 * with the one the committed log implies, after every apply and after every snapshot restore.
 *
 * <p>Its snapshot is 24 bytes (index, count, hash) followed by a deterministic filler of up to 1,999 bytes that
 * depends on them, so snapshots span several InstallSnapshot chunks and any damaged or misplaced byte is noticed
 * on restore.
 */
final class SimStateMachine {
    long appliedIndex;
    long count;
    long hash;

    void reset() {
        appliedIndex = 0;
        count = 0;
        hash = 0;
    }

    void apply(long index, long payloadHash) {
        count++;
        hash = mix(hash, payloadHash);
        appliedIndex = index;
    }

    static long mix(long hash, long payloadHash) {
        return Simulation.mix(hash, payloadHash, 0x5a17L);
    }

    /** The snapshot content of this state, as of log index {@code index} (>= appliedIndex). */
    byte[] snapshot(long index) {
        final int filler = (int) Math.floorMod(hash ^ count, 2000L);
        final ByteBuffer b = ByteBuffer.allocate(24 + filler).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(index).putLong(count).putLong(hash);
        for (int i = 0; i < filler; i++) {
            b.put(fillerByte(i));
        }
        return b.array();
    }

    private byte fillerByte(int i) {
        return (byte) (hash >>> ((i % 8) * 8) ^ i);
    }

    /**
     * Restores from {@code meta} in {@code store}, reading it in small chunks as a real state machine would.
     * Returns null, or what is wrong with the content.
     */
    String restore(SnapshotStore store, SnapshotMeta meta) {
        final ByteBuffer content = ByteBuffer.allocate((int) meta.sizeBytes()).order(ByteOrder.LITTLE_ENDIAN);
        try (SnapshotStore.SnapshotSource source = store.open(meta)) {
            final ByteBuffer chunk = ByteBuffer.allocate(97);
            long position = 0;
            int n;
            while ((n = source.read(position, chunk.clear())) > 0) {
                content.put(chunk.flip());
                position += n;
            }
        }
        if (content.position() != meta.sizeBytes() || meta.sizeBytes() < 24) {
            return "read " + content.position() + " bytes of " + meta;
        }
        content.flip();
        final long index = content.getLong();
        count = content.getLong();
        hash = content.getLong();
        appliedIndex = index;
        if (index != meta.index()) {
            return "its content says index " + index + " but the metadata says " + meta.index();
        }
        final int filler = (int) Math.floorMod(hash ^ count, 2000L);
        if (content.remaining() != filler) {
            return "filler of " + content.remaining() + " bytes, expected " + filler;
        }
        for (int i = 0; i < filler; i++) {
            if (content.get() != fillerByte(i)) {
                return "filler byte " + i + " damaged";
            }
        }
        return null;
    }
}
