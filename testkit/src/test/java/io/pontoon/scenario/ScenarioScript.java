package io.pontoon.scenario;

import io.pontoon.RaftConfig;
import io.pontoon.Role;
import io.pontoon.sim.Proposal;
import io.pontoon.sim.SimNode;
import io.pontoon.sim.Simulation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small command language over the simulator, in the style of etcd raft's datadriven tests: a script
 * is a sequence of blocks, each a command, a {@code ----} line and the output the command must print.
 * The output is the assertion; {@code -Dscenario.rewrite=true} rewrites it from the actual run.
 *
 * <pre>
 * cluster nodes=3 [seed=1] [pre-vote=true] [check-quorum=true] [batch=4096] [election=100ms] [heartbeat=20ms]
 * run for=300ms | run until=leader [within=2s] | run until=commit index=7 [within=2s]
 * propose node=2|leader [count=3]        outcomes
 * isolate node=1 | reconnect node=1 | partition groups=1,2/3,4,5 | cut from=1 to=2 | heal
 * crash node=1 | restart node=1 | hold-disk node=1 | release-disk node=1 | pause-ticks node=1 | resume-ticks node=1
 * status | log node=1
 * </pre>
 */
final class ScenarioScript {
    /** One block of a script: comment lines, the command, the expected output lines. */
    record Block(List<String> comments, String command, List<String> expected) {
    }

    private Simulation sim;
    private final List<Proposal> proposals = new ArrayList<>();

