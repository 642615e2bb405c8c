package io.pontoon.runtime;

import io.pontoon.protocol.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * The typed codec of a node's inbound ring (STYLE.md 17): the records that producers (Netty I/O threads,
 * client threads, the status caller) write and the Raft thread reads, encoded and decoded in place over
 * the ring's memory, with no allocation. A flyweight over one {@link RingBuffer}; producer methods are
 * safe from any thread (the ring is many-to-one), {@link #read} only on the Raft thread.
 *
 * <p>Record types. A ring record's type id is either a peer message's wire type or an in-process
 * control id:
 * <ul>
 *   <li>peer message, type = its wire {@link MessageType} (1..{@link MessageType#MAX_RAFT_TYPE}):
 *       {@code from} i32 at 0, the message body from {@link #PEER_HEADER_LENGTH};</li>
 *   <li>{@link #PROPOSAL} ({@value #PROPOSAL}): callback {@code slot} i32 at 0, 4 bytes padding,
 *       {@code correlationId} i64 at 8, the entry's bytes from {@link #PROPOSAL_HEADER_LENGTH};</li>
 *   <li>{@link #STATUS_REQUEST} ({@value #STATUS_REQUEST}): {@code requestId} i64 at 0;</li>
 *   <li>{@link #RELEASE_SLOT} ({@value #RELEASE_SLOT}): callback {@code slot} i32 at 0. It follows, in ring
 *       order, every proposal its producer made with that slot.</li>
 *   <li>{@link #READ_REQUEST} ({@value #READ_REQUEST}): {@code readId} i64 at 0, {@code lease} i32 at 8;</li>
 *   <li>{@link #TRANSFER_REQUEST} ({@value #TRANSFER_REQUEST}): {@code target} node id i32 at 0;</li>
 *   <li>{@link #MEMBERSHIP_REQUEST} ({@value #MEMBERSHIP_REQUEST}): {@code tag} i64 at 0, {@code expectedIndex} i64
 *   at 8, the target configuration's bytes from 16.</li>
 * </ul>
 * The wire's message type is one unsigned byte (docs/PROTOCOL.md: 1..31 peer, 32..63 client, 64..127
 * reserved, 240..243 handshake), so every id from {@link #FIRST_CONTROL_TYPE} = 256 up can never be a
 * wire type: a control record and a peer message cannot be mistaken for each other, whatever the wire
 * adds later.
 */
public final class InboundRing {
    /** First in-process control id: one above the largest value of the wire's one-byte type field. */
    public static final int FIRST_CONTROL_TYPE = 256;
    /** A proposal from {@code RaftNode.propose}. */
    public static final int PROPOSAL = FIRST_CONTROL_TYPE;
    /** A status request from {@code RaftNode.statusAsync}. */
    public static final int STATUS_REQUEST = FIRST_CONTROL_TYPE + 1;
    /** A callback slot given back by {@code RaftNode.release} (its client connection closed). */
    public static final int RELEASE_SLOT = FIRST_CONTROL_TYPE + 2;
    /** A read from {@code RaftNode.readIndex} / {@code read}. */
    public static final int READ_REQUEST = FIRST_CONTROL_TYPE + 3;
    /** A leadership transfer from {@code RaftNode.transferLeadership}. */
    public static final int TRANSFER_REQUEST = FIRST_CONTROL_TYPE + 4;
    /** A membership change from {@code RaftNode.changeMembership}. */
    public static final int MEMBERSHIP_REQUEST = FIRST_CONTROL_TYPE + 5;

    public static final int PEER_HEADER_LENGTH = 4;
    public static final int PROPOSAL_HEADER_LENGTH = 16;
    public static final int STATUS_REQUEST_LENGTH = 8;
    /** Proposal correlation ids are 48 bits: the Raft thread packs (slot, correlationId) into one long tag. */
    public static final long CORRELATION_MASK = (1L << 48) - 1;

    private static final int PROPOSAL_SLOT_OFFSET = 0;
    private static final int PROPOSAL_CORRELATION_OFFSET = 8;

    /** What the Raft thread does with each record type (the inbound adapter's callbacks). */
    public interface Handler {
        /** A peer message; {@code body} is valid only during the call. */
        void onPeerMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length);

        /** A proposal; {@code data} is valid only during the call. */
        void onProposal(int callbackSlot, long correlationId, DirectBuffer data, int offset, int length);

        void onStatusRequest(long requestId);

        /** Every proposal made with {@code callbackSlot} is in the ring before this; the slot may be reused once they have results. */
        default void onReleaseSlot(int callbackSlot) {
        }

        /** A read ({@code lease}: a lease read). */
        default void onReadRequest(long readId, boolean lease) {
        }

        /** Hand leadership to {@code target}. */
        default void onTransferRequest(int target) {
        }

        /**
         * Change the configuration to the one encoded in {@code config} (valid only during the call), if the one in
         * effect is still at {@code expectedIndex}; its outcome goes to the proposal callback of {@code tag}.
         */
        default void onMembershipRequest(long tag, long expectedIndex, DirectBuffer config, int offset, int length) {
        }
    }

    private final RingBuffer ring;
    private final Decoder decoder = new Decoder();

    public InboundRing(RingBuffer ring) {
        this.ring = ring;
    }

    /** Bytes waiting to be read (any thread; a hint). */
    public int size() {
        return ring.size();
    }

    /**
     * Producer (a transport thread): copies one peer message into the ring. Returns false if the ring is
     * full (back-pressure: the transport retries or drops, as for a lossy link).
     */
    public boolean offerPeerMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length) {
        if (type < 1 || type >= FIRST_CONTROL_TYPE) {
            throw new IllegalArgumentException("peer message type must be a wire type in [1, 255], got " + type);
        }
        if (PEER_HEADER_LENGTH + length > ring.maxMsgLength()) {
            return false; // from a peer configured with larger batches than this ring takes: lost, as on a lossy link
        }
        final int claim = ring.tryClaim(type, PEER_HEADER_LENGTH + length);
        if (claim <= 0) {
            return false;
        }
        final AtomicBuffer buf = ring.buffer();
        buf.putInt(claim, fromNodeId);
        buf.putBytes(claim + PEER_HEADER_LENGTH, body, offset, length);
        ring.commit(claim);
        return true;
    }

    /**
     * Producer (any thread): copies one proposal into the ring. Returns false if the ring is full.
     * {@code correlationId} must be in [0, 2^48), {@code callbackSlot} in [0, 65535).
     */
    public boolean offerProposal(int callbackSlot, long correlationId, DirectBuffer data, int offset, int length) {
        final int claim = ring.tryClaim(PROPOSAL, PROPOSAL_HEADER_LENGTH + length);
        if (claim <= 0) {
            return false;
        }
        final AtomicBuffer buf = ring.buffer();
        buf.putInt(claim + PROPOSAL_SLOT_OFFSET, callbackSlot);
        buf.putLong(claim + PROPOSAL_CORRELATION_OFFSET, correlationId);
        buf.putBytes(claim + PROPOSAL_HEADER_LENGTH, data, offset, length);
        ring.commit(claim);
        return true;
    }

    /** Producer (any thread): asks the Raft thread for a status snapshot. Returns false if the ring is full. */
    public boolean offerStatusRequest(long requestId) {
        final int claim = ring.tryClaim(STATUS_REQUEST, STATUS_REQUEST_LENGTH);
        if (claim <= 0) {
            return false;
        }
        ring.buffer().putLong(claim, requestId);
        ring.commit(claim);
        return true;
    }

    /** Producer (any thread): a read. Returns false if the ring is full. */
    public boolean offerReadRequest(long readId, boolean lease) {
        final int claim = ring.tryClaim(READ_REQUEST, 12);
        if (claim <= 0) {
            return false;
        }
        ring.buffer().putLong(claim, readId);
        ring.buffer().putInt(claim + 8, lease ? 1 : 0);
        ring.commit(claim);
        return true;
    }

    /** Producer (any thread): a leadership transfer to {@code target}. Returns false if the ring is full. */
    public boolean offerTransferRequest(int target) {
        final int claim = ring.tryClaim(TRANSFER_REQUEST, 4);
        if (claim <= 0) {
            return false;
        }
        ring.buffer().putInt(claim, target);
        ring.commit(claim);
        return true;
    }

    /** Producer (any thread): a membership change (see {@link Handler#onMembershipRequest}). False if full. */
    public boolean offerMembershipRequest(long tag, long expectedIndex, byte[] config) {
        final int claim = ring.tryClaim(MEMBERSHIP_REQUEST, 16 + config.length);
        if (claim <= 0) {
            return false;
        }
        ring.buffer().putLong(claim, tag);
        ring.buffer().putLong(claim + 8, expectedIndex);
        ring.buffer().putBytes(claim + 16, config);
        ring.commit(claim);
        return true;
    }

    /** Producer (the thread that proposed with the slot, after its last proposal): gives the slot back. False if full. */
    public boolean offerReleaseSlot(int callbackSlot) {
        final int claim = ring.tryClaim(RELEASE_SLOT, 4);
        if (claim <= 0) {
            return false;
        }
        ring.buffer().putInt(claim, callbackSlot);
        ring.commit(claim);
        return true;
    }

    /**
     * Raft thread: decodes up to {@code limit} records into {@code handler}. Returns the number read.
     * An unknown record type is a bug in a producer of this process, not bad input from the network (the
     * transport checks wire types before they reach the ring): it throws.
     */
    public int read(Handler handler, int limit) {
        decoder.handler = handler;
        return ring.read(decoder, limit);
    }

    /** Raft thread: decodes every record left, e.g. to fail the proposals that never reached the engine. */
    public int drain(Handler handler) {
        decoder.handler = handler;
        return ring.read(decoder);
    }

    private static final class Decoder implements MessageHandler {
        Handler handler;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            switch (msgTypeId) {
                case PROPOSAL:
                    handler.onProposal(buffer.getInt(index + PROPOSAL_SLOT_OFFSET),
                        buffer.getLong(index + PROPOSAL_CORRELATION_OFFSET),
                        buffer, index + PROPOSAL_HEADER_LENGTH, length - PROPOSAL_HEADER_LENGTH);
                    break;
                case STATUS_REQUEST:
                    handler.onStatusRequest(buffer.getLong(index));
                    break;
                case RELEASE_SLOT:
                    handler.onReleaseSlot(buffer.getInt(index));
                    break;
                case READ_REQUEST:
                    handler.onReadRequest(buffer.getLong(index), buffer.getInt(index + 8) != 0);
                    break;
                case TRANSFER_REQUEST:
                    handler.onTransferRequest(buffer.getInt(index));
                    break;
                case MEMBERSHIP_REQUEST:
                    handler.onMembershipRequest(buffer.getLong(index), buffer.getLong(index + 8), buffer, index + 16,
                        length - 16);
                    break;
                default:
                    if (msgTypeId < 1 || msgTypeId >= FIRST_CONTROL_TYPE) {
                        throw new IllegalStateException("inbound ring record of unknown type " + msgTypeId
                            + " (length " + length + ")");
                    }
                    handler.onPeerMessage(buffer.getInt(index), msgTypeId, buffer,
                        index + PEER_HEADER_LENGTH, length - PEER_HEADER_LENGTH);
                    break;
            }
        }
    }
}
