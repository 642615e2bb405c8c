package io.pontoon.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pontoon.ProposalCallback;
import io.pontoon.RaftStatus;
import io.pontoon.ResultCode;
import io.pontoon.transport.codec.ClientAppendRequestCodec;
import io.pontoon.transport.codec.ClientAppendResponseCodec;
import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.netty.FrameDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node side of the client protocol on an {@link EmbeddedChannel}: a burst of requests read at once
 * is answered with a batch of responses in one write and one flush, each response carrying its own
 * request's correlation id, however the node orders the outcomes.
 */
class ClientRequestHandlerBatchingTest {
    private static final int CLUSTER_ID = 7;
    private static final int NODE_ID = 2;

    private final RecordingService service = new RecordingService();
    private final CountingOutbound counter = new CountingOutbound();
    private final EmbeddedChannel channel = new EmbeddedChannel(counter, new FrameDecoder(1 << 20),
        new ClientRequestHandler(service, CLUSTER_ID, NODE_ID, id -> null, Runnable::run));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void burstOfRequestsInOneReadIsAnsweredInOneWriteAndOneFlush() {
        final int n = 500;
        final ByteBuf read = Unpooled.directBuffer();
        for (int i = 0; i < n; i++) {
            appendRequest(read, 1_000 + i, 128);
        }
        channel.writeInbound(read); // one TCP read holding n frames
        assertEquals(n, service.proposals.size());
        assertEquals(0, counter.writes, "nothing is written before the outcomes");

        // The Raft thread answers in an order of its own, all before the event loop runs.
        final List<Proposal> outcomes = new ArrayList<>(service.proposals);
        Collections.shuffle(outcomes, new Random(42));
        for (Proposal p : outcomes) {
            p.callback.onResult(p.correlationId, ResultCode.OK, 50_000 + p.correlationId, NODE_ID);
        }
        outcomes.get(0).callback.onBatchEnd();
        final int flushesBefore = counter.flushes;
        channel.runPendingTasks();

        assertEquals(1, counter.writes, "all responses in one buffer");
        assertEquals(1, counter.flushes - flushesBefore, "one flush per drain");
        final Map<Long, Long> responses = readResponses();
        assertEquals(n, responses.size());
        for (int i = 0; i < n; i++) {
            final long correlationId = 1_000 + i;
            assertEquals(50_000 + correlationId, responses.get(correlationId), "response to " + correlationId);
        }
    }

    @Test
    void responsesKeepFlowingWhenTheResponseRingWraps() {
        // One request at a time, several times around the ring: a response that lands just after the wrap
        // must go out in the same drain, not wait for the next response (a lost answer at --concurrency 1).
        final int frameBytes = Frame.HEADER_LENGTH + ClientAppendResponseCodec.HEADER_LENGTH;
        final int rounds = 3 * ClientRequestHandler.RESPONSE_RING_BYTES / frameBytes;
        for (int i = 0; i < rounds; i++) {
            final ByteBuf read = Unpooled.directBuffer();
            appendRequest(read, i, 16);
            channel.writeInbound(read);
            final Proposal p = service.proposals.remove(0);
            p.callback.onResult(p.correlationId, ResultCode.OK, i, NODE_ID);
            p.callback.onBatchEnd();
            channel.runPendingTasks();
            final Map<Long, Long> responses = readResponses();
            assertEquals(Map.of((long) i, (long) i), responses, "round " + i);
        }
    }

    @Test
    void framesSplitAcrossReadsAreHandledOnceWholeAfterTheFrameDecoderIsGone() {
        channel.runPendingTasks();
        assertEquals(null, channel.pipeline().get(FrameDecoder.class), "the handler splits frames itself");
        final ByteBuf stream = Unpooled.directBuffer();
        for (int i = 0; i < 3; i++) {
            appendRequest(stream, 10 + i, 100);
        }
        // 1 byte, then most of the first frame, then the rest of it with half of the second, then the rest.
        final int frame = stream.readableBytes() / 3;
        final int[] cuts = {1, frame - 10, frame + frame / 2, stream.readableBytes()};
        int at = 0;
        final int[] proposedAfter = new int[cuts.length];
        for (int k = 0; k < cuts.length; k++) {
            channel.writeInbound(stream.retainedSlice(at, cuts[k] - at));
            at = cuts[k];
            proposedAfter[k] = service.proposals.size();
        }
        stream.release();
        assertEquals(List.of(0, 0, 1, 3), List.of(proposedAfter[0], proposedAfter[1], proposedAfter[2], proposedAfter[3]));
        for (int i = 0; i < 3; i++) {
            assertEquals(10 + i, service.proposals.get(i).correlationId);
        }
        assertTrue(channel.isActive());
    }

