package io.pontoon.storage;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.rollcycles.RollCycleArithmetic;

/**
 * Journal roll cycles shorter than Chronicle's standard ones (the shortest, five minutes, would keep gigabytes of
 * journal at high rates). TEN_SECONDLY: one file per node every ten seconds, what the demo uses. Compaction deletes whole files, so this
 * bounds what a long demo keeps on disk to about twenty seconds of log per node; Chronicle's shortest standard
 * cycle (one minute) kept about 5 GB for three nodes at 200,000 commits/s, and would keep 25 GB a minute at the
 * 1,000,000/s issue 8 aims for. Index layout as Chronicle's MINUTELY: up to 2^26 excerpts a cycle.
 */
public enum ShortRollCycles implements RollCycle {
    TEN_SECONDLY("yyyyMMdd-HHmmss'D'", 10_000, 2 << 10, 16);

    private final String format;
    private final int lengthInMillis;
    private final int indexCount;
    private final int indexSpacing;
    private final RollCycleArithmetic arithmetic;

    ShortRollCycles(String format, int lengthInMillis, int indexCount, int indexSpacing) {
        this.format = format;
        this.lengthInMillis = lengthInMillis;
        this.indexCount = indexCount;
        this.indexSpacing = indexSpacing;
        this.arithmetic = RollCycleArithmetic.of(indexCount, indexSpacing);
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public int lengthInMillis() {
        return lengthInMillis;
    }

    @Override
    public int defaultIndexCount() {
        return indexCount;
    }

    @Override
    public int defaultIndexSpacing() {
        return indexSpacing;
    }

    @Override
    public long toIndex(int cycle, long sequenceNumber) {
        return arithmetic.toIndex(cycle, sequenceNumber);
    }

    @Override
    public long toSequenceNumber(long index) {
        return arithmetic.toSequenceNumber(index);
    }

    @Override
    public int toCycle(long index) {
        return arithmetic.toCycle(index);
    }

    @Override
    public long maxMessagesPerCycle() {
        return arithmetic.maxMessagesPerCycle();
    }
}
