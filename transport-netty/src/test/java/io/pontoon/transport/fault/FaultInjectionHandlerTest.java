package io.pontoon.transport.fault;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pontoon.protocol.MessageType;
import io.pontoon.transport.codec.Frame;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deterministic checks of the fault handler on an {@link EmbeddedChannel}: seeded randomness, virtual
 * time for delays and reorder holds, no wall-clock assertions.
 */
class FaultInjectionHandlerTest {
    private static final int PEER = 2;
    private static final int FRAMES = 1000;

    /** A heartbeat frame whose term is {@code seq}. */
    private static ByteBuf frame(long seq) {
        final ByteBuf b = Unpooled.buffer(Frame.HEADER_LENGTH + 16);
        b.writeIntLE(Frame.MIN_LENGTH_FIELD + 16).writeByte(MessageType.HEARTBEAT).writeByte(Frame.PROTOCOL_VERSION)
            .writeShortLE(0).writeIntLE(7).writeIntLE(PEER).writeLongLE(seq).writeLongLE(0);
        return b;
    }

    /** Several frames in one buffer, as {@code NettyTransport.flush} writes them. */
    private static ByteBuf batch(long firstSeq, int count) {
        final ByteBuf b = Unpooled.buffer();
        for (int i = 0; i < count; i++) {
            final ByteBuf f = frame(firstSeq + i);
            b.writeBytes(f);
            f.release();
        }
        return b;
    }

    private static EmbeddedChannel channel(FaultRules rules) {
        final FaultInjectionHandler handler = new FaultInjectionHandler(rules);
        final EmbeddedChannel ch = new EmbeddedChannel(handler);
        ch.freezeTime();
        handler.bindPeer(PEER);
        return ch;
    }

    private static List<Long> writeBatches(EmbeddedChannel ch, int frames, int perBatch) {
        for (int i = 0; i < frames; i += perBatch) {
            ch.writeOutbound(batch(i, Math.min(perBatch, frames - i)));
        }
        return drainOutbound(ch);
    }

    private static List<Long> drainOutbound(EmbeddedChannel ch) {
        final List<Long> seqs = new ArrayList<>();
        ByteBuf out;
        while ((out = ch.readOutbound()) != null) {
            while (out.isReadable()) {
                assertEquals(Frame.HEADER_LENGTH + 16, Frame.LENGTH_FIELD_LENGTH + out.getIntLE(out.readerIndex()));
                seqs.add(out.getLongLE(out.readerIndex() + Frame.HEADER_LENGTH));
                out.skipBytes(Frame.HEADER_LENGTH + 16);
            }
            out.release();
        }
        return seqs;
    }

    private static List<Long> drainInbound(EmbeddedChannel ch) {
        final List<Long> seqs = new ArrayList<>();
        ByteBuf in;
        while ((in = ch.readInbound()) != null) {
            seqs.add(in.getLongLE(in.readerIndex() + Frame.HEADER_LENGTH));
            in.release();
        }
        return seqs;
    }