    @Test
    void lengthFieldAboveMaxFrameBytesClosesTheConnection() {
        channel.runPendingTasks();
        final ByteBuf bad = Unpooled.directBuffer();
        bad.writeIntLE(1 << 30);
        bad.writeZero(16);
        channel.writeInbound(bad);
        assertTrue(!channel.isActive(), "closed");
        assertEquals(0, service.proposals.size());
    }

    @Test
    void notLeaderResponsesCarryTheLeaderAddressThroughTheRing() {
        final EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1 << 20), new ClientRequestHandler(service,
            CLUSTER_ID, NODE_ID, id -> ClientAppendResponseCodec.addressBytes("10.0.0." + id + ":7001"), Runnable::run));
        try {
            final ByteBuf read = Unpooled.directBuffer();
            appendRequest(read, 77, 8);
            ch.writeInbound(read);
            final Proposal p = service.proposals.remove(0);
            p.callback.onResult(p.correlationId, ResultCode.NOT_LEADER, -1, 3);
            p.callback.onBatchEnd();
            ch.runPendingTasks();
            final ByteBuf out = ch.readOutbound();
            final DirectBuffer b = new UnsafeBuffer(new byte[out.readableBytes()]);
            out.getBytes(out.readerIndex(), b.byteArray());
            out.release();
            assertEquals(FrameType.CLIENT_APPEND_RESPONSE, Frame.type(b, 0));
            assertEquals(77, ClientAppendResponseCodec.correlationId(b, Frame.HEADER_LENGTH));
            assertEquals(ResultCode.NOT_LEADER, ClientAppendResponseCodec.resultCode(b, Frame.HEADER_LENGTH));
            assertEquals("10.0.0.3:7001", ClientAppendResponseCodec.leaderAddress(b, Frame.HEADER_LENGTH));
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static void appendRequest(ByteBuf out, long correlationId, int payloadLength) {
        final int bodyLength = ClientAppendRequestCodec.HEADER_LENGTH + payloadLength;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[Frame.HEADER_LENGTH + bodyLength]);
        Frame.encodeHeader(frame, 0, FrameType.CLIENT_APPEND_REQUEST, CLUSTER_ID, 0, bodyLength);
        ClientAppendRequestCodec.encodeHeader(frame, Frame.HEADER_LENGTH, correlationId, payloadLength);
        out.writeBytes(frame.byteArray());
    }

    /** Every frame written so far: correlation id to lsn. Fails on a duplicate correlation id. */
    private Map<Long, Long> readResponses() {
        final Map<Long, Long> responses = new HashMap<>();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            final byte[] bytes = new byte[out.readableBytes()];
            out.getBytes(out.readerIndex(), bytes);
            out.release();
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            int at = 0;
            while (at < bytes.length) {
                final int frameLength = Frame.LENGTH_FIELD_LENGTH + Frame.lengthField(b, at);
                assertEquals(FrameType.CLIENT_APPEND_RESPONSE, Frame.type(b, at));
                assertEquals(NODE_ID, Frame.senderId(b, at));
                assertEquals(ResultCode.OK, ClientAppendResponseCodec.resultCode(b, at + Frame.HEADER_LENGTH));
                final long correlationId = ClientAppendResponseCodec.correlationId(b, at + Frame.HEADER_LENGTH);
                assertTrue(responses.put(correlationId, ClientAppendResponseCodec.lsn(b, at + Frame.HEADER_LENGTH)) == null,
                    "second response to " + correlationId);
                at += frameLength;
            }
            assertEquals(bytes.length, at, "whole frames only");
        }
        return responses;
    }

    private record Proposal(long correlationId, ProposalCallback callback) {
    }

    private static final class RecordingService implements ClientService {
        final List<Proposal> proposals = new ArrayList<>();

        @Override
        public boolean propose(DirectBuffer buffer, int offset, int length, long correlationId, ProposalCallback callback) {
            proposals.add(new Proposal(correlationId, callback));
            return true;
        }

        @Override
        public RaftStatus status() {
            throw new UnsupportedOperationException();
        }
    }

    /** Counts what reaches the socket: writes (buffers) and flushes. */
    private static final class CountingOutbound extends ChannelOutboundHandlerAdapter {
        int writes;
        int flushes;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            writes++;
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }
}
