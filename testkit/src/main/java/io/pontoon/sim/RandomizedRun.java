package io.pontoon.sim;

import io.pontoon.RaftConfig;
import io.pontoon.ResultCode;

import java.util.SplittableRandom;

/**
 * One seed of the randomized simulation: a cluster configuration drawn from the seed, random client
 * proposals, then one or two cycles of chaos (phases of partitions, one-way cuts, crashes and restarts,
 * loss, duplication, delay spikes, slow disks) each followed by a heal and a liveness check, then a
 * drain that checks every accepted proposal gets an outcome.
 *
 * <p>Liveness: after a heal (every node up, the network clean) a leader must exist and a fresh
 * proposal must be applied on every node within {@value #LIVENESS_ELECTION_TIMEOUTS} maximum election
 * timeouts (2 x electionTimeoutNs each).
 */
final class RandomizedRun {
    static final int LIVENESS_ELECTION_TIMEOUTS = 10;
    /** A run longer than this in virtual time is a bug in the run itself (or a livelock). */
    private static final long MAX_VIRTUAL_NS = 600_000_000_000L;

    private final Simulation sim;
    private final SplittableRandom random;
    private final SplittableRandom plan;
    private final long electionTimeoutNs;
    private final long clientIntervalNs;
    private final double leaderBias;
    private final long cleanDelayMinNs;
    private final long cleanDelayJitterNs;
    private final boolean cleanFifo;
    private int cyclesLeft;
    private boolean chaos;
    private boolean clientRunning = true;
    private long healedAtNs;
    private Proposal probe;
    private boolean finished;
    private long lastHealNs;
    /** This phase crashes or isolates each new leader soon after its election (Figure 8 histories). */
    private boolean churnLeaders;
    private long churnedTerm = -1;

    /**
     * What a run injects on top of the classic chaos. {@code storageLevel} 0 is none (the history replays
     * exactly as before storage faults existed), 1 to 3 add storage faults at rising rates, -1 lets the seed
     * decide (a quarter of the seeds get none). The mutants and the switch for the checker's direct storage
     * checks exist for the tests that show the end-to-end invariants catch storage bugs on their own.
     */
    record Faults(int storageLevel, boolean mutantSkipVotePersistence, boolean mutantJournalSkipsSync,
                  boolean directStorageChecks, int readLevel, int learnerLevel, int membershipLevel) {
        static final Faults BY_SEED = new Faults(-1, false, false, true, -1, -1, -1);
        static final Faults CLASSIC = new Faults(0, false, false, true, 0, 0, 0);
        /** Storage faults by seed, no reads or transfers: the histories of seeds pinned before reads existed. */
        static final Faults STORAGE_BY_SEED = new Faults(-1, false, false, true, 0, 0, 0);
        /** Storage faults, reads and transfers by seed, no learners: seeds pinned before learners existed. */
        static final Faults READS_BY_SEED = new Faults(-1, false, false, true, -1, 0, 0);
        /** Everything by seed but membership changes: seeds pinned before membership changes existed. */
        static final Faults LEARNERS_BY_SEED = new Faults(-1, false, false, true, -1, -1, 0);

        /**
         * {@code membershipLevel}: 0 the configuration never changes; 1 the cluster starts with one or two spare
         * nodes outside it (and no static learner), and the leader is now and then asked for a random membership
         * change (add a learner, promote one, add or remove a voter, or an arbitrary change through joint
         * consensus); -1 lets the seed decide (one seed in four that reads).
         */
        Faults(int storageLevel, boolean mutantSkipVotePersistence, boolean mutantJournalSkipsSync,
               boolean directStorageChecks, int readLevel, int learnerLevel) {
            this(storageLevel, mutantSkipVotePersistence, mutantJournalSkipsSync, directStorageChecks, readLevel,
                learnerLevel, 0);
        }

        /**
         * {@code learnerLevel}: 0 every node votes; 1 the last node is a learner (never votes, never leads, still
         * applies everything); -1 lets the seed decide (one seed in four that reads gets a learner, and one in four
         * node 1 as its preferred leader).
         */
        Faults(int storageLevel, boolean mutantSkipVotePersistence, boolean mutantJournalSkipsSync,
               boolean directStorageChecks, int readLevel) {
            this(storageLevel, mutantSkipVotePersistence, mutantJournalSkipsSync, directStorageChecks, readLevel, 0);
        }

        /**
         * {@code readLevel}: 0 no reads or leadership transfers (the history replays as before they existed), 1 the
         * clients also read (ReadIndex, lease reads where the seed's config allows them, reads on followers) and
         * the leader is now and then asked to hand over; -1 lets the seed decide (three seeds in four read).
         */
        Faults(int storageLevel, boolean mutantSkipVotePersistence, boolean mutantJournalSkipsSync,
               boolean directStorageChecks) {
            this(storageLevel, mutantSkipVotePersistence, mutantJournalSkipsSync, directStorageChecks, 0);
        }
    }

