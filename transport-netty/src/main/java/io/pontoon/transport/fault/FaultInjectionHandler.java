package io.pontoon.transport.fault;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import io.pontoon.transport.codec.Frame;

import java.util.ArrayList;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Drops, delays, duplicates, reorders and partitions whole frames on one connection, by the
 * {@link FaultRules} of its node: the seed's "communication helpers which can drop packets or sleep"
 * on a real network stack. Sits right after the frame decoder, so inbound it sees one frame per
 * message, and outbound it splits written buffers (one or more whole frames) into frames. A pair of
 * nodes shares one connection used both ways, so on it the node's {@link Direction#OUTBOUND} rule for
 * the peer applies to what the node writes and its {@link Direction#INBOUND} rule to what it reads,
 * whichever side dialled.
 *
 * <p>Until {@link #bindPeer(int)} is called (after the handshake) everything passes untouched:
 * handshakes are never faulted and client connections are never bound. Each direction draws from its
 * own {@link SplittableRandom} seeded from the rules' seed, the peer id and the direction, so a given
 * sequence of frames meets the same fate in every run. Delays use the event loop's {@code schedule}.
 * Event loop only; one instance per connection.
 */
public final class FaultInjectionHandler extends ChannelDuplexHandler {
    /** Peer id meaning "not bound yet": frames pass untouched. */
    public static final int UNBOUND = 0;

    private final FaultRules rules;
    private final Lane outbound = new Lane(Direction.OUTBOUND);
    private final Lane inbound = new Lane(Direction.INBOUND);
    private int peerId = UNBOUND;

    public FaultInjectionHandler(FaultRules rules) {
        this.rules = rules;
    }

    /** Starts applying the rules of {@code peerId} to this connection. Event loop. */
    public void bindPeer(int peerId) {
        this.peerId = peerId;
        outbound.random = new SplittableRandom(laneSeed(rules.seed(), peerId, Direction.OUTBOUND));
        inbound.random = new SplittableRandom(laneSeed(rules.seed(), peerId, Direction.INBOUND));
    }

    public int peerId() {
        return peerId;
    }

    static long laneSeed(long seed, int peerId, Direction direction) {
        return seed * 0x9E3779B97F4A7C15L + peerId * 2L + direction.ordinal();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (peerId == UNBOUND || !(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        final LinkFaults rule = rules.rule(Direction.OUTBOUND, peerId);
        if (rule.isNone() && outbound.window.isEmpty()) {
            ctx.write(msg, promise);
            return;
        }
        final ByteBuf frames = (ByteBuf) msg;
        try {
            while (frames.readableBytes() >= Frame.LENGTH_FIELD_LENGTH) {
                final long frameLength = Frame.LENGTH_FIELD_LENGTH + (frames.getIntLE(frames.readerIndex()) & 0xFFFF_FFFFL);
                if (frameLength > frames.readableBytes()) {
                    break; // not a whole frame: not ours to judge, pass it on below
                }
                onFrame(ctx, outbound, rule, frames.readRetainedSlice((int) frameLength));
            }
            if (frames.isReadable()) {
                ctx.write(frames.readRetainedSlice(frames.readableBytes()), ctx.voidPromise());
            }
        } finally {
            frames.release();
            promise.trySuccess();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (peerId == UNBOUND || !(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        final LinkFaults rule = rules.rule(Direction.INBOUND, peerId);
        if (rule.isNone() && inbound.window.isEmpty()) {
            ctx.fireChannelRead(msg);
            return;
        }
        onFrame(ctx, inbound, rule, (ByteBuf) msg);
    }

    private void onFrame(ChannelHandlerContext ctx, Lane lane, LinkFaults rule, ByteBuf frame) {
        if (rule.partitioned()) {
            frame.release();
            rules.countBlocked();
            return;
        }
        if (rule.dropProbability() > 0.0 && lane.random.nextDouble() < rule.dropProbability()) {
            frame.release();
            rules.countDropped();
            return;
        }
        if (rule.duplicateProbability() > 0.0 && lane.random.nextDouble() < rule.duplicateProbability()) {
            rules.countDuplicated();
            enqueue(ctx, lane, rule, frame.retainedDuplicate());
        }
        enqueue(ctx, lane, rule, frame);
    }

    private void enqueue(ChannelHandlerContext ctx, Lane lane, LinkFaults rule, ByteBuf frame) {
        if (rule.reorderWindow() <= 1) {
            if (!lane.window.isEmpty()) {
                releaseWindow(ctx, lane, rule);
            }
            emit(ctx, lane, rule, frame);
            return;
        }
        lane.window.add(frame);
        if (lane.window.size() >= rule.reorderWindow()) {
            releaseWindow(ctx, lane, rule);
        } else if (lane.windowTimer == null) {
            lane.windowTimer = ctx.executor().schedule(() -> {
                lane.windowTimer = null;
                releaseWindow(ctx, lane, rules.rule(lane.direction, peerId));
                if (lane.direction == Direction.OUTBOUND) {
                    ctx.flush();
                }
            }, rule.reorderMaxHoldNs(), TimeUnit.NANOSECONDS);
        }
    }

    /** Emits the held frames in a seeded random order (Fisher-Yates). */
    private void releaseWindow(ChannelHandlerContext ctx, Lane lane, LinkFaults rule) {
        if (lane.windowTimer != null) {
            lane.windowTimer.cancel(false);
            lane.windowTimer = null;
        }
        final ArrayList<ByteBuf> window = lane.window;
        final int size = window.size();
        for (int i = size - 1; i > 0; i--) {
            final int j = lane.random.nextInt(i + 1);
            final ByteBuf tmp = window.get(i);
            window.set(i, window.get(j));
            window.set(j, tmp);
        }
        rules.countReorderReleased(size);
        for (int i = 0; i < size; i++) {
            emit(ctx, lane, rule, window.get(i));
        }
        window.clear();
    }

    private void emit(ChannelHandlerContext ctx, Lane lane, LinkFaults rule, ByteBuf frame) {
        final long delayNs = rule.delayNs() + (rule.jitterNs() > 0 ? lane.random.nextLong(rule.jitterNs() + 1) : 0);
        if (delayNs > 0) {
            rules.countDelayed();
            ctx.executor().schedule(() -> forward(ctx, lane, frame, true), delayNs, TimeUnit.NANOSECONDS);
        } else {
            forward(ctx, lane, frame, false);
        }
    }

    private void forward(ChannelHandlerContext ctx, Lane lane, ByteBuf frame, boolean late) {
        if (late && !ctx.channel().isActive()) {
            frame.release();
            return;
        }
        rules.countPassed();
        if (lane.direction == Direction.OUTBOUND) {
            if (late) {
                ctx.writeAndFlush(frame, ctx.voidPromise());
            } else {
                ctx.write(frame, ctx.voidPromise());
            }
        } else {
            ctx.fireChannelRead(frame);
            if (late) {
                ctx.fireChannelReadComplete();
            }
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discard(outbound);
        discard(inbound);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discard(outbound);
        discard(inbound);
        super.channelInactive(ctx);
    }

    private static void discard(Lane lane) {
        if (lane.windowTimer != null) {
            lane.windowTimer.cancel(false);
            lane.windowTimer = null;
        }
        for (ByteBuf frame : lane.window) {
            frame.release();
        }
        lane.window.clear();
    }

    private static final class Lane {
        final Direction direction;
        final ArrayList<ByteBuf> window = new ArrayList<>();
        SplittableRandom random;
        ScheduledFuture<?> windowTimer;

        Lane(Direction direction) {
            this.direction = direction;
        }
    }
}
