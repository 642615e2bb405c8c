package io.pontoon.kv;

import io.pontoon.CommittedEntries;
import io.pontoon.SnapshotReader;
import io.pontoon.SnapshotWriter;
import io.pontoon.StateMachine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A replicated map of strings to strings on the {@link StateMachine} SPI: the log carries put, delete and cas
 * commands ({@link KvCodec}); gets read the map ({@link #get}, through {@code RaftNode.read}).
 *
 * <p>Exactly once: each write carries its client's id and sequence number, and the state machine keeps, per client,
 * the outcome of every command the client has not yet acknowledged (Raft thesis §6.3). A retried command (the same
 * client and sequence, e.g. resent after a timeout or a leader change) is not applied again: its first outcome is
 * returned. The client also says which sequence it waits for first ({@code firstUnacked}); outcomes below it are
 * dropped, and a command below it does nothing and is answered {@link KvResult.Status#EXPIRED}. At most
 * {@code maxClients} clients are remembered (the least recently active is forgotten first, the same way on every
 * node) and at most {@value #MAX_OUTCOMES_PER_CLIENT} outcomes per client: a client forgotten in between two tries of
 * a command could see it applied twice, so size {@code maxClients} above the number of clients active at once.
 *
 * <p>Outcomes are handed to whoever waits for them ({@link #awaitOutcome}) when the command is applied.
 *
 * <p>Threads: {@link #apply}, {@link #takeSnapshot} and {@link #restore} run on the node's apply thread (restore also
 * at start-up), as are queries passed to {@code RaftNode.read} ({@link #get}). {@link #localGet}, {@link #size} and
 * {@link #lastApplied} may be called from any thread (the map is concurrent), and so may {@link #awaitOutcome}.
 * Entries that are not key-value writes (e.g. from {@code ./pontoon append}) are skipped, identically on every node.
 */
public final class KvStateMachine implements StateMachine {
    /** Default of the clients remembered for exactly-once writes. */
    public static final int DEFAULT_MAX_CLIENTS = 100_000;
    /** Unacknowledged outcomes kept per client; more drop the lowest (that client runs too many writes at once). */
    public static final int MAX_OUTCOMES_PER_CLIENT = 4096;
    private static final int SNAPSHOT_MAGIC = 0x4b560001; // "KV", format 1

    private final int maxClients;
    private final ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
    /** Apply thread: clients by id, least recently active first. */
    private final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>();
    /** Waiters for a command's outcome, by (client, sequence); completed on the apply thread. */
    private final ConcurrentHashMap<CommandId, CompletableFuture<KvResult>> waiters = new ConcurrentHashMap<>();
    private volatile long lastApplied;
    private volatile long skippedEntries;

    public KvStateMachine() {
        this(DEFAULT_MAX_CLIENTS);
    }

    /** @param maxClients clients remembered for exactly-once writes, at least 1 */
    public KvStateMachine(int maxClients) {
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be at least 1, got " + maxClients);
        }
        this.maxClients = maxClients;
    }

    /** One client's exactly-once state. Apply thread. */
    private static final class Session {
        /** Every sequence below it is done or given up by the client. */
        long floor = 1;
        final TreeMap<Long, KvResult> outcomes = new TreeMap<>();

        void advanceFloor(long to) {
            if (to > floor) {
                floor = to;
                outcomes.headMap(to).clear();
            }
        }
    }

    private record CommandId(long clientId, long sequence) {
    }

    @Override
    public void apply(CommittedEntries entries) {
        long last = lastApplied;
        while (entries.next()) {
            if (entries.index() <= last) {
                throw new IllegalStateException("entry " + entries.index() + " delivered after entry " + last);
            }
            last = entries.index();
            final KvCommand c;
            try {
                c = KvCodec.decode(ByteBuffer.wrap(entries.bytes()));
            } catch (IllegalArgumentException notKv) {
                skippedEntries++;
                continue;
            }
            if (!c.isWrite()) {
                skippedEntries++;
                continue;
            }
            final KvResult r = applyWrite(c);
            final CompletableFuture<KvResult> waiter = waiters.remove(new CommandId(c.clientId(), c.sequence()));
            if (waiter != null) {
                waiter.complete(r);
            }
        }
        lastApplied = last;
    }

    /** Apply thread: a write, at most once per (client, sequence). */
    private KvResult applyWrite(KvCommand c) {
        Session s = sessions.remove(c.clientId());
        if (s == null) {
            s = new Session();
        }
        sessions.put(c.clientId(), s); // now the most recently active
        if (sessions.size() > maxClients) {
            final Iterator<Long> eldest = sessions.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        s.advanceFloor(c.firstUnacked());
        if (c.sequence() < s.floor) {
            return KvResult.EXPIRED;
        }
        final KvResult done = s.outcomes.get(c.sequence());
        if (done != null) {
            return done; // a retry: applied once already
        }
        final KvResult r = execute(c);
        s.outcomes.put(c.sequence(), r);
        if (s.outcomes.size() > MAX_OUTCOMES_PER_CLIENT) {
            s.advanceFloor(s.outcomes.firstKey() + 1);
        }
        return r;
    }

    private KvResult execute(KvCommand c) {
        switch (c.op()) {
            case KvCodec.PUT:
                map.put(c.key(), c.value());
                return KvResult.OK;
            case KvCodec.DELETE:
                return map.remove(c.key()) != null ? KvResult.OK : KvResult.NOT_FOUND;
            case KvCodec.CAS:
                final String found = map.get(c.key());
                if (!Objects.equals(found, c.expected())) {
                    return KvResult.casFailed(found);
                }
                map.put(c.key(), c.value());
                return KvResult.OK;
            default:
                throw new IllegalStateException("not a write: " + c.describe());
        }
    }

    /**
     * The outcome of the write {@code (clientId, sequence)}, once this node applies it (or a retry of it). Register
     * before proposing; if the proposal fails, {@link #abandon} the wait. Any thread; completes on the apply thread.
     */
    public CompletableFuture<KvResult> awaitOutcome(long clientId, long sequence) {
        return waiters.computeIfAbsent(new CommandId(clientId, sequence), id -> new CompletableFuture<>());
    }

    /** Stops waiting for {@code (clientId, sequence)}: {@code waiter} fails with {@code cause}. Any thread. */
    public void abandon(long clientId, long sequence, CompletableFuture<KvResult> waiter, Throwable cause) {
        waiters.remove(new CommandId(clientId, sequence), waiter);
        waiter.completeExceptionally(cause);
    }

    /** A get: the value, or NOT_FOUND. Call on the apply thread (a {@code RaftNode.read} query). */
    public KvResult get(String key) {
        final String v = map.get(key);
        return v == null ? KvResult.NOT_FOUND : KvResult.value(v);
    }

    /** The value this node holds now, without any check that it is up to date (not linearizable). Any thread. */
    public String localGet(String key) {
        return map.get(key);
    }

    /** Keys held. Any thread. */
    public int size() {
        return map.size();
    }

    /** Log index of the last entry applied (or of the snapshot restored). Any thread. */
    public long lastApplied() {
        return lastApplied;
    }

    /**
     * An order-independent 64-bit digest of the map: two nodes holding the same keys and values have the same digest
     * (what {@code ./pontoon kv-node} prints when it stops). Exact only while no apply runs (e.g. after the node
     * closed); any thread.
     */
    public long digest() {
        long sum = 0;
        for (Map.Entry<String, String> e : map.entrySet()) {
            long h = 0xcbf29ce484222325L;
            for (byte b : (e.getKey() + '\0' + e.getValue()).getBytes(StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xFF)) * 0x100000001b3L;
            }
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            sum += h ^ (h >>> 31);
        }
        return sum;
    }

    /** Committed entries that were not key-value writes, skipped. Any thread. */
    public long skippedEntries() {
        return skippedEntries;
    }

    @Override
    public void takeSnapshot(SnapshotWriter writer) throws IOException {
        final DataOutputStream out = new DataOutputStream(new BufferedOutputStream(writer, 64 * 1024));
        writeState(out, writer.index());
        out.flush();
    }

    @Override
    public void restore(SnapshotReader reader) throws IOException {
        readState(new DataInputStream(new BufferedInputStream(reader, 64 * 1024)), reader.index());
    }

    /** The whole state as of {@code index}: the map and every client's outcomes. Apply thread. */
    void writeState(DataOutput out, long index) throws IOException {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeLong(index);
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
        out.writeInt(sessions.size());
        for (Map.Entry<Long, Session> e : sessions.entrySet()) { // least recently active first, as kept
            out.writeLong(e.getKey());
            out.writeLong(e.getValue().floor);
            out.writeInt(e.getValue().outcomes.size());
            for (Map.Entry<Long, KvResult> o : e.getValue().outcomes.entrySet()) {
                out.writeLong(o.getKey());
                out.writeByte(o.getValue().status().ordinal());
                writeString(out, o.getValue().value());
            }
        }
        out.writeInt(SNAPSHOT_MAGIC);
    }

    /** Replaces the whole state with the one {@link #writeState} wrote for {@code index}. Apply thread. */
    void readState(DataInput in, long index) throws IOException {
        final int magic = in.readInt();
        if (magic != SNAPSHOT_MAGIC) {
            throw new IOException("not a key-value snapshot: it starts with 0x" + Integer.toHexString(magic)
                + ", expected 0x" + Integer.toHexString(SNAPSHOT_MAGIC));
        }
        final long at = in.readLong();
        if (at != index) {
            throw new IOException("key-value snapshot content is for index " + at + " but its metadata says " + index);
        }
        final Map<String, String> entries = new java.util.HashMap<>();
        for (int n = count(in, "keys"); n > 0; n--) {
            entries.put(readString(in), readString(in));
        }
        final LinkedHashMap<Long, Session> clients = new LinkedHashMap<>();
        for (int n = count(in, "clients"); n > 0; n--) {
            final long id = in.readLong();
            final Session s = new Session();
            s.floor = in.readLong();
            for (int k = count(in, "outcomes"); k > 0; k--) {
                final long sequence = in.readLong();
                final int status = in.readUnsignedByte();
                if (status >= KvResult.Status.values().length) {
                    throw new IOException("key-value snapshot has an outcome with unknown status " + status);
                }
                s.outcomes.put(sequence, new KvResult(KvResult.Status.values()[status], readString(in)));
            }
            clients.put(id, s);
        }
        if (in.readInt() != SNAPSHOT_MAGIC) {
            throw new IOException("key-value snapshot for index " + index + " does not end with its end marker");
        }
        map.clear();
        map.putAll(entries);
        sessions.clear();
        sessions.putAll(clients);
        lastApplied = at;
        completeRestoredWaiters();
    }

    /** Waiters whose command the restored state already holds get its outcome (its entry will not come). */
    private void completeRestoredWaiters() {
        final List<CommandId> done = new ArrayList<>();
        for (CommandId id : waiters.keySet()) {
            final Session s = sessions.get(id.clientId());
            if (s != null && s.outcomes.containsKey(id.sequence())) {
                done.add(id);
            }
        }
        for (CommandId id : done) {
            final CompletableFuture<KvResult> w = waiters.remove(id);
            if (w != null) {
                w.complete(sessions.get(id.clientId()).outcomes.get(id.sequence()));
            }
        }
    }

    private static int count(DataInput in, String what) throws IOException {
        final int n = in.readInt();
        if (n < 0) {
            throw new IOException("key-value snapshot has a negative count of " + what + ": " + n);
        }
        return n;
    }

    private static void writeString(DataOutput out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInput in) throws IOException {
        final int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw new IOException("key-value snapshot has a string of negative length " + length);
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