    /** Crash probability at each moment that matters, per storage level. */
    private static final double[] AIMED_CRASH_RATE = {0, 0.01, 0.05, 0.2};

    /** Draws of the storage faults, from their own stream so that level 0 keeps the classic history. */
    private final SplittableRandom storage;
    private final int storageLevel;
    /** Mean time between snapshots of a random node (0: this seed takes none). */
    private final long snapshotIntervalNs;
    /** Reads and leadership transfers: 0 none, 1 on; their own random stream; lease reads on for this seed. */
    private final int readLevel;
    private final SplittableRandom readsRandom;
    private final boolean leaseReads;
    /** Learners among the nodes (the last ones). */
    private final int learners;
    /** Membership changes: 0 none, 1 on (from their own stream), and the spare nodes the run starts with. */
    private final int membershipLevel;
    private final SplittableRandom membershipRandom;
    private final int spares;

    private RandomizedRun(long seed, int nodes) {
        this(seed, nodes, Faults.BY_SEED);
    }

    private RandomizedRun(long seed, int nodes, Faults faults) {
        this.storage = new SplittableRandom(Simulation.mix(seed, 0x5709, nodes));
        final int drawn = storage.nextInt(4);
        this.storageLevel = faults.storageLevel() >= 0 ? faults.storageLevel() : drawn;
        this.plan = new SplittableRandom(Simulation.mix(seed, 0x5eed, nodes));
        electionTimeoutNs = ms(60 + plan.nextInt(91));
        final long heartbeatNs = electionTimeoutNs / (3 + plan.nextInt(3));
        final boolean smallCaps = plan.nextInt(3) == 0;
        final boolean preVote = plan.nextInt(4) != 0;
        final boolean checkQuorum = plan.nextInt(4) != 0;
        // Reads and transfers draw from their own stream, so that seeds without them keep their history.
        this.readsRandom = new SplittableRandom(Simulation.mix(seed, 0x4ead, nodes));
        final int drawnReads = readsRandom.nextInt(4) == 0 ? 0 : 1;
        this.readLevel = faults.readLevel() >= 0 ? faults.readLevel() : drawnReads;
        this.leaseReads = readLevel > 0 && preVote && checkQuorum && readsRandom.nextBoolean();
        // Learners and a preferred leader from a stream of their own, too.
        final SplittableRandom members = new SplittableRandom(Simulation.mix(seed, 0x1ea4, nodes));
        final boolean drawnLearner = readLevel > 0 && members.nextInt(4) == 0;
        this.learners = faults.learnerLevel() >= 0 ? Math.min(faults.learnerLevel(), nodes - 1)
            : drawnLearner ? 1 : 0;
        final int preferredDraw = faults.learnerLevel() < 0 && readLevel > 0 && members.nextInt(4) == 0 ? 1 : 0;
        // Membership changes from a stream of their own too; such a seed has spares and no static learner.
        this.membershipRandom = new SplittableRandom(Simulation.mix(seed, 0xc0f6, nodes));
        final boolean drawnMembership = readLevel > 0 && membershipRandom.nextInt(4) == 0;
        this.membershipLevel = faults.membershipLevel() >= 0 ? faults.membershipLevel() : drawnMembership ? 1 : 0;
        final int learners = membershipLevel > 0 ? 0 : this.learners;
        this.spares = membershipLevel > 0 ? (nodes >= 5 ? 2 : 1) : 0;
        // A preferred leader must vote in the configuration the cluster starts with: node 1 always does.
        final int preferredLeader = preferredDraw;
        final RaftConfig config = RaftConfig.builder()
            .electionTimeoutNs(electionTimeoutNs)
            .heartbeatIntervalNs(heartbeatNs)
            .preVote(preVote)
            .checkQuorum(checkQuorum)
            .leaseReads(leaseReads)
            .preferredLeader(preferredLeader)
            .maxBatchEntries(pick(1, 3, 16, 4096))
            .maxBatchBytes(smallCaps ? 1024 : 256 * 1024)
            .maxInflightMessages(pick(1, 2, 8, 256))
            .maxInflightBytes(smallCaps ? 1024 : 32L * 1024 * 1024)
            .maxPendingProposals(pick(8, 64, 262_144))
            .maxEntryBytes(1024)
            .maxUncommittedBytes(smallCaps ? 2048 : 256L * 1024 * 1024)
            .proposalTimeoutNs(electionTimeoutNs * (5 + plan.nextInt(20)))
            // Snapshot transfer settings come from the storage stream (unused without snapshots).
            .snapshotChunkBytes(new int[] {16, 100, 512, 4096}[storage.nextInt(4)])
            .maxInflightSnapshotChunks(new int[] {1, 2, 8}[storage.nextInt(3)])
            .snapshotChunkTimeoutNs(electionTimeoutNs * (1 + storage.nextInt(3)))
            // Its own stream, so the pinned seeds' histories stay as they were found.
            .maxSnapshotBytesPerSecond(new long[] {0, 0, 20_000, 200_000}[
                new SplittableRandom(Simulation.mix(seed, 0x7407, nodes)).nextInt(4)])
            .build();
        snapshotIntervalNs = storageLevel > 0 && storage.nextInt(4) != 0
            ? electionTimeoutNs * new int[] {1, 3, 10}[storage.nextInt(3)] / 2 : 0;
        final long tickNs = Math.max(1_000_000L, heartbeatNs / (2 + plan.nextInt(3)));
        cleanDelayMinNs = 50_000L + plan.nextLong(1_000_000L);
        cleanDelayJitterNs = 50_000L + plan.nextLong(2_000_000L);
        cleanFifo = plan.nextInt(4) != 0;
        clientIntervalNs = ms(pick(4, 8, 15, 30));
        leaderBias = 0.5 + plan.nextDouble() * 0.5;
        cyclesLeft = 1 + plan.nextInt(2);
        sim = Simulation.builder()
            .seed(seed)
            .nodes(nodes)
            .learners(learners)
            .spares(spares)
            .config(config)
            .tickIntervalNs(tickNs)
            .networkDelay(cleanDelayMinNs, cleanDelayJitterNs)
            .diskDelay(20_000L + plan.nextLong(500_000L), plan.nextLong(2_000_000L))
            .build();
        random = sim.random();
        sim.network().fifo(cleanFifo);
        sim.tornWrites(storageLevel > 0 && storage.nextBoolean());
        if (faults.mutantSkipVotePersistence()) {
            sim.mutantSkipVotePersistence();
        }
        if (faults.mutantJournalSkipsSync()) {
            sim.mutantJournalSkipsSync();
        }
        sim.directStorageChecks(faults.directStorageChecks());
    }

