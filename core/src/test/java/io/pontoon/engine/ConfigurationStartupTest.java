package io.pontoon.engine;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.memory.InMemoryMetaStore;
import io.pontoon.memory.InMemorySnapshotStore;
import io.pontoon.spi.LogStore;
import io.pontoon.spi.Membership;
import io.pontoon.spi.SnapshotMeta;
import io.pontoon.spi.SnapshotStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which configuration a node starts in: its log's newest configuration entry, else its snapshot's, else the start. */
class ConfigurationStartupTest {
    private static final Membership START = Membership.of(new int[] {1, 2}, new int[] {3});

    private static RaftEngine engine(LogStore log, SnapshotStore snapshots, SnapshotMeta restored) {
        return new RaftEngine(1, START, RaftConfig.defaults(), log, new InMemoryMetaStore(), snapshots, restored,
            (to, type, body, offset, length) -> true, RandomSource.seeded(1), new EngineListener() {
                @Override
                public void onProposalResult(long tag, ResultCode code, long index) {
                }

                @Override
                public void onCommit(long lsn, long term, org.agrona.DirectBuffer data, int offset, int length) {
                }
            }, 0);
    }

    private static SnapshotMeta snapshot(InMemorySnapshotStore store, Membership m) {
        final SnapshotStore.SnapshotSink sink = store.create(5, 1, m);
        sink.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        return sink.commit();
    }

    @Test
    void theNewestConfigurationEntryInTheLogWinsAfterARestart() {
        final InMemoryLogStore log = new InMemoryLogStore();
        log.append(1, 1, new UnsafeBuffer(new byte[0]), 0, 0);
        final Membership grown = START.withVoter(3, "c:3");
        final byte[] bytes = grown.encode();
        log.append(2, 1, LogStore.KIND_CONFIGURATION, new UnsafeBuffer(bytes), 0, bytes.length);
        log.append(3, 1, new UnsafeBuffer(new byte[] {7}), 0, 1);
        final RaftEngine e = engine(log, null, null);
        assertEquals(grown, e.membership());
        assertEquals(2, e.membershipIndex());
        assertEquals(START, e.membershipAt(1));
        assertTrue(e.mayCampaign());
    }

    @Test
    void aSnapshotsConfigurationHoldsUntilTheLogHasANewerOne() {
        final InMemorySnapshotStore store = new InMemorySnapshotStore();
        final Membership three = Membership.of(new int[] {1, 2, 4}, new int[0]);
        final SnapshotMeta snap = snapshot(store, three);
        final RaftEngine e = engine(new InMemoryLogStore(), store, snap);
        assertEquals(three, e.membership());
        assertEquals(5, e.membershipIndex());
    }

    /**
     * A snapshot whose voters happen to be the starting members is taken as it is: the learner of the start was
     * promoted since (simulation seed 2098602: reading it as the starting configuration demoted node 3 again).
     */
    @Test
    void aSnapshotOfTheStartingMembersAllVotingIsTakenAsItIs() {
        final InMemorySnapshotStore store = new InMemorySnapshotStore();
        final Membership promoted = Membership.of(new int[] {1, 2, 3}, new int[0]);
        final RaftEngine e = engine(new InMemoryLogStore(), store, snapshot(store, promoted));
        assertEquals(promoted, e.membership(), "node 3 stays a voter");
    }
}
