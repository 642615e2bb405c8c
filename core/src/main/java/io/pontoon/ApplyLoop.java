package io.pontoon;

import io.pontoon.util.WakeableIdleStrategy;
import io.pontoon.spi.Membership;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The apply thread of a node with a {@link StateMachine} ({@code pontoon-apply-<id>}): the Raft thread hands each
 * committed entry (and each snapshot installed from the leader) over a bounded ring; this thread applies them in
 * batches and takes snapshots by the configured policy or on request, streaming them to the SnapshotStore, then
 * tells the Raft thread ({@link #pollTaken()}), which compacts the log. The Raft thread never waits for the state
 * machine: when the ring is full, {@link #canApply} holds delivery back and the engine offers the entry again later.
 */
final class ApplyLoop implements Agent {
    private static final int ENTRY = 1;
    private static final int RESTORE = 2;
    /** A configuration entry was applied: index i64, term i64, the configuration's bytes. */
    private static final int MEMBERSHIP = 3;
    private static final int ENTRY_HEADER = 16;
    /** Room kept free for a RESTORE record: its fixed part and up to 1,024 member ids. */
    private static final int RESTORE_RESERVE = 64 + io.pontoon.protocol.InstallSnapshotCodec.MAX_CONFIGURATION_BYTES;
    private static final int MAX_BATCH_ENTRIES = 4096;
    private static final int MAX_BATCH_BYTES = 4 * 1024 * 1024;

    private final int nodeId;
    private final StateMachine stateMachine;
    private final SnapshotStore snapshots;
    /** Apply thread: the configuration at {@link #lastIndex}, which a snapshot taken there records. */
    private Membership members;
    private final long everyEntries;
    private final long everyBytes;
    private final OneToOneRingBuffer ring;
    private final WakeableIdleStrategy idle;
    private final AgentRunner runner;
    private final Consumer<Throwable> onFailure;
    private final Runnable wakeRaftThread;
    private final AtomicReference<SnapshotMeta> taken = new AtomicReference<>();
    private final ConcurrentLinkedQueue<CompletableFuture<SnapshotMeta>> requests = new ConcurrentLinkedQueue<>();
    /** Reads handed over by the Raft thread, then (apply thread) those waiting for the state machine to catch up. */
    private final ConcurrentLinkedQueue<ReadWaiter> readsArrived = new ConcurrentLinkedQueue<>();
    private final java.util.PriorityQueue<ReadWaiter> readsWaiting = new java.util.PriorityQueue<>(ReadWaiter.BY_WAIT_FOR);
    private final MessageHandler handler = this::onRecord;
    private final Batch batch = new Batch();

    // Apply thread state.
    private long lastIndex;
    private long lastTerm;
    private long snapshotIndex;
    private SnapshotMeta latest;
    private long sinceEntries;
    private long sinceBytes;
    private boolean failed;
    private volatile long appliedIndex;
    private volatile long snapshotsTaken;
    /** How long the last snapshot took to write, and its size (issue 13: reports and metrics). */
    private volatile long lastSnapshotNs;
    private volatile long lastSnapshotBytes;

    ApplyLoop(int nodeId, StateMachine stateMachine, SnapshotStore snapshots, Membership members, RaftConfig config,
              SnapshotMeta restored, Consumer<Throwable> onFailure, Runnable wakeRaftThread) {
        this.nodeId = nodeId;
        this.stateMachine = stateMachine;
        this.snapshots = snapshots;
        this.members = members;
        this.everyEntries = config.snapshotEveryEntries;
        this.everyBytes = config.snapshotEveryBytes;
        this.onFailure = onFailure;
        this.wakeRaftThread = wakeRaftThread;
        // Room for a few of the largest entries; committed entries wait here, not in the Raft thread's log reads.
        final int capacity = Integer.highestOneBit(Math.max(config.maxEntryBytes + ENTRY_HEADER, 1 << 20) * 8 - 1) * 2;
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.idle = new WakeableIdleStrategy(20, 10, 1_000_000L,
            () -> ring.size() > 0 || !requests.isEmpty() || !readsArrived.isEmpty());
        if (restored != null) {
            lastIndex = restored.index();
            lastTerm = restored.term();
            snapshotIndex = restored.index();
            latest = restored;
            appliedIndex = restored.index();
        }
        this.runner = new AgentRunner(idle, this::fail, null, this);
    }

    void start() {
        AgentRunner.startOnThread(runner);
    }

    @Override
    public String roleName() {
        return "pontoon-apply-" + nodeId;
    }

    // ------------------------------------------------------------------ Raft thread

    /** Raft thread: whether an entry of {@code length} bytes can be handed over now. */
    boolean canApply(int length) {
        return ring.capacity() - ring.size() >= ENTRY_HEADER + length + RESTORE_RESERVE + 64;
    }

    /** Raft thread: hands over a committed entry ({@link #canApply} said yes). */
    void offer(long index, long term, DirectBuffer data, int offset, int length) {
        final boolean wasEmpty = ring.size() == 0;
        final int at = claim(ENTRY, ENTRY_HEADER + length);
        final MutableDirectBuffer b = ring.buffer();
        b.putLong(at, index, LITTLE_ENDIAN);
        b.putLong(at + 8, term, LITTLE_ENDIAN);
        b.putBytes(at + ENTRY_HEADER, data, offset, length);
        ring.commit(at);
        if (wasEmpty) {
            idle.wake();
        }
    }

    /**
     * Raft thread: a read to serve once the state machine holds {@code w.waitFor}: its query then runs here, between
     * two applies.
     */
    void addRead(ReadWaiter w) {
        readsArrived.add(w);
        idle.wake();
    }

    /** Raft thread: a snapshot from the leader was installed; the state machine restores it before what follows. */
    void offerRestore(SnapshotMeta meta) {
        final byte[] config = meta.membership().encode();
        final int at = claim(RESTORE, 32 + config.length);
        final MutableDirectBuffer b = ring.buffer();
        b.putLong(at, meta.index(), LITTLE_ENDIAN);
        b.putLong(at + 8, meta.term(), LITTLE_ENDIAN);
        b.putLong(at + 16, meta.sizeBytes(), LITTLE_ENDIAN);
        b.putLong(at + 24, meta.checksum(), LITTLE_ENDIAN);
        b.putBytes(at + 32, config);
        ring.commit(at);
        idle.wake();
    }

    /**
     * Raft thread: the configuration entry at {@code index} was applied (in order with the entries around it;
     * {@link #canApply} said yes for its size): snapshots taken from here on record {@code membership}.
     */
    void offerMembership(long index, long term, Membership membership) {
        final byte[] config = membership.encode();
        final int at = claim(MEMBERSHIP, 16 + config.length);
        final MutableDirectBuffer b = ring.buffer();
        b.putLong(at, index, LITTLE_ENDIAN);
        b.putLong(at + 8, term, LITTLE_ENDIAN);
        b.putBytes(at + 16, config);
        ring.commit(at);
        idle.wake();
    }

    private int claim(int type, int length) {
        final int at = ring.tryClaim(type, length);
        if (at < 0) {
            // canApply keeps room for a RESTORE and gates every entry: a failed claim is a bug here.
            throw new IllegalStateException("node " + nodeId + ": the apply ring has no room for a record of " + length
                + " bytes although canApply said so");
        }
        return at;
    }

    /** Raft thread, every cycle: a snapshot the apply thread committed since the last call, or null. */
    SnapshotMeta pollTaken() {
        return taken.getAndSet(null);
    }

    // ------------------------------------------------------------------ any thread

    /** Asks for a snapshot now; completes with it once durable (or with the latest, if nothing was applied since). */
    CompletableFuture<SnapshotMeta> requestSnapshot() {
        final CompletableFuture<SnapshotMeta> f = new CompletableFuture<>();
        requests.add(f);
        idle.wake();
        return f;
    }

    /** Snapshots this apply thread took (not counting those installed from a leader). */
    long lastSnapshotNs() {
        return lastSnapshotNs;
    }

    long lastSnapshotBytes() {
        return lastSnapshotBytes;
    }

    long snapshotsTaken() {
        return snapshotsTaken;
    }

    /** Highest index the state machine holds (applied or restored). */
    long appliedIndex() {
        return appliedIndex;
    }

    void close() {
        runner.close();
        CompletableFuture<SnapshotMeta> f;
        while ((f = requests.poll()) != null) {
            f.completeExceptionally(new IllegalStateException("node " + nodeId + " is closed"));
        }
    }

    // ------------------------------------------------------------------ apply thread

    @Override
    public int doWork() throws Exception {
        if (failed) {
            return 0;
        }
        final int records = ring.read(handler, MAX_BATCH_ENTRIES);
        applyBatch();
        int work = records + serveReads();
        if ((everyEntries > 0 && sinceEntries >= everyEntries) || (everyBytes > 0 && sinceBytes >= everyBytes)
            || !requests.isEmpty()) {
            takeSnapshot();
            work++;
        }
        return work;
    }

    /** Serves the reads whose index the state machine now holds. */
    private int serveReads() {
        ReadWaiter w;
        while ((w = readsArrived.poll()) != null) {
            readsWaiting.add(w);
        }
        int served = 0;
        while (!readsWaiting.isEmpty() && readsWaiting.peek().waitFor <= lastIndex && !failed) {
            readsWaiting.poll().serve();
            served++;
        }
        return served;
    }

    /**
     * The node is closing (its Raft thread has stopped): what was handed over is applied before the thread ends,
     * so the state machine holds everything the node had committed and passed on. Reads it can serve are served,
     * the others fail with CLOSED.
     */
    @Override
    public void onClose() {
        while (!failed && ring.size() > 0) {
            ring.read(handler, MAX_BATCH_ENTRIES);
            applyBatch();
        }
        serveReads();
        final ProposalException closed = new ProposalException(ResultCode.CLOSED, -1, 0);
        ReadWaiter w;
        while ((w = readsArrived.poll()) != null) {
            w.fail(closed);
        }
        while ((w = readsWaiting.poll()) != null) {
            w.fail(closed);
        }
    }

    private void onRecord(int type, MutableDirectBuffer buffer, int offset, int length) {
        if (failed) {
            return;
        }
        try {
            if (type == ENTRY) {
                final int payload = length - ENTRY_HEADER;
                if (batch.count == MAX_BATCH_ENTRIES || batch.bytes + payload > MAX_BATCH_BYTES) {
                    applyBatch();
                }
                batch.add(buffer.getLong(offset, LITTLE_ENDIAN), buffer.getLong(offset + 8, LITTLE_ENDIAN),
                    buffer, offset + ENTRY_HEADER, payload);
            } else if (type == RESTORE) {
                applyBatch();
                final Membership m = Membership.decode(buffer, offset + 32, length - 32);
                restore(new SnapshotMeta(buffer.getLong(offset, LITTLE_ENDIAN), buffer.getLong(offset + 8, LITTLE_ENDIAN),
                    m, buffer.getLong(offset + 16, LITTLE_ENDIAN), buffer.getLong(offset + 24, LITTLE_ENDIAN)));
            } else if (type == MEMBERSHIP) {
                applyBatch();
                if (!failed) {
                    members = Membership.decode(buffer, offset + 16, length - 16);
                    lastIndex = buffer.getLong(offset, LITTLE_ENDIAN);
                    lastTerm = buffer.getLong(offset + 8, LITTLE_ENDIAN);
                    appliedIndex = lastIndex;
                }
            }
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void applyBatch() {
        if (batch.count == 0 || failed) {
            batch.clear();
            return;
        }
        try {
            batch.rewind();
            stateMachine.apply(batch);
            lastIndex = batch.lastIndex();
            lastTerm = batch.lastTerm();
            sinceEntries += batch.count;
            sinceBytes += batch.bytes;
            appliedIndex = lastIndex;
        } catch (Throwable t) {
            fail(t);
        } finally {
            batch.clear();
        }
    }

    private void restore(SnapshotMeta meta) throws Exception {
        try (SnapshotStore.SnapshotSource source = snapshots.open(meta)) {
            stateMachine.restore(new SnapshotReader(source));
        }
        lastIndex = meta.index();
        lastTerm = meta.term();
        members = meta.membership();
        snapshotIndex = meta.index();
        latest = meta;
        sinceEntries = 0;
        sinceBytes = 0;
        appliedIndex = lastIndex;
    }

    private void takeSnapshot() {
        if (failed) {
            return;
        }
        try {
            if (lastIndex > snapshotIndex) {
                final long startNs = System.nanoTime();
                final SnapshotMeta meta;
                try (SnapshotStore.SnapshotSink sink = snapshots.create(lastIndex, lastTerm, members)) {
                    final SnapshotWriter writer = new SnapshotWriter(sink, lastIndex, lastTerm);
                    stateMachine.takeSnapshot(writer);
                    writer.flush();
                    meta = sink.commit();
                }
                snapshotIndex = lastIndex;
                latest = meta;
                lastSnapshotNs = System.nanoTime() - startNs;
                lastSnapshotBytes = meta.sizeBytes();
                snapshotsTaken++;
                taken.set(meta);
                wakeRaftThread.run();
            }
            sinceEntries = 0;
            sinceBytes = 0;
            CompletableFuture<SnapshotMeta> f;
            while ((f = requests.poll()) != null) {
                if (latest != null) {
                    f.complete(latest);
                } else {
                    f.completeExceptionally(new IllegalStateException("node " + nodeId
                        + " has applied nothing yet: no snapshot to take"));
                }
            }
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void fail(Throwable t) {
        if (failed) {
            return;
        }
        failed = true;
        CompletableFuture<SnapshotMeta> f;
        while ((f = requests.poll()) != null) {
            f.completeExceptionally(t);
        }
        onFailure.accept(new IllegalStateException("node " + nodeId + ": the state machine failed: " + t, t));
    }

    /** The batch handed to {@link StateMachine#apply}: entries copied out of the ring into one buffer. */
    private static final class Batch implements CommittedEntries {
        private final ExpandableDirectByteBuffer data = new ExpandableDirectByteBuffer(64 * 1024);
        private long[] indexes = new long[256];
        private long[] terms = new long[256];
        private int[] offsets = new int[256];
        private int[] lengths = new int[256];
        int count;
        long bytes;
        private int cursor = -1;

        void add(long index, long term, DirectBuffer src, int offset, int length) {
            if (count == indexes.length) {
                final int size = count * 2;
                indexes = java.util.Arrays.copyOf(indexes, size);
                terms = java.util.Arrays.copyOf(terms, size);
                offsets = java.util.Arrays.copyOf(offsets, size);
                lengths = java.util.Arrays.copyOf(lengths, size);
            }
            final int at = (int) bytes;
            data.putBytes(at, src, offset, length);
            indexes[count] = index;
            terms[count] = term;
            offsets[count] = at;
            lengths[count] = length;
            count++;
            bytes += length;
        }

        void rewind() {
            cursor = -1;
        }

        void clear() {
            count = 0;
            bytes = 0;
            cursor = -1;
        }

        long lastIndex() {
            return indexes[count - 1];
        }

        long lastTerm() {
            return terms[count - 1];
        }

        @Override
        public boolean next() {
            if (cursor + 1 >= count) {
                cursor = count;
                return false;
            }
            cursor++;
            return true;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public long index() {
            return indexes[cursor];
        }

        @Override
        public long term() {
            return terms[cursor];
        }

        @Override
        public DirectBuffer buffer() {
            return data;
        }

        @Override
        public int offset() {
            return offsets[cursor];
        }

        @Override
        public int length() {
            return lengths[cursor];
        }
    }
}