    /** Runs one seed; throws {@link SimulationFailure} on any violation. */
    static SimStats run(long seed, int nodes) {
        return new RandomizedRun(seed, nodes).run();
    }

    static SimStats run(long seed, int nodes, Faults faults) {
        return new RandomizedRun(seed, nodes, faults).run();
    }

    /** The simulation of one seed, not yet started (for tracing a replay). */
    static Simulation simulationFor(long seed, int nodes, java.io.PrintStream trace) {
        final RandomizedRun run = new RandomizedRun(seed, nodes);
        run.sim.traceTo(trace);
        return run.sim;
    }

    static SimStats runTraced(long seed, int nodes, java.io.PrintStream trace) {
        final RandomizedRun run = new RandomizedRun(seed, nodes);
        run.sim.traceTo(trace);
        return run.run();
    }

    private SimStats run() {
        sim.start();
        scheduleClient();
        if (snapshotIntervalNs > 0) {
            scheduleSnapshot();
        }
        if (readLevel > 0) {
            scheduleRead();
            scheduleTransfer();
        }
        if (membershipLevel > 0) {
            scheduleMembershipChange();
        }
        startChaos(sim.nowNs() + electionTimeoutNs * (1 + plan.nextInt(4)));
        while (!finished) {
            if (!sim.stepOnce()) {
                throw sim.failure("simulation stalled", "no event scheduled", null);
            }
            if (sim.nowNs() > MAX_VIRTUAL_NS) {
                throw sim.failure("simulation bound", "run exceeded " + Simulation.formatTime(MAX_VIRTUAL_NS), null);
            }
        }
        return new SimStats(sim.checker.elections, sim.checker.committedPayloads, sim.nowNs(), sim.events,
            sim.network().sent, sim.crashes, sim.checker.outcomesOk, sim.checker.outcomesLost,
            sim.checker.outcomesTimeout, sim.maxWindowMessages, sim.aimedCrashes, sim.failStops,
            sim.snapshotsTaken, sim.installs, sim.checker.readsOk, sim.transfers, sim.checker.membershipCommits);
    }

