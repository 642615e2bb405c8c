package io.pontoon.engine;

import io.pontoon.ResultCode;
import io.pontoon.protocol.AppendEntriesCodec;
import io.pontoon.protocol.AppendResponseCodec;
import io.pontoon.protocol.HeartbeatCodec;
import io.pontoon.protocol.InstallSnapshotCodec;
import io.pontoon.protocol.InstallSnapshotResponseCodec;
import io.pontoon.protocol.MessageType;
import io.pontoon.protocol.ReadIndexCodec;
import io.pontoon.protocol.TimeoutNowCodec;
import io.pontoon.protocol.VoteRequestCodec;
import io.pontoon.protocol.VoteResponseCodec;
import org.agrona.DirectBuffer;

/**
 * The engine's view of one inbound peer message: {@link #decode} checks its body (length, fields that must not be
 * negative) and wraps the codec of its type, which the handlers then read; {@link #term} is the message's term.
 * One instance per engine, reused for every message (no allocation).
 */
final class InboundMessage {
    final AppendEntriesCodec appendEntries = new AppendEntriesCodec();
    final AppendResponseCodec appendResponse = new AppendResponseCodec();
    final VoteRequestCodec voteRequest = new VoteRequestCodec();
    final VoteResponseCodec voteResponse = new VoteResponseCodec();
    final HeartbeatCodec heartbeat = new HeartbeatCodec();
    final InstallSnapshotCodec installSnapshot = new InstallSnapshotCodec();
    final InstallSnapshotResponseCodec installSnapshotResponse = new InstallSnapshotResponseCodec();
    final ReadIndexCodec readIndex = new ReadIndexCodec();
    final TimeoutNowCodec timeoutNow = new TimeoutNowCodec();
    /** The term of the message {@link #decode} took. */
    long term;

    /** Returns null if the body of a {@code type} message is well formed (the codec is then wrapped), else why not. */
    String decode(int type, DirectBuffer body, int offset, int length) {
        switch (type) {
            case MessageType.APPEND_ENTRIES: {
                final String bad = appendEntries.wrap(body, offset, length).validate();
                if (bad != null) {
                    return bad;
                }
                term = appendEntries.term();
                break;
            }
            case MessageType.APPEND_RESPONSE: {
                final String bad = AppendResponseCodec.validate(length);
                if (bad != null) {
                    return bad;
                }
                term = appendResponse.wrap(body, offset).term();
                final String badIndex = appendResponse.validateIndexes();
                if (badIndex != null) {
                    return badIndex;
                }
                break;
            }
            case MessageType.VOTE_REQUEST: {
                final String bad = VoteRequestCodec.validate(length);
                if (bad != null) {
                    return bad;
                }
                term = voteRequest.wrap(body, offset).term();
                break;
            }
            case MessageType.VOTE_RESPONSE: {
                final String bad = VoteResponseCodec.validate(length);
                if (bad != null) {
                    return bad;
                }
                term = voteResponse.wrap(body, offset).term();
                break;
            }
            case MessageType.HEARTBEAT:
            case MessageType.HEARTBEAT_RESPONSE: {
                final String bad = HeartbeatCodec.validate(length);
                if (bad != null) {
                    return bad;
                }
                term = heartbeat.wrap(body, offset).term();
                if (heartbeat.round() < 0) {
                    return MessageType.name(type) + " has negative round " + heartbeat.round();
                }
                break;
            }
            case MessageType.INSTALL_SNAPSHOT: {
                final String bad = installSnapshot.wrap(body, offset, length).validate();
                if (bad != null) {
                    return bad;
                }
                term = installSnapshot.term();
                break;
            }
            case MessageType.READ_INDEX: {
                final String bad = ReadIndexCodec.validateRequest(length);
                if (bad != null) {
                    return bad;
                }
                term = readIndex.wrap(body, offset).term();
                if (readIndex.requestId() < 0) {
                    return "READ_INDEX has negative request id " + readIndex.requestId();
                }
                break;
            }
            case MessageType.READ_INDEX_RESPONSE: {
                final String bad = readIndex.wrap(body, offset).validateResponse(length, ResultCode.values().length);
                if (bad != null) {
                    return bad;
                }
                term = readIndex.term();
                break;
            }
            case MessageType.TIMEOUT_NOW: {
                final String bad = TimeoutNowCodec.validate(length);
                if (bad != null) {
                    return bad;
                }
                term = timeoutNow.wrap(body, offset).term();
                break;
            }
            case MessageType.INSTALL_SNAPSHOT_RESPONSE: {
                final String bad = InstallSnapshotResponseCodec.validate(length);
                if (bad != null) {
                    return bad;
                }
                term = installSnapshotResponse.wrap(body, offset).term();
                if (installSnapshotResponse.nextOffset() < 0) {
                    return "INSTALL_SNAPSHOT_RESPONSE has negative offset " + installSnapshotResponse.nextOffset();
                }
                break;
            }
            default:
                return "unknown message type " + type;
        }
        return null;
    }
}
