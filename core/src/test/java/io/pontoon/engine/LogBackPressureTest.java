package io.pontoon.engine;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.memory.InMemoryMetaStore;
import io.pontoon.spi.LogStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A log store that cannot take an append without waiting turns proposals away instead of blocking. */
class LogBackPressureTest {
    /** In-memory log whose capacity hint the test controls. */
    static final class FullableLog implements LogStore {
        final InMemoryLogStore delegate = new InMemoryLogStore();
        boolean full;

        @Override public long firstIndex() { return delegate.firstIndex(); }
        @Override public long lastIndex() { return delegate.lastIndex(); }
        @Override public long lastTerm() { return delegate.lastTerm(); }
        @Override public long termAt(long index) { return delegate.termAt(index); }
        @Override public int payloadLength(long index) { return delegate.payloadLength(index); }
        @Override public void append(long i, long t, DirectBuffer b, int o, int l) { delegate.append(i, t, b, o, l); }
        @Override public boolean hasCapacity(int payloadLength) { return !full; }
        @Override public void truncateFrom(long fromIndex) { delegate.truncateFrom(fromIndex); }
        @Override public boolean read(long index, EntryReader reader) { return delegate.read(index, reader); }
        @Override public long durableIndex() { return delegate.durableIndex(); }
        @Override public void deleteBefore(long index) { delegate.deleteBefore(index); }
        @Override public void close() { }
    }

    @Test
    void leaderRejectsProposalsBusyWhileTheLogCannotTakeThem() {
        final FullableLog log = new FullableLog();
        final RaftEngine engine = new RaftEngine(1, new int[]{1}, RaftConfig.defaults(), log, new InMemoryMetaStore(),
            (to, type, body, off, len) -> true, RandomSource.seeded(1), new EngineListener() {
                @Override
                public void onProposalResult(long tag, ResultCode code, long index) {
                }

                @Override
                public void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
                }
            }, 0);
        engine.doWork(10_000_000_000L, RaftEngine.Inbox.EMPTY);
        assertEquals(Role.LEADER, engine.role(), "a single node elects itself");
        final UnsafeBuffer data = new UnsafeBuffer(new byte[8]);
        final long last = log.lastIndex();
        log.full = true;
        assertEquals(-ResultCode.REJECTED_BUSY.ordinal(), engine.propose(data, 0, 8, 1));
        assertEquals(last, log.lastIndex(), "nothing appended");
        log.full = false;
        assertTrue(engine.propose(data, 0, 8, 2) > last);
    }
}