    // ------------------------------------------------------------------ client

    private void scheduleClient() {
        sim.schedule(sim.nowNs() + 1 + random.nextLong(2 * clientIntervalNs), "client", this::clientPropose);
    }

    private void clientPropose() {
        if (!clientRunning) {
            return;
        }
        scheduleClient();
        int target = random.nextDouble() < leaderBias ? sim.leader() : 0;
        if (target == 0) {
            target = 1 + random.nextInt(sim.size());
        }
        final SimNode n = sim.node(target);
        if (n.engine != null) {
            sim.proposeNow(n, random.nextInt(100) == 0);
        }
    }

    // ------------------------------------------------------------------ reads and transfers

    private void scheduleRead() {
        sim.schedule(sim.nowNs() + 1 + readsRandom.nextLong(2 * clientIntervalNs), "read", () -> {
            if (!clientRunning) {
                return;
            }
            scheduleRead();
            int target = readsRandom.nextDouble() < leaderBias ? sim.leader() : 0;
            if (target == 0) {
                target = 1 + readsRandom.nextInt(sim.size());
            }
            final SimNode n = sim.node(target);
            if (n.engine != null) {
                sim.readNow(n, leaseReads && readsRandom.nextInt(3) == 0);
            }
        });
    }

    /** Now and then the leader is asked to hand leadership to a random other member (thesis §3.10). */
    private void scheduleTransfer() {
        sim.schedule(sim.nowNs() + 1 + readsRandom.nextLong(20 * electionTimeoutNs), "transfer", () -> {
            if (!clientRunning) {
                return;
            }
            scheduleTransfer();
            final int leader = sim.leader();
            if (leader != 0) {
                int target = 1 + readsRandom.nextInt(sim.size() - 1);
                if (target >= leader) {
                    target++;
                }
                sim.transferNow(sim.node(leader), target);
            }
        });
    }

    // ------------------------------------------------------------------ membership changes

