package io.pontoon.server;

import io.pontoon.NodeReport;
import io.pontoon.RaftStatus;

/**
 * The JSON of {@code /status}: a {@link RaftStatus} with each follower's lag in entries behind the leader's last log
 * index, and from a {@link NodeReport} its lag in bytes (an estimate) and AppendEntries in flight. Written by hand: one
 * flat object and one array need no JSON library.
 *
 * <p>The report is published once per duty cycle and the status is taken at another point of one: under load their
 * lags differ by the entries of a batch. So {@code lagBytes} is the status' {@code lag} times the mean entry size the
 * report's estimate uses ({@code lagBytes / lagEntries}, exact: the report multiplies an integer mean), and a row
 * never shows 0 entries behind with bytes behind; null when the report has no lag to take the mean from while the
 * status has one.
 */
final class StatusJson {
    private StatusJson() {
    }

    /**
     * A follower missing from {@code report} (leadership or membership changed in between) gets null for
     * {@code lagBytes} (unless it has no lag) and {@code inflight}.
     */
    static String of(RaftStatus s, NodeReport report) {
        final StringBuilder b = new StringBuilder(256);
        b.append("{\"nodeId\":").append(s.nodeId())
            .append(",\"role\":\"").append(s.role().name()).append('"')
            .append(",\"term\":").append(s.term())
            .append(",\"leaderId\":").append(s.leaderId())
            .append(",\"commitIndex\":").append(s.commitIndex())
            .append(",\"lastApplied\":").append(s.lastApplied())
            .append(",\"lastLogIndex\":").append(s.lastLogIndex())
            .append(",\"lastLogTerm\":").append(s.lastLogTerm())
            .append(",\"followers\":[");
        String sep = "";
        for (RaftStatus.Follower f : s.followers()) {
            b.append(sep).append("{\"nodeId\":").append(f.nodeId())
                .append(",\"matchIndex\":").append(f.matchIndex())
                .append(",\"nextIndex\":").append(f.nextIndex())
                .append(",\"lag\":").append(f.lag(s.lastLogIndex()));
            final NodeReport.Follower r = follower(report, f.nodeId());
            b.append(",\"lagBytes\":").append(lagBytes(f.lag(s.lastLogIndex()), r))
                .append(",\"inflight\":").append(r == null ? "null" : Integer.toString(r.inflight()))
                .append(",\"state\":");
            string(b, f.state());
            b.append(",\"voter\":").append(f.voter()).append('}');
            sep = ",";
        }
        return b.append("]}").toString();
    }

    private static String lagBytes(long lagEntries, NodeReport.Follower r) {
        if (lagEntries == 0) {
            return "0";
        }
        if (r == null || r.lagEntries() == 0) {
            return "null";
        }
        return Long.toString(lagEntries * (r.lagBytes() / r.lagEntries()));
    }

    private static NodeReport.Follower follower(NodeReport report, int nodeId) {
        for (NodeReport.Follower f : report.followers()) {
            if (f.nodeId() == nodeId) {
                return f;
            }
        }
        return null;
    }

    /** A JSON string literal of {@code s} (null as null). */
    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
