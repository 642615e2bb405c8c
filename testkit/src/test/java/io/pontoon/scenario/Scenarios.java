package io.pontoon.scenario;

import io.pontoon.RaftConfig;
import io.pontoon.Role;
import io.pontoon.sim.SimLogStore;
import io.pontoon.sim.SimNode;
import io.pontoon.sim.Simulation;
import io.pontoon.sim.SimulationBuilder;

import java.util.Arrays;

/**
 * Shared vocabulary of the scenario tests: a 100 ms election timeout, 20 ms heartbeats, 1 ms ticks,
 * and helpers that read like the scenario ("the leader", "logs converge"). Every scenario runs on the
 * deterministic simulator, so the safety invariants are checked after every step here too.
 */
final class Scenarios {
    static final long MS = 1_000_000L;
    static final long ELECTION_TIMEOUT_NS = 100 * MS;
    /** Randomized timeouts lie in [T, 2T): this bounds one election attempt. */
    static final long MAX_ELECTION_TIMEOUT_NS = 2 * ELECTION_TIMEOUT_NS;

    private Scenarios() {
    }

    static RaftConfig.Builder config() {
        return RaftConfig.builder().electionTimeoutNs(ELECTION_TIMEOUT_NS).heartbeatIntervalNs(20 * MS);
    }

    static SimulationBuilder cluster(int nodes, RaftConfig config, String testClassAndMethod) {
        return Simulation.builder().nodes(nodes).config(config).seed(42)
            .replayCommand("mvn -pl testkit -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest='"
                + testClassAndMethod + "'");
    }

    /** Runs until some node leads, within 10 maximum election timeouts. */
    static int awaitLeader(Simulation sim) {
        return sim.awaitLeader(10 * MAX_ELECTION_TIMEOUT_NS);
    }

    /** Runs until a node other than those listed leads with a term above {@code aboveTerm}. */
    static int awaitLeaderOtherThan(Simulation sim, long aboveTerm, int... excluded) {
        final int[] found = new int[1];
        final boolean ok = sim.runUntil(() -> {
            for (SimNode n : sim.nodes()) {
                if (n.isUp() && n.role() == Role.LEADER && n.engine().term() > aboveTerm
                    && Arrays.stream(excluded).noneMatch(x -> x == n.id())) {
                    found[0] = n.id();
                    return true;
                }
            }
            return false;
        }, 10 * MAX_ELECTION_TIMEOUT_NS);
        sim.expect(ok, "a leader other than " + Arrays.toString(excluded) + " above term " + aboveTerm);
        return found[0];
    }

    /** Runs until every up node has applied (this incarnation) at least up to {@code lsn}. */
    static void awaitAppliedEverywhere(Simulation sim, long lsn) {
        final boolean ok = sim.runUntil(() -> {
            for (SimNode n : sim.nodes()) {
                if (n.isUp() && n.lastAppliedLsn() < lsn) {
                    return false;
                }
            }
            return true;
        }, 10 * MAX_ELECTION_TIMEOUT_NS);
        sim.expect(ok, "every node applies up to LSN " + lsn);
    }

    /**
     * Proposes on {@code leader} until the cluster has committed up to {@code index}. An entry's fate is
     * known for certain only once its index is committed (with it, or with another entry), so this is
     * how a client of a deposed leader learns the outcome before its proposal times out.
     */
    static void commitPast(Simulation sim, int leader, long index) {
        final boolean ok = sim.runUntil(() -> {
            if (sim.maxCommittedIndex() >= index) {
                return true;
            }
            if (sim.node(leader).isUp() && sim.node(leader).role() == Role.LEADER
                && sim.node(leader).log().lastIndex() < index) {
                sim.propose(leader);
            }
            return false;
        }, 10 * MAX_ELECTION_TIMEOUT_NS);
        sim.expect(ok, "the cluster commits up to index " + index);
    }

    /** True if both logs hold the same entries (terms and payloads). */
    static boolean sameLog(SimLogStore a, SimLogStore b) {
        if (a.lastIndex() != b.lastIndex()) {
            return false;
        }
        for (long i = 1; i <= a.lastIndex(); i++) {
            if (a.termAt(i) != b.termAt(i) || a.hashAt(i) != b.hashAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** True if every up node's log equals node {@code id}'s. */
    static boolean logsConvergedTo(Simulation sim, int id) {
        for (SimNode n : sim.nodes()) {
            if (n.isUp() && !sameLog(n.log(), sim.node(id).log())) {
                return false;
            }
        }
        return true;
    }

    /** Appends entries with the given terms to a node's log before start, durably, and sets its term. */
    static void preload(Simulation sim, int id, long... terms) {
        final SimLogStore log = sim.node(id).log();
        long maxTerm = 0;
        for (long t : terms) {
            log.appendPreloaded(t);
            maxTerm = Math.max(maxTerm, t);
        }
        log.persistAll();
        sim.node(id).meta().save(maxTerm, 0);
    }
}
