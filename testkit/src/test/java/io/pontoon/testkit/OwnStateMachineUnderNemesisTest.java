package io.pontoon.testkit;

import io.pontoon.HashingStateMachine;
import io.pontoon.LocalCluster;
import io.pontoon.ProposalException;
import io.pontoon.RaftConfig;
import io.pontoon.RaftNode;
import io.pontoon.ReadPolicy;
import io.pontoon.ResultCode;
import io.pontoon.testkit.history.CheckResult;
import io.pontoon.testkit.history.History;
import io.pontoon.testkit.history.LinearizabilityChecker;
import io.pontoon.testkit.history.Model;
import io.pontoon.testkit.history.Operation;
import io.pontoon.testkit.history.StepResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example of docs/TESTKIT.md, "Your own state machine under a nemesis": a counter (each entry counts one) on a
 * test cluster, two clients incrementing and reading it while the nemesis partitions, drops and kills, the history
 * checked against a counter model.
 */
class OwnStateMachineUnderNemesisTest {
    /** The sequential specification: "incr" adds one, "get" returns the count. */
    static final class CounterModel implements Model<Long> {
        @Override
        public Long init() {
            return 0L;
        }

        @Override
        public StepResult<Long> step(Long count, Operation op) {
            switch (op.f()) {
                case "incr": return StepResult.legal(count + 1);
                case "get": return count.equals(op.output()) ? StepResult.legal(count) : StepResult.illegal();
                default: throw new IllegalArgumentException("a counter has incr and get, not " + op.f());
            }
        }

        @Override
        public boolean isReadOnly(Operation op) {
            return op.f().equals("get");
        }
    }

    @Test
    void aCounterUnderPartitionsLossAndKillsIsLinearizable() throws Exception {
        final RaftConfig config = RaftConfig.builder().electionTimeout(Duration.ofMillis(150))
            .heartbeatInterval(Duration.ofMillis(30)).proposalTimeout(Duration.ofMillis(500)).build();
        final History history = new History();
        try (LocalCluster cluster = TestClusters.inMemory(3, config, id -> new HashingStateMachine());
             Nemesis nemesis = Nemesis.builder(cluster).seed(7)
                 .faults(EnumSet.of(Nemesis.Fault.PARTITION, Nemesis.Fault.LOSS, Nemesis.Fault.KILL))
                 .interval(Duration.ofMillis(200)).faultDuration(Duration.ofMillis(300)).build()) {
            cluster.awaitLeader(Duration.ofSeconds(10));
            nemesis.start();
            final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            final Thread[] clients = new Thread[2];
            for (int c = 0; c < clients.length; c++) {
                final int first = c;
                clients[c] = new Thread(() -> client(cluster, history, first, clients.length, end));
                clients[c].start();
            }
            for (Thread t : clients) {
                t.join();
            }
        }
        final CheckResult result = new LinearizabilityChecker<>(new CounterModel()).check(history);
        assertTrue(result.linearizable(), result.toString());
        assertTrue(history.operations().stream().anyMatch(op -> op.isOk() && op.f().equals("get")
            && ((Long) op.output()) > 0), "some reads saw increments");
    }

    /** One client: one operation at a time; after an unknown outcome it goes on as a new process. */
    private static void client(LocalCluster cluster, History history, int process, int processes, long end) {
        int p = process;
        long n = 0;
        while (System.nanoTime() < end) {
            final int leader = leader(cluster);
            if (leader < 0) {
                continue; // no leader right now (leader() waited a moment): try again
            }
            final RaftNode node = cluster.node(leader);
            if (n++ % 2 == 0) {
                final long h = history.invoke(p, "incr", "count", null);
                try {
                    node.propose(new byte[] {1}).get(1, TimeUnit.SECONDS);
                    history.ok(h);
                } catch (ExecutionException e) {
                    final ResultCode code = e.getCause() instanceof ProposalException pe ? pe.code() : null;
                    if (code == ResultCode.NOT_LEADER || code == ResultCode.REJECTED_BUSY
                        || code == ResultCode.LEADERSHIP_LOST || code == ResultCode.LEADERSHIP_TRANSFER) {
                        history.fail(h); // nothing was appended, or what was is certainly lost
                    } else {
                        history.info(h); // TIMEOUT, CLOSED: it may still commit
                        p += processes;
                    }
                } catch (TimeoutException | InterruptedException e) {
                    history.info(h);
                    p += processes;
                }
            } else {
                final long h = history.invoke(p, "get", "count", null);
                // The node's state machine, taken now: the query runs on the node's apply thread.
                final HashingStateMachine counter = (HashingStateMachine) cluster.stateMachine(leader);
                try {
                    final long count = node.read(ReadPolicy.LINEARIZABLE, counter::count).get(1, TimeUnit.SECONDS);
                    history.ok(h, count);
                } catch (ExecutionException | TimeoutException | InterruptedException e) {
                    history.fail(h); // a read that got no answer changed nothing
                }
            }
        }
    }

    /** The running, connected node that says it leads, or -1 after waiting a moment. */
    private static int leader(LocalCluster cluster) {
        try {
            return cluster.awaitLeader(Duration.ofMillis(200));
        } catch (IllegalStateException none) {
            return -1;
        }
    }
}
