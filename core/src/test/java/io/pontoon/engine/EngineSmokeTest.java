package io.pontoon.engine;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;
import io.pontoon.Role;
import io.pontoon.memory.InMemoryLogStore;
import io.pontoon.memory.InMemoryMetaStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three engines wired directly, explicit time: a leader emerges and proposals commit everywhere in order. */
class EngineSmokeTest {
    record Msg(int from, int to, int type, byte[] body) { }

    @Test
    void threeEnginesElectALeaderAndCommitProposalsInOrder() {
        final int n = 3;
        final int[] ids = {1, 2, 3};
        final ArrayDeque<Msg> queue = new ArrayDeque<>();
        final List<List<Long>> applied = new ArrayList<>();
        final List<long[]> results = new ArrayList<>();
        final RaftEngine[] engines = new RaftEngine[n];
        final RaftConfig cfg = RaftConfig.defaults();
        for (int i = 0; i < n; i++) {
            final int self = ids[i];
            final List<Long> mine = new ArrayList<>();
            applied.add(mine);
            engines[i] = new RaftEngine(self, ids, cfg, new InMemoryLogStore(), new InMemoryMetaStore(),
                (to, type, body, off, len) -> {
                    final byte[] b = new byte[len];
                    body.getBytes(off, b);
                    queue.add(new Msg(self, to, type, b));
                    return true;
                }, RandomSource.seeded(self), new EngineListener() {
                    @Override
                    public void onProposalResult(long tag, ResultCode code, long index) {
                        results.add(new long[]{tag, code.ordinal(), index});
                    }

                    @Override
                    public void onCommit(long lsn, long term, DirectBuffer data, int offset, int length) {
                        mine.add(lsn);
                    }
                }, 0);
        }
        long now = 0;
        int leader = -1;
        for (int step = 0; step < 10_000 && leader < 0; step++) {
            now += 1_000_000;
            runCycles(now, queue, engines);
            for (int i = 0; i < n; i++) {
                if (engines[i].role() == Role.LEADER) {
                    leader = i;
                }
            }
        }
        assertTrue(leader >= 0, "no leader elected");
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        for (int k = 0; k < 1000; k++) {
            payload.putInt(0, k);
            assertTrue(engines[leader].propose(payload, 0, 16, k) > 0);
        }
        for (int step = 0; step < 1000; step++) {
            now += 1_000_000;
            runCycles(now, queue, engines);
        }
        assertEquals(1000, results.size());
        for (long[] r : results) {
            assertEquals(ResultCode.OK.ordinal(), r[1]);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1000, applied.get(i).size(), "node " + ids[i]);
            assertEquals(applied.get(leader), applied.get(i));
        }
    }

    /**
     * One duty cycle of every engine ({@link RaftEngine#doWork}); each one's inbox holds the messages sent
     * to it before this round. Messages sent during the round wait for the next.
     */
    private static void runCycles(long now, ArrayDeque<Msg> queue, RaftEngine[] engines) {
        final List<Msg> round = new ArrayList<>(queue);
        queue.clear();
        for (RaftEngine engine : engines) {
            engine.doWork(now, e -> {
                int n = 0;
                for (Msg m : round) {
                    if (m.to() == e.nodeId()) {
                        final String err = e.onMessage(m.from(), m.type(), new UnsafeBuffer(m.body()), 0, m.body().length);
                        if (err != null) {
                            throw new AssertionError(err);
                        }
                        n++;
                    }
                }
                return n;
            });
        }
    }
}