    /** Now and then the leader is asked for a random membership change (thesis §4), under whatever chaos is on. */
    private void scheduleMembershipChange() {
        sim.schedule(sim.nowNs() + 1 + membershipRandom.nextLong(10 * electionTimeoutNs), "membership", () -> {
            if (!clientRunning) {
                return;
            }
            scheduleMembershipChange();
            final int leader = sim.leader();
            if (leader == 0) {
                return;
            }
            final int n = sim.size();
            final int id = 1 + membershipRandom.nextInt(n);
            switch (membershipRandom.nextInt(6)) {
                case 0:
                    sim.changeMembershipNow(sim.node(leader), m -> m.withLearner(id, null), "add learner n" + id);
                    break;
                case 1:
                    sim.changeMembershipNow(sim.node(leader), m -> {
                        if (!m.isLearner(id)) {
                            throw new IllegalArgumentException("n" + id + " is not a learner");
                        }
                        return m.withVoter(id, null);
                    }, "promote n" + id);
                    break;
                case 2:
                    sim.changeMembershipNow(sim.node(leader), m -> m.withVoter(id, null), "add voter n" + id);
                    break;
                case 3:
                case 4:
                    sim.changeMembershipNow(sim.node(leader), m -> m.without(id), "remove n" + id);
                    break;
                default:
                    // An arbitrary configuration: joint consensus when more than one voter changes.
                    final int[] voters = java.util.stream.IntStream.rangeClosed(1, n)
                        .filter(x -> membershipRandom.nextInt(3) != 0).toArray();
                    final int[] learnersNext = java.util.stream.IntStream.rangeClosed(1, n)
                        .filter(x -> java.util.Arrays.stream(voters).noneMatch(v -> v == x) && membershipRandom.nextBoolean())
                        .toArray();
                    if (voters.length > 0) {
                        final io.pontoon.spi.Membership target = io.pontoon.spi.Membership.of(voters, learnersNext);
                        sim.changeMembershipNow(sim.node(leader), m -> target, "change to " + target.describe());
                    }
                    break;
            }
        });
    }

    // ------------------------------------------------------------------ snapshots

    /**
     * Now and then a random node snapshots its state machine; half the time the snapshot is committed a few ms
     * later, so crashes can fall while it is being written. Each snapshot compacts that node's log up to its
     * previous one, so lagging and restarted followers catch up through InstallSnapshot.
     */
    private void scheduleSnapshot() {
        sim.schedule(sim.nowNs() + 1 + storage.nextLong(2 * snapshotIntervalNs), "snapshot", () -> {
            if (finished) {
                return;
            }
            final SimNode n = sim.node(1 + storage.nextInt(sim.size()));
            sim.snapshotNow(n, storage.nextBoolean() ? 0 : 1 + storage.nextLong(3_000_000L));
            scheduleSnapshot();
        });
    }

    // ------------------------------------------------------------------ chaos

    private void startChaos(long atNs) {
        final long endNs = atNs + electionTimeoutNs * (4 + plan.nextInt(16));
        sim.schedule(atNs, "chaos begins", () -> {
            chaos = true;
            if (storageLevel > 0) {
                sim.aimedCrashes(AIMED_CRASH_RATE[storageLevel], 2 * electionTimeoutNs);
            }
            watchLeaders();
        });
        long phaseStart = atNs;
        while (phaseStart < endNs) {
            final long phaseEnd = Math.min(endNs, phaseStart + electionTimeoutNs * (1 + plan.nextInt(8)));
            final long start = phaseStart;
            final long length = phaseEnd - phaseStart;
            sim.schedule(start, "chaos phase", () -> beginPhase(start, length));
            phaseStart = phaseEnd;
        }
        sim.schedule(endNs, "heal", this::heal);
    }

