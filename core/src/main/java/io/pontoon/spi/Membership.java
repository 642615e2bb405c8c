package io.pontoon.spi;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * A cluster configuration (thesis §4): who votes, who only learns, and where each member listens. Immutable.
 *
 * <ul>
 *   <li>{@link #voters()}: the voting members. An entry commits, a candidate wins and a read is confirmed once a
 *       majority of them agrees.</li>
 *   <li>{@link #outgoingVoters()}: during joint consensus (thesis §4.3), the voters of the configuration being left;
 *       then every decision needs a majority of both sets. Empty otherwise.</li>
 *   <li>{@link #learners()}: members that receive the log but never vote, never campaign and never count.</li>
 *   <li>{@link #address(int)}: each member's {@code host:port}, where the transport needs one (the Netty transport
 *       does; in-memory transports do not). Replicated with the configuration, so every node can reach a member
 *       added at run time.</li>
 * </ul>
 *
 * <p>A configuration travels in the log as a configuration entry ({@link LogStore#KIND_CONFIGURATION}) and in
 * snapshots; {@link #encode} and {@link #decode} give its byte form:
 * <pre>
 *   version u8 (1), voterCount u16, voters i32..., outgoingCount u16, outgoing i32..., learnerCount u16,
 *   learners i32..., addressCount u16, addressCount x { id i32, length u16, utf8[length] }     little-endian
 * </pre>
 */
public final class Membership {
    private static final byte VERSION = 1;
    private static final int MAX_MEMBERS = 1024;
    /** Largest encoded configuration (members and addresses), so it fits any InstallSnapshot chunk header. */
    public static final int MAX_ENCODED_BYTES = 4096;
    private static final int[] NONE = new int[0];

    private final int[] voters;
    private final int[] outgoing;
    private final int[] learners;
    private final Map<Integer, String> addresses;

    private Membership(int[] voters, int[] outgoing, int[] learners, Map<Integer, String> addresses) {
        this.voters = sortedDistinct("voters", voters);
        this.outgoing = sortedDistinct("outgoing voters", outgoing);
        this.learners = sortedDistinct("learners", learners);
        if (this.voters.length == 0) {
            throw new IllegalArgumentException("a configuration needs at least one voter"
                + (this.learners.length > 0 ? " (learners " + Arrays.toString(this.learners) + " cannot vote)" : ""));
        }
        if (this.voters.length + this.outgoing.length + this.learners.length > MAX_MEMBERS) {
            throw new IllegalArgumentException("a configuration holds at most " + MAX_MEMBERS + " members");
        }
        for (int id : this.learners) {
            if (contains(this.voters, id) || contains(this.outgoing, id)) {
                throw new IllegalArgumentException("node " + id + " is both a voter and a learner");
            }
        }
        final TreeMap<Integer, String> copy = new TreeMap<>();
        addresses.forEach((id, address) -> {
            if (id == null || address == null || address.isEmpty()) {
                throw new IllegalArgumentException("address of node " + id + " must be a non-empty host:port");
            }
            if (!isMember(id)) {
                throw new IllegalArgumentException("address given for node " + id + ", which is not a member of "
                    + describe());
            }
            if (address.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
                throw new IllegalArgumentException("address of node " + id + " is too long");
            }
            copy.put(id, address);
        });
        this.addresses = Collections.unmodifiableMap(copy);
        if (encodedLength() > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("a configuration of " + encodedLength() + " bytes is larger than "
                + MAX_ENCODED_BYTES + " (too many members, or addresses too long)");
        }
    }

    private int encodedLength() {
        int size = 1 + 2 + 4 * voters.length + 2 + 4 * outgoing.length + 2 + 4 * learners.length + 2;
        for (String address : addresses.values()) {
            size += 6 + address.getBytes(StandardCharsets.UTF_8).length;
        }
        return size;
    }

    /** Voters and learners, no addresses. */
    public static Membership of(int[] voters, int[] learners) {
        return new Membership(voters, NONE, learners, Map.of());
    }

    /** Voters and learners, with the members' addresses (a subset of the members; may be empty). */
    public static Membership of(int[] voters, int[] learners, Map<Integer, String> addresses) {
        return new Membership(voters, NONE, learners, addresses);
    }

    /** A joint configuration (thesis §4.3): leaving {@code outgoing} for {@code voters}. */
    public static Membership joint(int[] voters, int[] outgoing, int[] learners, Map<Integer, String> addresses) {
        return new Membership(voters, outgoing, learners, addresses);
    }

    /** The voters (the incoming voters while joint), sorted. */
    public int[] voters() {
        return voters.clone();
    }

    /** While joint: the voters of the configuration being left, sorted; else empty. */
    public int[] outgoingVoters() {
        return outgoing.clone();
    }

    public int[] learners() {
        return learners.clone();
    }

    /** Every member: voters, outgoing voters and learners, sorted, each once. */
    public int[] members() {
        return IntStream.concat(IntStream.concat(Arrays.stream(voters), Arrays.stream(outgoing)),
            Arrays.stream(learners)).distinct().sorted().toArray();
    }

    /** Member id to {@code host:port}, for the members whose address is known. */
    public Map<Integer, String> addresses() {
        return addresses;
    }

    /** The member's {@code host:port}, or null if not known. */
    public String address(int id) {
        return addresses.get(id);
    }

    public boolean isJoint() {
        return outgoing.length > 0;
    }

    /** Votes in this configuration (in the incoming or, while joint, the outgoing set). */
    public boolean isVoter(int id) {
        return contains(voters, id) || contains(outgoing, id);
    }

    /** A voter of the incoming (or only) set. */
    public boolean isIncomingVoter(int id) {
        return contains(voters, id);
    }

    public boolean isOutgoingVoter(int id) {
        return contains(outgoing, id);
    }

    public boolean isLearner(int id) {
        return contains(learners, id);
    }

    public boolean isMember(int id) {
        return isVoter(id) || isLearner(id);
    }

    /** The configuration a joint one leads to: its incoming voters and learners, outgoing voters gone. */
    public Membership leaveJoint() {
        return new Membership(voters, NONE, learners, onlyMembers(voters, learners, addresses));
    }

    /** This configuration with {@code addresses} merged in (for members only; later wins). */
    public Membership withAddresses(Map<Integer, String> more) {
        final TreeMap<Integer, String> merged = new TreeMap<>(addresses);
        more.forEach((id, address) -> {
            if (isMember(id)) {
                merged.put(id, address);
            }
        });
        return new Membership(voters, outgoing, learners, merged);
    }

    /**
     * This configuration with {@code id} added as a learner at {@code address} (null: keep any address known).
     * Throws if {@code id} is already a member. Not for a joint configuration.
     */
    public Membership withLearner(int id, String address) {
        requireNotJoint("add a learner");
        if (isMember(id)) {
            throw new IllegalArgumentException("node " + id + " is already a member (" + describe() + ")");
        }
        final TreeMap<Integer, String> a = new TreeMap<>(addresses);
        if (address != null) {
            a.put(id, address);
        }
        return new Membership(voters, NONE, IntStream.concat(Arrays.stream(learners), IntStream.of(id)).toArray(), a);
    }

    /**
     * This configuration with {@code id} a voter: a learner is promoted, a non-member added as a voter at
     * {@code address} (null: keep any address known). Throws if it already votes. Not for a joint configuration.
     */
    public Membership withVoter(int id, String address) {
        requireNotJoint("add a voter");
        if (contains(voters, id)) {
            throw new IllegalArgumentException("node " + id + " is already a voter (" + describe() + ")");
        }
        final TreeMap<Integer, String> a = new TreeMap<>(addresses);
        if (address != null) {
            a.put(id, address);
        }
        return new Membership(IntStream.concat(Arrays.stream(voters), IntStream.of(id)).toArray(), NONE,
            Arrays.stream(learners).filter(l -> l != id).toArray(), a);
    }

    /** This configuration without member {@code id} (voter or learner). Throws if it is not a member. */
    public Membership without(int id) {
        requireNotJoint("remove a member");
        if (!isMember(id)) {
            throw new IllegalArgumentException("node " + id + " is not a member (" + describe() + ")");
        }
        final int[] v = Arrays.stream(voters).filter(x -> x != id).toArray();
        final int[] l = Arrays.stream(learners).filter(x -> x != id).toArray();
        return new Membership(v, NONE, l, onlyMembers(v, l, addresses));
    }

    /**
     * The joint configuration (thesis §4.3) that leads from this one to {@code target}: {@code target}'s voters and
     * learners, this one's voters as the outgoing set, and both configurations' addresses.
     */
    public Membership jointTo(Membership target) {
        requireNotJoint("start a joint change");
        final TreeMap<Integer, String> a = new TreeMap<>(addresses);
        a.putAll(target.addresses);
        final int[] learnersNext = target.learners;
        return new Membership(target.voters, voters, learnersNext,
            onlyMembers(IntStream.concat(Arrays.stream(target.voters), Arrays.stream(voters)).toArray(),
                learnersNext, a));
    }

    /** How many voters are in one of this configuration's (incoming) voters and {@code other}'s but not both. */
    public int votersChangedFrom(Membership other) {
        int n = 0;
        for (int id : voters) {
            n += contains(other.voters, id) ? 0 : 1;
        }
        for (int id : other.voters) {
            n += contains(voters, id) ? 0 : 1;
        }
        return n;
    }

    private void requireNotJoint(String what) {
        if (isJoint()) {
            throw new IllegalArgumentException("cannot " + what + " to a joint configuration (" + describe() + ")");
        }
    }

    /** The addresses of {@code all} restricted to members of the given sets. */
    private static Map<Integer, String> onlyMembers(int[] voters, int[] learners, Map<Integer, String> all) {
        final TreeMap<Integer, String> kept = new TreeMap<>();
        all.forEach((id, address) -> {
            if (IntStream.of(voters).anyMatch(v -> v == id) || IntStream.of(learners).anyMatch(l -> l == id)) {
                kept.put(id, address);
            }
        });
        return kept;
    }

    /** The byte form (see the class comment). */
    public byte[] encode() {
        int size = 1 + 2 + 4 * voters.length + 2 + 4 * outgoing.length + 2 + 4 * learners.length + 2;
        final byte[][] utf8 = new byte[addresses.size()][];
        int i = 0;
        for (String address : addresses.values()) {
            utf8[i] = address.getBytes(StandardCharsets.UTF_8);
            size += 4 + 2 + utf8[i].length;
            i++;
        }
        final UnsafeBuffer b = new UnsafeBuffer(new byte[size]);
        int pos = 0;
        b.putByte(pos++, VERSION);
        pos = putIds(b, pos, voters);
        pos = putIds(b, pos, outgoing);
        pos = putIds(b, pos, learners);
        b.putShort(pos, (short) addresses.size(), LITTLE_ENDIAN);
        pos += 2;
        i = 0;
        for (int id : addresses.keySet()) {
            b.putInt(pos, id, LITTLE_ENDIAN);
            b.putShort(pos + 4, (short) utf8[i].length, LITTLE_ENDIAN);
            b.putBytes(pos + 6, utf8[i]);
            pos += 6 + utf8[i].length;
            i++;
        }
        return b.byteArray();
    }

    private static int putIds(UnsafeBuffer b, int pos, int[] ids) {
        b.putShort(pos, (short) ids.length, LITTLE_ENDIAN);
        pos += 2;
        for (int id : ids) {
            b.putInt(pos, id, LITTLE_ENDIAN);
            pos += 4;
        }
        return pos;
    }

    /** Reads the byte form. Throws {@link IllegalArgumentException} naming what is malformed. */
    public static Membership decode(DirectBuffer buffer, int offset, int length) {
        final Reader r = new Reader(buffer, offset, length);
        final int version = r.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("configuration of unknown version " + version + " (this build reads "
                + VERSION + ")");
        }
        final int[] voters = r.ids("voters");
        final int[] outgoing = r.ids("outgoing voters");
        final int[] learners = r.ids("learners");
        final int n = r.u16();
        final TreeMap<Integer, String> addresses = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            final int id = r.i32();
            final int len = r.u16();
            if (addresses.put(id, r.utf8(len)) != null) {
                throw new IllegalArgumentException("configuration gives node " + id + " two addresses");
            }
        }
        if (r.pos != offset + length) {
            throw new IllegalArgumentException("configuration has " + (offset + length - r.pos) + " trailing bytes");
        }
        return new Membership(voters, outgoing, learners, addresses);
    }

    public static Membership decode(byte[] bytes) {
        return decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static final class Reader {
        final DirectBuffer b;
        final int end;
        int pos;

        Reader(DirectBuffer b, int offset, int length) {
            this.b = b;
            this.pos = offset;
            this.end = offset + length;
        }

        private void need(int n) {
            if (end - pos < n) {
                throw new IllegalArgumentException("configuration of " + (end - pos) + " bytes left is truncated"
                    + " (needs " + n + " more)");
            }
        }

        int u8() {
            need(1);
            return b.getByte(pos++) & 0xFF;
        }

        int u16() {
            need(2);
            final int v = b.getShort(pos, LITTLE_ENDIAN) & 0xFFFF;
            pos += 2;
            return v;
        }

        int i32() {
            need(4);
            final int v = b.getInt(pos, LITTLE_ENDIAN);
            pos += 4;
            return v;
        }

        int[] ids(String what) {
            final int n = u16();
            if (n > MAX_MEMBERS) {
                throw new IllegalArgumentException("configuration lists " + n + " " + what);
            }
            final int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i32();
            }
            return ids;
        }

        String utf8(int len) {
            need(len);
            final byte[] bytes = new byte[len];
            b.getBytes(pos, bytes);
            pos += len;
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static int[] sortedDistinct(String what, int[] ids) {
        if (ids == null) {
            throw new IllegalArgumentException(what + " must not be null (an empty array for none)");
        }
        final int[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] <= 0) {
                throw new IllegalArgumentException("node ids must be positive, got " + sorted[i] + " in " + what);
            }
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("node " + sorted[i] + " is listed twice in " + what);
            }
        }
        return sorted;
    }

    static boolean contains(int[] sorted, int id) {
        return Arrays.binarySearch(sorted, id) >= 0;
    }

    /** Same members in the same roles (addresses not compared). */
    public boolean sameMembers(Membership o) {
        return Arrays.equals(voters, o.voters) && Arrays.equals(outgoing, o.outgoing)
            && Arrays.equals(learners, o.learners);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Membership m && sameMembers(m) && addresses.equals(m.addresses);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(voters) * 31 + Arrays.hashCode(learners);
    }

    /** For example {@code voters [1, 2, 3] learners [4]} or {@code joint voters [1, 2, 4] <- [1, 2, 3]}. */
    public String describe() {
        return (isJoint() ? "joint voters " + Arrays.toString(voters) + " <- " + Arrays.toString(outgoing)
            : "voters " + Arrays.toString(voters)) + (learners.length > 0 ? " learners " + Arrays.toString(learners) : "");
    }

    @Override
    public String toString() {
        return describe() + (addresses.isEmpty() ? "" : " addresses " + addresses);
    }
}