    static List<Block> parse(List<String> lines) {
        final List<Block> blocks = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            final String line = lines.get(i).strip();
            if (line.isEmpty()) {
                i++;
            } else if (line.startsWith("#")) {
                comments.add(lines.get(i));
                i++;
            } else {
                if (i + 1 >= lines.size() || !lines.get(i + 1).strip().equals("----")) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": command '" + line + "' lacks a ---- line");
                }
                i += 2;
                final List<String> expected = new ArrayList<>();
                while (i < lines.size() && !lines.get(i).strip().isEmpty()) {
                    expected.add(lines.get(i));
                    i++;
                }
                blocks.add(new Block(comments, line, expected));
                comments = new ArrayList<>();
            }
        }
        return blocks;
    }

    static String render(List<Block> blocks, List<String> outputs) {
        final StringBuilder sb = new StringBuilder();
        for (int b = 0; b < blocks.size(); b++) {
            if (b > 0) {
                sb.append('\n');
            }
            for (String c : blocks.get(b).comments()) {
                sb.append(c).append('\n');
            }
            sb.append(blocks.get(b).command()).append("\n----\n").append(outputs.get(b)).append('\n');
        }
        return sb.toString();
    }

    /** Runs one command and returns what it prints (never empty). */
    String execute(String command) {
        final String[] words = command.trim().split("\\s+");
        final Map<String, String> args = new HashMap<>();
        for (int i = 1; i < words.length; i++) {
            final int eq = words[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("argument '" + words[i] + "' of '" + command + "' is not key=value");
            }
            args.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        if (!words[0].equals("cluster") && sim == null) {
            throw new IllegalStateException("'" + command + "' before any 'cluster' command");
        }
        switch (words[0]) {
            case "cluster": return cluster(args);
            case "run": return run(args);
            case "propose": return propose(args);
            case "outcomes": return outcomes();
            case "status": return status();
            case "log": return logLine(sim.node(node(args)));
            case "isolate": sim.network().isolate(node(args)); return "ok";
            case "reconnect": sim.network().reconnect(node(args)); return "ok";
            case "cut": sim.network().cut(Integer.parseInt(args.get("from")), Integer.parseInt(args.get("to"))); return "ok";
            case "heal": sim.network().heal(); return "ok";
            case "partition": return partition(args.get("groups"));
            case "crash": sim.crash(node(args)); return "ok";
            case "restart": sim.restart(node(args)); return "ok";
            case "hold-disk": sim.holdDisk(node(args)); return "ok";
            case "release-disk": sim.releaseDisk(node(args)); return "ok";
            case "pause-ticks": sim.pauseTicks(node(args)); return "ok";
            case "resume-ticks": sim.resumeTicks(node(args)); return "ok";
            default: throw new IllegalArgumentException("unknown command '" + words[0] + "'");
        }
    }

    private String cluster(Map<String, String> args) {
        final RaftConfig config = RaftConfig.builder()
            .electionTimeoutNs(duration(args.getOrDefault("election", "100ms")))
            .heartbeatIntervalNs(duration(args.getOrDefault("heartbeat", "20ms")))
            .preVote(Boolean.parseBoolean(args.getOrDefault("pre-vote", "true")))
            .checkQuorum(Boolean.parseBoolean(args.getOrDefault("check-quorum", "true")))
            .maxBatchEntries(Integer.parseInt(args.getOrDefault("batch", "4096")))
            .build();
        sim = Simulation.builder().nodes(Integer.parseInt(args.getOrDefault("nodes", "3")))
            .seed(Long.parseLong(args.getOrDefault("seed", "1"))).config(config)
            .replayCommand("mvn -pl testkit -am test -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dtest=ScriptedScenariosTest").build().start();
        proposals.clear();
        return "ok";
    }

    private String run(Map<String, String> args) {
        if (args.containsKey("for")) {
            sim.runFor(duration(args.get("for")));
            return "ok";
        }
        final long within = duration(args.getOrDefault("within", "2s"));
        switch (args.getOrDefault("until", "")) {
            case "leader": {
                if (!sim.runUntil(() -> sim.leader() != 0, within)) {
                    return "no leader";
                }
                final int leader = sim.leader();
                return "n" + leader + " leads term " + sim.engine(leader).term();
            }
            case "commit": {
                final long index = Long.parseLong(args.get("index"));
                return sim.runUntil(() -> sim.maxCommittedIndex() >= index, within)
                    ? "committed up to " + sim.maxCommittedIndex() : "not committed: highest " + sim.maxCommittedIndex();
            }
            default:
                throw new IllegalArgumentException("run needs for=DURATION or until=leader|commit");
        }
    }

    private String propose(Map<String, String> args) {
        final int count = Integer.parseInt(args.getOrDefault("count", "1"));
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            final int id = "leader".equals(args.get("node")) ? sim.leader() : node(args);
            if (i > 0) {
                sb.append('\n');
            }
            if (id == 0) {
                sb.append("no leader to propose to");
                continue;
            }
            final Proposal p = sim.propose(id);
            proposals.add(p);
            sb.append('p').append(p.id).append(" to n").append(id).append(": ");
            if (p.accepted()) {
                sb.append("index ").append(p.index());
            } else {
                sb.append(p.rejection()).append(" (leader ").append(sim.engine(id).leaderId()).append(')');
            }
        }
        return sb.toString();
    }

    private String outcomes() {
        final StringBuilder sb = new StringBuilder();
        for (Proposal p : proposals) {
            if (!p.accepted()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append('p').append(p.id).append(" index ").append(p.index()).append(": ")
                .append(p.outcome() == null ? (p.abandoned() ? "none (node crashed)" : "pending") : p.outcome())
                .append(p.committed() ? ", committed" : ", not committed");
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private String status() {
        final StringBuilder sb = new StringBuilder();
        for (SimNode n : sim.nodes()) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            if (!n.isUp()) {
                sb.append('n').append(n.id()).append(" DOWN ").append(logLine(n));
                continue;
            }
            final Role role = n.role();
            sb.append('n').append(n.id()).append(' ').append(role).append(" term=").append(n.engine().term())
                .append(" leader=").append(n.engine().leaderId()).append(" commit=").append(n.engine().commitIndex())
                .append(' ').append(logLine(n));
        }
        return sb.toString();
    }

    /** The log's terms, run-length encoded: {@code log=1x3 2x1} is four entries, three of term 1. */
    private static String logLine(SimNode n) {
        final long[] terms = n.log().terms();
        final StringBuilder sb = new StringBuilder("log=");
        if (terms.length == 0) {
            return sb.append("empty").toString();
        }
        int start = 0;
        for (int i = 1; i <= terms.length; i++) {
            if (i == terms.length || terms[i] != terms[start]) {
                if (start > 0) {
                    sb.append(' ');
                }
                sb.append(terms[start]).append('x').append(i - start);
                start = i;
            }
        }
        return sb.toString();
    }

    private String partition(String groups) {
        final String[] parts = groups.split("/");
        final int[][] ids = new int[parts.length][];
        for (int g = 0; g < parts.length; g++) {
            ids[g] = java.util.Arrays.stream(parts[g].split(",")).mapToInt(Integer::parseInt).toArray();
        }
        sim.network().partition(ids);
        return "ok";
    }

    private static int node(Map<String, String> args) {
        final String n = args.get("node");
        if (n == null) {
            throw new IllegalArgumentException("missing node=ID");
        }
        return Integer.parseInt(n);
    }

    /** {@code 300ms}, {@code 2s}, {@code 500us}. */
    static long duration(String text) {
        if (text.endsWith("ms")) {
            return Long.parseLong(text.substring(0, text.length() - 2)) * 1_000_000L;
        }
        if (text.endsWith("us")) {
            return Long.parseLong(text.substring(0, text.length() - 2)) * 1_000L;
        }
        if (text.endsWith("s")) {
            return Long.parseLong(text.substring(0, text.length() - 1)) * 1_000_000_000L;
        }
        throw new IllegalArgumentException("duration '" + text + "' needs a unit: us, ms or s");
    }
}