    private void beginPhase(long startNs, long lengthNs) {
        final SimNetwork net = sim.network();
        net.heal();
        final double drop = new double[] {0, 0, 0.01, 0.05, 0.1, 0.2}[random.nextInt(6)];
        final double dup = new double[] {0, 0, 0.02, 0.1}[random.nextInt(4)];
        final long jitter = new long[] {500_000L, 2_000_000L, 10_000_000L, 30_000_000L}[random.nextInt(4)];
        net.faults(drop, dup, 100_000L + random.nextLong(2_000_000L), jitter).fifo(random.nextInt(10) < 7);
        if (random.nextInt(10) < 3) {
            net.spikes(0.01 + random.nextDouble() * 0.04, 3 * electionTimeoutNs);
        }
        final int n = sim.size();
        final StringBuilder what = new StringBuilder();
        switch (random.nextInt(10)) {
            case 4:
            case 5: {
                final boolean[] left = new boolean[n + 1];
                int leftCount = 0;
                for (int id = 1; id <= n; id++) {
                    left[id] = random.nextBoolean();
                    leftCount += left[id] ? 1 : 0;
                }
                final int[] a = new int[leftCount];
                final int[] b = new int[n - leftCount];
                for (int id = 1, i = 0, k = 0; id <= n; id++) {
                    if (left[id]) {
                        a[i++] = id;
                    } else {
                        b[k++] = id;
                    }
                }
                net.partition(a, b);
                what.append("partition ").append(java.util.Arrays.toString(a)).append(java.util.Arrays.toString(b));
                break;
            }
            case 6: {
                final int id = 1 + random.nextInt(n);
                net.isolate(id);
                what.append("isolate n").append(id);
                break;
            }
            case 7:
            case 8:
                for (int from = 1; from <= n; from++) {
                    for (int to = 1; to <= n; to++) {
                        if (from != to && random.nextInt(10) < 3) {
                            net.cut(from, to);
                        }
                    }
                }
                what.append("one-way cuts");
                break;
            case 9: {
                final int leader = sim.leader();
                if (leader != 0) {
                    net.isolate(leader);
                    what.append("isolate leader n").append(leader);
                }
                break;
            }
            default:
                break;
        }
        churnLeaders = random.nextInt(10) < 3;
        if (churnLeaders) {
            what.append(" leader churn");
        }
        for (SimNode node : sim.nodes()) {
            node.slowDiskNs = random.nextInt(10) == 0 ? random.nextLong(2 * electionTimeoutNs) : 0;
            if (random.nextInt(100) < 12) {
                scheduleCrash(node.id, startNs + random.nextLong(lengthNs), lengthNs);
            }
        }
        if (storageLevel > 0 && storage.nextInt(6) == 0) {
            final int id = 1 + storage.nextInt(n);
            final boolean metaOnly = storage.nextBoolean();
            sim.schedule(startNs + storage.nextLong(lengthNs), "storage fault n" + id, () -> {
                if (chaos) {
                    sim.failStorageNow(sim.node(id), metaOnly);
                }
            });
            what.append(" storage fault n").append(id);
        }
        if (random.nextInt(5) == 0) {
            final long at = startNs + random.nextLong(lengthNs);
            sim.schedule(at, "crash the leader", () -> {
                final int leader = sim.leader();
                if (leader != 0 && chaos) {
                    crashAndPlanRestart(sim.node(leader), lengthNs);
                }
            });
        }
        sim.note(what + " " + net.describe());
    }

    /** While chaos lasts, checks each tick for a new leader to crash or cut off (leader churn phases). */
    private void watchLeaders() {
        if (!chaos) {
            return;
        }
        sim.schedule(sim.nowNs() + sim.tickIntervalNs, "watch leaders", this::watchLeaders);
        final int leader = sim.leader();
        if (!churnLeaders || leader == 0 || sim.node(leader).engine.term() == churnedTerm) {
            return;
        }
        final long term = sim.node(leader).engine.term();
        churnedTerm = term;
        final long delayNs = random.nextLong(3 * sim.config.heartbeatIntervalNs);
        final boolean crash = random.nextBoolean();
        sim.schedule(sim.nowNs() + delayNs, (crash ? "crash" : "isolate") + " new leader n" + leader, () -> {
            final SimNode node = sim.node(leader);
            if (!chaos || node.engine == null || node.engine.term() != term) {
                return;
            }
            if (crash) {
                crashAndPlanRestart(node, 3 * electionTimeoutNs);
            } else {
                sim.network().isolate(leader);
            }
        });
    }

    private void scheduleCrash(int id, long atNs, long phaseLengthNs) {
        sim.schedule(atNs, "crash n" + id, () -> {
            if (chaos) {
                crashAndPlanRestart(sim.node(id), phaseLengthNs);
            }
        });
    }

    private void crashAndPlanRestart(SimNode node, long phaseLengthNs) {
        sim.crashNow(node);
        final long downNs = random.nextLong(Math.max(1, Math.min(phaseLengthNs, 4 * electionTimeoutNs)));
        sim.schedule(sim.nowNs() + downNs, "restart n" + node.id, () -> {
            if (chaos && node.engine == null) {
                sim.restartNow(node);
            }
        });
    }

    // ------------------------------------------------------------------ heal, liveness, drain

