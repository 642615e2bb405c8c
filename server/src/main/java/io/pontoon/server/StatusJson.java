package io.pontoon.server;

import io.pontoon.RaftStatus;

/**
 * The JSON of {@code /status}: a {@link RaftStatus} with each follower's lag in entries behind the leader's last log
 * index. Written by hand: one flat object and one array need no JSON library.
 */
final class StatusJson {
    private StatusJson() {
    }

    static String of(RaftStatus s) {
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
                .append(",\"lag\":").append(f.lag(s.lastLogIndex()))
                .append(",\"state\":");
            string(b, f.state());
            b.append(",\"voter\":").append(f.voter()).append('}');
            sep = ",";
        }
        return b.append("]}").toString();
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
