package io.pontoon.testkit;

import io.pontoon.ClusterFabric;
import io.pontoon.HashingStateMachine;
import io.pontoon.LocalCluster;
import io.pontoon.ProposalException;
import io.pontoon.RaftConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nemesis on an in-memory cluster: every kind of fault, then the cluster heals and agrees on one state. */
class NemesisTest {
    private static final RaftConfig CONFIG = RaftConfig.builder()
        .electionTimeout(Duration.ofMillis(100)).heartbeatInterval(Duration.ofMillis(20)).build();

    @Test
    void everyKindOfFaultThenTheClusterHealsAndEveryNodeHoldsTheSameState() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(5, CONFIG, ClusterFabric.inMemory(), 0,
            id -> new HashingStateMachine())) {
            cluster.awaitLeader(Duration.ofSeconds(10));
            final List<Long> acknowledged = new ArrayList<>();
            final Nemesis nemesis = Nemesis.builder(cluster).seed(42).faults(EnumSet.allOf(Nemesis.Fault.class))
                .interval(Duration.ofMillis(100)).faultDuration(Duration.ofMillis(150)).build().start();
            // Writes go on through the faults until the nemesis has shown every kind at least once (or 20 s).
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int sent = 0;
            while (System.nanoTime() < deadline && !everyKindSeen(nemesis)) {
                acknowledged.addAll(writeThroughAnyLeader(cluster, "w" + sent++));
            }
            nemesis.close();
            final List<String> events = nemesis.events();
            assertTrue(everyKindSeen(nemesis), "every fault was drawn: " + events);
            // Healed: a leader, a write, and every node converges on the same state machine.
            cluster.awaitLeader(Duration.ofSeconds(10));
            long last = -1;
            while (last < 0) {
                final List<Long> ok = writeThroughAnyLeader(cluster, "final");
                last = ok.isEmpty() ? -1 : ok.get(0);
            }
            final long target = last;
            awaitTrue(() -> {
                for (int i = 0; i < cluster.size(); i++) {
                    if (((HashingStateMachine) cluster.stateMachine(i)).index() < target) {
                        return false;
                    }
                }
                return true;
            }, "every node applied " + target + "; faults: " + events);
            final HashingStateMachine first = (HashingStateMachine) cluster.stateMachine(0);
            for (int i = 1; i < cluster.size(); i++) {
                final HashingStateMachine sm = (HashingStateMachine) cluster.stateMachine(i);
                if (sm.index() == first.index()) {
                    assertEquals(first.hash(), sm.hash(), "n" + (i + 1) + " holds the same state as n1");
                }
            }
            assertTrue(acknowledged.size() > 0, "some writes were acknowledged during the faults");
        }
    }

    @Test
    void aNemesisNeedsFaultsAndPositiveTimes() {
        try (LocalCluster cluster = LocalCluster.start(3, CONFIG)) {
            assertThrows(IllegalArgumentException.class, () -> Nemesis.builder(cluster).faults(EnumSet.noneOf(
                Nemesis.Fault.class)));
            assertThrows(IllegalArgumentException.class, () -> Nemesis.builder(cluster).interval(Duration.ZERO));
        }
    }

    private static boolean everyKindSeen(Nemesis nemesis) {
        final List<String> events = nemesis.events();
        for (Nemesis.Fault f : Nemesis.Fault.values()) {
            if (events.stream().noneMatch(e -> e.contains(" " + f.name() + " ") && !e.contains("skipped")
                && !e.contains("no leader") && !e.contains("too few"))) {
                return false;
            }
        }
        return true;
    }

    /** One write on whichever node leads now; returns its index if acknowledged. */
    private static List<Long> writeThroughAnyLeader(LocalCluster cluster, String value) {
        for (int i = 0; i < cluster.size(); i++) {
            if (!cluster.isRunning(i)) {
                continue;
            }
            final CompletableFuture<Long> f = cluster.node(i).propose(value.getBytes(StandardCharsets.UTF_8));
            try {
                return List.of(f.get(2, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof ProposalException)) {
                    throw new AssertionError(e);
                }
            } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
                return List.of(); // unknown outcome: neither counted nor retried
            }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // no leader right now: poll again shortly
        return List.of();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