    private void heal() {
        chaos = false;
        sim.network().heal().faults(0, 0, cleanDelayMinNs, cleanDelayJitterNs).fifo(cleanFifo);
        sim.aimedCrashes(0, 1);
        for (SimNode node : sim.nodes()) {
            node.slowDiskNs = 0;
            if (node.failed || node.logFailing || node.metaFailing) {
                sim.repairNow(node);
            }
            if (node.engine == null) {
                sim.restartNow(node);
            }
        }
        healedAtNs = sim.nowNs();
        lastHealNs = healedAtNs;
        probe = null;
        sim.schedule(sim.nowNs(), "liveness check", this::checkLiveness);
    }

    private void checkLiveness() {
        final long boundNs = LIVENESS_ELECTION_TIMEOUTS * 2 * electionTimeoutNs;
        if (probe != null && probe.accepted() && isAppliedEverywhere(probe)) {
            sim.note("liveness ok after " + Simulation.formatTime(sim.nowNs() - healedAtNs));
            if (--cyclesLeft > 0) {
                startChaos(sim.nowNs() + electionTimeoutNs * (1 + plan.nextInt(4)));
            } else {
                clientRunning = false;
                sim.schedule(sim.nowNs(), "drain", this::drain);
            }
            return;
        }
        if (sim.nowNs() - healedAtNs > boundNs) {
            throw sim.failure("liveness", "healed at " + Simulation.formatTime(healedAtNs) + " but "
                + (sim.leader() == 0 ? "no leader" : "leader n" + sim.leader()) + " and "
                + (probe == null ? "no accepted probe proposal" : probe + " not applied on every node")
                + " after " + LIVENESS_ELECTION_TIMEOUTS + " maximum election timeouts ("
                + Simulation.formatTime(boundNs) + ")", null);
        }
        if (probe == null || !probe.accepted() || probe.abandoned()
            || (probe.outcome() != null && probe.outcome() != ResultCode.OK) || probeOnARemovedNode()) {
            final int leader = sim.leader();
            probe = leader == 0 ? null : sim.proposeNow(sim.node(leader), false);
        }
        sim.schedule(sim.nowNs() + sim.tickIntervalNs, "liveness check", this::checkLiveness);
    }

    /**
     * The probe was taken by a leader that has since been removed from the configuration: it hears no more commits,
     * so its proposal's outcome stays unknown until it times out (simulation seed 18138). Probe the leader again.
     */
    private boolean probeOnARemovedNode() {
        final int leader = sim.leader();
        return probe != null && leader != 0 && probe.nodeId != leader && probe.outcome() == null
            && !sim.engine(leader).membership().isMember(probe.nodeId);
    }

    private boolean isAppliedEverywhere(Proposal p) {
        if (sim.checker.committedId(p.index()) != p.id) {
            return false;
        }
        // Every member of the leader's configuration; a node removed (or never added) hears nothing any more.
        final int leader = sim.leader();
        final io.pontoon.spi.Membership members = leader == 0 ? null : sim.engine(leader).membership();
        for (SimNode node : sim.nodes()) {
            if (members != null && !members.isMember(node.id)) {
                continue;
            }
            if (node.engine == null || node.lastAppliedLsn < p.index()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every accepted proposal on a live node must get its outcome within proposalTimeoutNs; the drain
     * proposes on the leader until the commit index passes the oldest unsettled proposal.
     */
    private void drain() {
        final long slackNs = 3 * sim.tickIntervalNs + 1_000_000L;
        final Proposal pending = sim.checker.firstPending(sim.config.proposalTimeoutNs, slackNs, sim.nowNs(), true);
        if (pending == null) {
            finished = true;
            return;
        }
        // A deposed leader's proposal is settled once its index is committed: keep the log moving.
        final int leader = sim.leader();
        if (leader != 0 && sim.checker.maxCommitted() < pending.index()
            && sim.node(leader).log.lastIndex() <= pending.index()) {
            sim.proposeNow(sim.node(leader), false);
        }
        sim.schedule(sim.nowNs() + sim.tickIntervalNs, "drain", this::drain);
    }

    private int pick(int... values) {
        return values[plan.nextInt(values.length)];
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }
}
