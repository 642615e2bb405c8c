package io.pontoon.transport;

import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.VoteRequestCodec;
import io.pontoon.protocol.VoteResponseCodec;
import io.pontoon.spi.Transport;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of garbage byte streams, malformed handshakes and malformed frames from authenticated
 * connections against a live node: the node stays up, the {@link Transport.InboundHandler} never sees
 * a malformed message nor anything sent after one on the same connection, and a genuine peer's
 * messages all arrive, in order, during and after the attack.
 */
class MalformedFrameFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20240601L);
    private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 3000);
    private static final byte[] SECRET = HandshakeTest.SECRET;
    private static final int CLUSTER = 7;
    private static final long MARK_VALID = 777;
    private static final long MARK_AFTER_MALFORMED = 888;
    private static final int MAX_FRAME = 64 * 1024;

    /** Checks every delivered message with the core codecs; records any violation. */
    static final class CheckingHandler implements Transport.InboundHandler {
        final List<String> violations = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<Long> genuine = new LinkedBlockingQueue<>();
        final AtomicLong fromImpostor = new AtomicLong();
        private final AppendEntriesCodec appendEntries = new AppendEntriesCodec();
        private final HeartbeatCodec heartbeat = new HeartbeatCodec();

        @Override
        public boolean onMessage(int from, int type, DirectBuffer body, int offset, int length) {
            final String reason = switch (type) {
                case MessageType.APPEND_ENTRIES -> appendEntries.wrap(body, offset, length).validate();
                case MessageType.APPEND_RESPONSE -> AppendResponseCodec.validate(length);
                case MessageType.VOTE_REQUEST -> VoteRequestCodec.validate(length);
                case MessageType.VOTE_RESPONSE -> VoteResponseCodec.validate(length);
                case MessageType.HEARTBEAT, MessageType.HEARTBEAT_RESPONSE -> HeartbeatCodec.validate(length);
                default -> "type " + type + " reached the node";
            };
            if (reason != null) {
                violations.add("from " + from + ": " + reason);
                return true;
            }
            if (from == 2) {
                heartbeat.wrap(body, offset);
                genuine.add(heartbeat.secondField());
            } else if (from == 3) {
                fromImpostor.incrementAndGet();
                if (type == MessageType.HEARTBEAT && heartbeat.wrap(body, offset).term() == MARK_AFTER_MALFORMED) {
                    violations.add("a frame sent after a malformed frame on the same connection was delivered");
                }
            } else {
                violations.add("message from unexpected node " + from);
            }
            return true;
        }
    }

    @Test
    void nodeSurvivesGarbageAndNeverDeliversAMalformedMessage() throws Exception {
        final int[] ports = TestNodes.freePorts(3);
        final List<NettyTransportConfig> configs = TestNodes.configs(ports, b -> b.secret(SECRET).maxFrameBytes(MAX_FRAME)
            .maxPendingBytesPerPeer(MAX_FRAME).handshakeTimeoutNs(TimeUnit.SECONDS.toNanos(2)));
        final CheckingHandler checker = new CheckingHandler();
        final NettyTransport node1 = new NettyTransport(configs.get(0));
        final NettyTransport node2 = new NettyTransport(configs.get(1));
        try {
            node1.start(1, checker);
            node2.start(2, (from, type, body, offset, length) -> true);
            node2.whenConnected(1).get(10, TimeUnit.SECONDS);

            final SplittableRandom random = new SplittableRandom(SEED);
            final UnsafeBuffer hb = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);
            long genuineSent = 0;
            final int[] cases = new int[6];
            for (int i = 0; i < ITERATIONS; i++) {
                final int kind = random.nextInt(6);
                cases[kind]++;
                fuzzOnce(node1, kind, random);
                if (i % 3 == 0) {
                    HeartbeatCodec.encode(hb, 0, 1, genuineSent);
                    assertTrue(node2.send(1, MessageType.HEARTBEAT, hb, 0, HeartbeatCodec.LENGTH),
                        "genuine peer lost its connection during the fuzz (iteration " + i + ", seed " + SEED + ")");
                    node2.flush();
                    genuineSent++;
                }
            }
            for (int k = 0; k < 100; k++) {
                HeartbeatCodec.encode(hb, 0, 1, genuineSent++);
                assertTrue(node2.send(1, MessageType.HEARTBEAT, hb, 0, HeartbeatCodec.LENGTH));
            }
            node2.flush();
            for (long expected = 0; expected < genuineSent; expected++) {
                final Long got = checker.genuine.poll(10, TimeUnit.SECONDS);
                assertNotNull(got, "genuine message " + expected + " of " + genuineSent + " never arrived (seed " + SEED + ")");
                assertEquals(expected, (long) got, "genuine messages in order");
            }
            // still accepting and authenticating new connections
            try (RawPeer late = new RawPeer(node1.localAddress()).readChallenge()) {
                late.write(late.hello(Frame.PROTOCOL_VERSION, CLUSTER, 3, HandshakeCodec.ROLE_PEER, 1, SECRET));
                final byte[] accept = late.readFrame();
                assertNotNull(accept);
                assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(new UnsafeBuffer(accept), 0));
            }
            assertEquals(List.of(), checker.violations, "seed " + SEED);
            assertTrue(checker.fromImpostor.get() > 0, "valid frames before a malformed one are delivered");
            System.out.println("fuzz seed " + SEED + ": " + ITERATIONS + " connections, cases " + Arrays.toString(cases)
                + ", valid impostor messages delivered " + checker.fromImpostor.get());
        } finally {
            node2.close();
            node1.close();
        }
    }

    private static void fuzzOnce(NettyTransport node, int kind, SplittableRandom random) {
        try (RawPeer peer = new RawPeer(node.localAddress())) {
            switch (kind) {
                case 0 -> { // garbage before anything
                    final byte[] garbage = new byte[1 + random.nextInt(300)];
                    random.nextBytes(garbage);
                    peer.write(garbage);
                    // a garbage "length" may announce more bytes than sent: do not wait for a close then
                    final int announced = garbage.length < 4 ? 0
                        : ByteBuffer.wrap(garbage).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
                    if (garbage.length >= 4 && (announced < Frame.MIN_LENGTH_FIELD || announced > MAX_FRAME - 4
                        || announced + 4 <= garbage.length)) {
                        assertTrue(peer.awaitClosedByPeer());
                    }
                }
                case 1 -> { // bad length field as the first frame
                    final int[] lengths = {-1, 0, 5, Frame.MIN_LENGTH_FIELD - 1, MAX_FRAME, Integer.MAX_VALUE, Integer.MIN_VALUE};
                    final byte[] f = RawPeer.frame(FrameType.HANDSHAKE_HELLO, CLUSTER, 3, new byte[HandshakeCodec.HELLO_LENGTH]);
                    ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(0, lengths[random.nextInt(lengths.length)]);
                    peer.write(f);
                    assertTrue(peer.awaitClosedByPeer());
                }
                case 2 -> { // mutated HELLO
                    peer.readChallenge();
                    final byte[] hello = peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 3, HandshakeCodec.ROLE_PEER, 1, SECRET);
                    final int flips = 1 + random.nextInt(3);
                    for (int k = 0; k < flips; k++) {
                        final int at = Frame.LENGTH_FIELD_LENGTH + random.nextInt(hello.length - Frame.LENGTH_FIELD_LENGTH);
                        hello[at] ^= (byte) (1 + random.nextInt(255));
                    }
                    peer.write(hello);
                    assertTrue(peer.awaitClosedByPeer(), "a mutated HELLO must be refused");
                }
                case 3 -> { // random handshake frame types and sizes
                    peer.readChallenge();
                    final byte[] body = new byte[random.nextInt(100)];
                    random.nextBytes(body);
                    peer.write(RawPeer.frame(random.nextInt(256), random.nextInt(3), 0, CLUSTER, random.nextInt(4), body));
                    assertTrue(peer.awaitClosedByPeer());
                }
                default -> { // authenticated impostor of node 3 sending a malformed frame
                    peer.readChallenge();
                    peer.write(peer.hello(Frame.PROTOCOL_VERSION, CLUSTER, 3, HandshakeCodec.ROLE_PEER, 1, SECRET));
                    final byte[] accept = peer.readFrame();
                    assertNotNull(accept);
                    assertEquals(FrameType.HANDSHAKE_ACCEPT, Frame.type(new UnsafeBuffer(accept), 0));
                    final List<byte[]> frames = new ArrayList<>();
                    if (random.nextBoolean()) {
                        frames.add(heartbeat(MARK_VALID));
                    }
                    frames.add(malformed(random));
                    frames.add(heartbeat(MARK_AFTER_MALFORMED));
                    if (random.nextBoolean()) { // all in one write, so they arrive in one read
                        final ByteBuffer all = ByteBuffer.allocate(frames.stream().mapToInt(f -> f.length).sum());
                        frames.forEach(all::put);
                        peer.write(all.array());
                    } else {
                        frames.forEach(peer::write);
                    }
                    assertTrue(peer.awaitClosedByPeer(), "a malformed frame must close the connection");
                }
            }
        }
    }

    private static byte[] heartbeat(long term) {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[HeartbeatCodec.LENGTH]);
        HeartbeatCodec.encode(body, 0, term, 0);
        return RawPeer.frame(MessageType.HEARTBEAT, CLUSTER, 3, body.byteArray());
    }

    /** A frame that is wrong in exactly one of the ways the transport must catch. */
    private static byte[] malformed(SplittableRandom random) {
        switch (random.nextInt(9)) {
            case 0: { // not a Raft type
                final int[] types = {0, 7, 31, FrameType.CLIENT_APPEND_REQUEST, FrameType.CLIENT_STATUS_REQUEST, 64, 100, 127,
                    128, FrameType.HANDSHAKE_HELLO, FrameType.HANDSHAKE_ACCEPT, 255};
                return RawPeer.frame(types[random.nextInt(types.length)], CLUSTER, 3, new byte[random.nextInt(64)]);
            }
            case 1: { // fixed-size body with the wrong size
                final int[][] sized = {{MessageType.APPEND_RESPONSE, AppendResponseCodec.LENGTH},
                    {MessageType.VOTE_REQUEST, VoteRequestCodec.LENGTH}, {MessageType.VOTE_RESPONSE, VoteResponseCodec.LENGTH},
                    {MessageType.HEARTBEAT, HeartbeatCodec.LENGTH}, {MessageType.HEARTBEAT_RESPONSE, HeartbeatCodec.LENGTH}};
                final int[] pick = sized[random.nextInt(sized.length)];
                int length;
                do {
                    length = random.nextInt(80);
                } while (length == pick[1]);
                return RawPeer.frame(pick[0], CLUSTER, 3, new byte[length]);
            }
            case 2: return RawPeer.frame(MessageType.APPEND_ENTRIES, CLUSTER, 3, badAppendEntries(random));
            case 3: return RawPeer.frame(MessageType.HEARTBEAT, CLUSTER + 1 + random.nextInt(5), 3, new byte[16]);
            case 4: return RawPeer.frame(MessageType.HEARTBEAT, CLUSTER, random.nextBoolean() ? 2 : 0, new byte[16]);
            case 5: return RawPeer.frame(MessageType.HEARTBEAT, random.nextBoolean() ? 0 : 2 + random.nextInt(250), 0,
                CLUSTER, 3, new byte[16]);
            case 6: return RawPeer.frame(MessageType.HEARTBEAT, Frame.PROTOCOL_VERSION, 1 + random.nextInt(65535), CLUSTER, 3,
                new byte[16]);
            case 7: { // length field above maxFrameBytes
                final byte[] f = RawPeer.frame(MessageType.HEARTBEAT, CLUSTER, 3, new byte[16]);
                ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(0, MAX_FRAME + random.nextInt(1 << 20));
                return f;
            }
            default: { // length field below the header
                final byte[] f = RawPeer.frame(MessageType.HEARTBEAT, CLUSTER, 3, new byte[16]);
                ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(0, random.nextInt(Frame.MIN_LENGTH_FIELD));
                return f;
            }
        }
    }

    /** An AppendEntries body that core's validate() rejects. */
    private static byte[] badAppendEntries(SplittableRandom random) {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[512]);
        final AppendEntriesCodec codec = new AppendEntriesCodec().encode(b, 0, 2, 5, 1, 4);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[20]);
        final int entries = 1 + random.nextInt(4);
        for (int i = 0; i < entries; i++) {
            codec.appendEntry(2, payload, 0, 1 + random.nextInt(20));
        }
        int length = codec.length();
        switch (random.nextInt(7)) {
            case 0 -> length = random.nextInt(AppendEntriesCodec.HEADER_LENGTH); // truncated header
            case 1 -> length -= 1 + random.nextInt(12); // truncated last entry
            case 2 -> b.putInt(AppendEntriesCodec.ENTRY_COUNT_OFFSET, entries + 1 + random.nextInt(1000), ByteOrder.LITTLE_ENDIAN);
            case 3 -> b.putInt(AppendEntriesCodec.ENTRY_COUNT_OFFSET, -1 - random.nextInt(1000), ByteOrder.LITTLE_ENDIAN);
            case 4 -> b.putInt(AppendEntriesCodec.HEADER_LENGTH + 8, 100_000 + random.nextInt(1000), ByteOrder.LITTLE_ENDIAN);
            case 5 -> b.putLong(AppendEntriesCodec.TERM_OFFSET, -1 - random.nextInt(1000), ByteOrder.LITTLE_ENDIAN);
            default -> length += 1 + random.nextInt(8); // trailing bytes
        }
        final byte[] out = new byte[length];
        b.getBytes(0, out);
        return out;
    }
}
