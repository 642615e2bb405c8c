package io.pontoon.sim;

import io.pontoon.Role;
import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.VoteRequestCodec;
import io.pontoon.protocol.VoteResponseCodec;
import org.agrona.concurrent.UnsafeBuffer;

/** One scheduled step of the simulation; also the record kept in the trace (with the node's state after it). */
final class SimEvent {
    static final int TICK = 1;
    static final int DELIVER = 2;
    static final int DISK = 3;
    static final int ACTION = 4;

    final long timeNs;
    final long seq;
    final int kind;
    final int node;
    final int incarnation;
    int from;
    int type;
    byte[] body;
    long value;
    String label;
    Runnable action;

    // State of the node after the step, for the trace.
    boolean traced;
    Role role;
    long term;
    long commitIndex;
    long lastIndex;
    long durableIndex;
    String note;

    SimEvent(long timeNs, long seq, int kind, int node, int incarnation) {
        this.timeNs = timeNs;
        this.seq = seq;
        this.kind = kind;
        this.node = node;
        this.incarnation = incarnation;
    }

    String format() {
        final StringBuilder sb = new StringBuilder(128);
        sb.append(Simulation.formatTime(timeNs)).append(" #").append(seq).append(' ');
        switch (kind) {
            case TICK:
                sb.append("n").append(node).append(" tick");
                break;
            case DELIVER:
                sb.append("n").append(node).append(" <- n").append(from).append(' ').append(describeMessage(type, body));
                break;
            case DISK:
                sb.append("n").append(node).append(" disk: writes up to #").append(value).append(" durable");
                break;
            default:
                sb.append(label);
                break;
        }
        if (note != null) {
            sb.append(" [").append(note).append(']');
        }
        if (traced) {
            sb.append("  => n").append(node).append(' ').append(role).append(" t").append(term)
                .append(" commit=").append(commitIndex).append(" last=").append(lastIndex)
                .append(" durable=").append(durableIndex);
        }
        return sb.toString();
    }

    static String describeMessage(int type, byte[] body) {
        final UnsafeBuffer b = new UnsafeBuffer(body);
        final StringBuilder sb = new StringBuilder(MessageType.name(type));
        try {
            switch (type) {
                case MessageType.APPEND_ENTRIES: {
                    final AppendEntriesCodec c = new AppendEntriesCodec().wrap(b, 0, body.length);
                    sb.append("{term=").append(c.term()).append(" prev=").append(c.prevLogIndex()).append('/')
                        .append(c.prevLogTerm()).append(" commit=").append(c.leaderCommit()).append(" entries=");
                    int pos = c.firstEntryOffset();
                    final int count = c.entryCount();
                    for (int i = 0; i < count; i++) {
                        if (i == 6 && count > 8) {
                            sb.append("..");
                            for (int k = i; k < count - 1; k++) {
                                pos = c.nextEntryOffset(pos);
                            }
                            i = count - 1;
                        } else if (i > 0) {
                            sb.append(',');
                        }
                        sb.append(c.prevLogIndex() + 1 + i).append(':').append(c.entryTerm(pos));
                        if (c.entryLength(pos) == 0) {
                            sb.append("(noop)");
                        }
                        pos = c.nextEntryOffset(pos);
                    }
                    if (count == 0) {
                        sb.append("none");
                    }
                    return sb.append('}').toString();
                }
                case MessageType.APPEND_RESPONSE: {
                    final AppendResponseCodec c = new AppendResponseCodec().wrap(b, 0);
                    sb.append("{term=").append(c.term());
                    if (c.success()) {
                        sb.append(" ok match=").append(c.matchIndex());
                    } else {
                        sb.append(" REJECT at=").append(c.rejectedIndex()).append(" conflict=")
                            .append(c.conflictIndex()).append('/').append(c.conflictTerm());
                    }
                    return sb.append(" last=").append(c.lastLogIndex()).append('}').toString();
                }
                case MessageType.VOTE_REQUEST: {
                    final VoteRequestCodec c = new VoteRequestCodec().wrap(b, 0);
                    return sb.append(c.preVote() ? "{PRE term=" : "{term=").append(c.term()).append(" last=")
                        .append(c.lastLogIndex()).append('/').append(c.lastLogTerm()).append('}').toString();
                }
                case MessageType.VOTE_RESPONSE: {
                    final VoteResponseCodec c = new VoteResponseCodec().wrap(b, 0);
                    return sb.append(c.preVote() ? "{PRE term=" : "{term=").append(c.term())
                        .append(c.granted() ? " granted}" : " refused}").toString();
                }
                case MessageType.HEARTBEAT:
                case MessageType.HEARTBEAT_RESPONSE: {
                    final HeartbeatCodec c = new HeartbeatCodec().wrap(b, 0);
                    return sb.append("{term=").append(c.term())
                        .append(type == MessageType.HEARTBEAT ? " commit=" : " last=").append(c.secondField())
                        .append('}').toString();
                }
                default:
                    return sb.append('{').append(body.length).append(" bytes}").toString();
            }
        } catch (RuntimeException e) {
            return sb.append("{undecodable ").append(body.length).append(" bytes}").toString();
        }
    }
}