    private static List<Long> sequence(int n) {
        final List<Long> seqs = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            seqs.add(i);
        }
        return seqs;
    }

    @Test
    void withoutRulesTheSameBufferPassesThrough() {
        final EmbeddedChannel ch = channel(new FaultRules(1));
        final ByteBuf b = batch(0, 3);
        ch.writeOutbound(b);
        final ByteBuf out = ch.readOutbound();
        assertSame(b, out);
        out.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void unboundConnectionsAreNeverFaulted() {
        final FaultRules rules = new FaultRules(1).dropProbability(1.0);
        final EmbeddedChannel ch = new EmbeddedChannel(new FaultInjectionHandler(rules));
        assertEquals(sequence(50), writeBatches(ch, 50, 5));
        ch.finishAndReleaseAll();
    }

    @Test
    void dropIsSeededSoTheSameFramesDropInEveryRun() {
        final List<Long> first = runDrop(42, 0.3);
        final List<Long> second = runDrop(42, 0.3);
        assertEquals(first, second);
        assertNotEquals(first, runDrop(43, 0.3));
        final int dropped = FRAMES - first.size();
        assertTrue(dropped > 200 && dropped < 400, "dropped " + dropped + " of " + FRAMES + " at p=0.3");
        for (int i = 1; i < first.size(); i++) {
            assertTrue(first.get(i) > first.get(i - 1), "drop keeps order");
        }
    }

    private static List<Long> runDrop(long seed, double p) {
        final FaultRules rules = new FaultRules(seed);
        rules.set(Direction.OUTBOUND, PEER, LinkFaults.NONE.withDropProbability(p));
        final EmbeddedChannel ch = channel(rules);
        final List<ByteBuf> inputs = new ArrayList<>();
        for (int i = 0; i < FRAMES; i += 10) {
            final ByteBuf b = batch(i, 10);
            inputs.add(b);
            ch.writeOutbound(b);
        }
        final List<Long> out = drainOutbound(ch);
        assertEquals(FRAMES - out.size(), rules.droppedFrames());
        for (ByteBuf b : inputs) {
            assertEquals(0, b.refCnt(), "every input frame is released, dropped or written");
        }
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void inboundDropAppliesOnlyToInboundFrames() {
        final FaultRules rules = new FaultRules(5);
        rules.set(Direction.INBOUND, PEER, LinkFaults.NONE.withDropProbability(0.5));
        final EmbeddedChannel ch = channel(rules);
        for (int i = 0; i < FRAMES; i++) {
            ch.writeInbound(frame(i));
        }
        final List<Long> in = drainInbound(ch);
        assertTrue(in.size() > 400 && in.size() < 600, "kept " + in.size());
        assertEquals(sequence(100), writeBatches(ch, 100, 10), "outbound untouched");
        ch.finishAndReleaseAll();
    }

    @Test
    void partitionBlocksBothDirectionsUntilHealed() {
        final FaultRules rules = new FaultRules(1);
        final EmbeddedChannel ch = channel(rules);
        rules.partition(PEER);
        assertEquals(List.of(), writeBatches(ch, 100, 10));
        for (int i = 0; i < 100; i++) {
            ch.writeInbound(frame(i));
        }
        assertEquals(List.of(), drainInbound(ch));
        assertEquals(200, rules.blockedFrames());

        rules.heal(PEER);
        assertEquals(sequence(100), writeBatches(ch, 100, 10));
        ch.finishAndReleaseAll();
    }

    @Test
    void partitionOfAnotherPeerLeavesThisLinkAlone() {
        final FaultRules rules = new FaultRules(1).partition(3);
        final EmbeddedChannel ch = channel(rules);
        assertEquals(sequence(100), writeBatches(ch, 100, 10));
        ch.finishAndReleaseAll();
    }

    @Test
    void duplicateDeliversChosenFramesTwiceAdjacent() {
        final FaultRules rules = new FaultRules(9);
        rules.set(Direction.OUTBOUND, PEER, LinkFaults.NONE.withDuplicateProbability(0.25));
        final EmbeddedChannel ch = channel(rules);
        final List<Long> out = writeBatches(ch, FRAMES, 10);
        final Map<Long, Integer> counts = new HashMap<>();
        out.forEach(s -> counts.merge(s, 1, Integer::sum));
        assertEquals(FRAMES, counts.size(), "nothing lost");
        final long twice = counts.values().stream().filter(c -> c == 2).count();
        assertEquals(out.size() - FRAMES, twice);
        assertEquals(twice, rules.duplicatedFrames());
        assertTrue(twice > 150 && twice < 350, "duplicated " + twice);
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i) >= out.get(i - 1));
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void reorderShufflesWithinEachWindowAndReleasesALateBlockAfterTheHoldTime() {
        final FaultRules rules = new FaultRules(3);
        final long holdNs = TimeUnit.MILLISECONDS.toNanos(5);
        rules.set(Direction.OUTBOUND, PEER, LinkFaults.NONE.withReorder(8, holdNs));
        final EmbeddedChannel ch = channel(rules);
        final List<Long> out = writeBatches(ch, 804, 4); // 100 full windows + 4 held
        assertEquals(800, out.size());
        assertNotEquals(sequence(800), out, "some frames must change places");
        for (int i = 0; i < 800; i++) {
            assertEquals(i / 8, out.get(i) / 8, "frame " + out.get(i) + " left its window");
        }
        assertEquals(sequence(800), out.stream().sorted().toList());

        ch.advanceTimeBy(holdNs - 1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertNull(ch.readOutbound(), "held until the hold time");
        ch.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(List.of(800L, 801L, 802L, 803L), drainOutbound(ch).stream().sorted().toList());
        ch.finishAndReleaseAll();
    }

    @Test
    void delayHoldsFramesUntilTheEventLoopClockPassesIt() {
        final FaultRules rules = new FaultRules(4);
        final long delayNs = TimeUnit.MILLISECONDS.toNanos(50);
        rules.set(Direction.OUTBOUND, PEER, LinkFaults.NONE.withDelay(delayNs, 0));
        final EmbeddedChannel ch = channel(rules);
        assertEquals(List.of(), writeBatches(ch, 10, 5));
        ch.advanceTimeBy(delayNs - 1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(List.of(), drainOutbound(ch));
        ch.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(sequence(10), drainOutbound(ch));
        assertEquals(10, rules.delayedFrames());
        ch.finishAndReleaseAll();
    }

    @Test
    void jitterIsSeededAndEveryFrameArrivesWithinFixedPlusJitter() {
        final List<Long> first = runJitter(11);
        assertEquals(first, runJitter(11));
        assertEquals(sequence(200), first.stream().sorted().toList());
        assertNotEquals(sequence(200), first, "jitter lets frames overtake each other");
    }

    private static List<Long> runJitter(long seed) {
        final FaultRules rules = new FaultRules(seed);
        rules.set(Direction.INBOUND, PEER, LinkFaults.NONE.withDelay(1_000_000L, 9_000_000L));
        final EmbeddedChannel ch = channel(rules);
        for (int i = 0; i < 200; i++) {
            ch.writeInbound(frame(i));
        }
        assertEquals(List.of(), drainInbound(ch));
        ch.advanceTimeBy(10, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        final List<Long> in = drainInbound(ch);
        ch.finishAndReleaseAll();
        return in;
    }

    @Test
    void rulesChangeAtRunTime() {
        final FaultRules rules = new FaultRules(1);
        final EmbeddedChannel ch = channel(rules);
        assertEquals(sequence(10), writeBatches(ch, 10, 10));
        rules.setDefault(Direction.OUTBOUND, LinkFaults.NONE.withDropProbability(1.0));
        assertEquals(List.of(), writeBatches(ch, 10, 10));
        rules.clear();
        assertEquals(sequence(10), writeBatches(ch, 10, 10));
        ch.finishAndReleaseAll();
    }

    @Test
    void invalidRulesNameTheField() {
        assertMessage("dropProbability", () -> LinkFaults.NONE.withDropProbability(1.5));
        assertMessage("duplicateProbability", () -> LinkFaults.NONE.withDuplicateProbability(-0.1));
        assertMessage("delayNs", () -> LinkFaults.NONE.withDelay(-1, 0));
        assertMessage("reorderWindow", () -> LinkFaults.NONE.withReorder(0, 1));
    }

    private static void assertMessage(String field, org.junit.jupiter.api.function.Executable e) {
        final IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(field), ex.getMessage());
    }
}
