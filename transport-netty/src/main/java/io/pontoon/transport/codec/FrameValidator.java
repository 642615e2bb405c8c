package io.pontoon.transport.codec;

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
 * Checks a whole frame before anyone acts on it: header fields against what the handshake
 * established, then the body with the codec's own {@code validate}. Returns null when the frame is
 * valid, else a reason for the log (the only allocation, and only on failure). One instance per
 * connection (it holds a reusable {@link AppendEntriesCodec}); not thread-safe.
 */
public final class FrameValidator {
    private final AppendEntriesCodec appendEntries = new AppendEntriesCodec();
    private final InstallSnapshotCodec installSnapshot = new InstallSnapshotCodec();
    private final ReadIndexCodec readIndex = new ReadIndexCodec();

    /**
     * @param frameLength whole frame length, prefix included (the length field was already checked
     *                    against this by the frame decoder)
     */
    public String validateHeader(DirectBuffer b, int o, int frameLength, int expectedClusterId, int expectedSenderId) {
        if (frameLength < Frame.HEADER_LENGTH) {
            return "frame of " + frameLength + " bytes is shorter than the " + Frame.HEADER_LENGTH + "-byte header";
        }
        final int lengthField = Frame.lengthField(b, o);
        if (lengthField != frameLength - Frame.LENGTH_FIELD_LENGTH) {
            return "frame length field " + lengthField + " does not match the " + (frameLength - Frame.LENGTH_FIELD_LENGTH)
                + " bytes received";
        }
        final int version = Frame.version(b, o);
        if (version != Frame.PROTOCOL_VERSION) {
            return "frame has protocol version " + version + ", the connection speaks " + Frame.PROTOCOL_VERSION;
        }
        final int flags = Frame.flags(b, o);
        if (flags != 0) {
            return "frame has reserved flags 0x" + Integer.toHexString(flags) + " set";
        }
        final int clusterId = Frame.clusterId(b, o);
        if (clusterId != expectedClusterId) {
            return "frame has cluster id " + clusterId + ", expected " + expectedClusterId;
        }
        final int senderId = Frame.senderId(b, o);
        if (senderId != expectedSenderId) {
            return "frame has sender id " + senderId + ", the handshake established " + expectedSenderId;
        }
        return null;
    }

    /** Body check for a Raft peer message; an unknown or non-Raft type is a failure. */
    public String validateRaftBody(int type, DirectBuffer b, int bodyOffset, int bodyLength) {
        switch (type) {
            case MessageType.APPEND_ENTRIES: return appendEntries.wrap(b, bodyOffset, bodyLength).validate();
            case MessageType.APPEND_RESPONSE: return AppendResponseCodec.validate(bodyLength);
            case MessageType.VOTE_REQUEST: return VoteRequestCodec.validate(bodyLength);
            case MessageType.VOTE_RESPONSE: return VoteResponseCodec.validate(bodyLength);
            case MessageType.HEARTBEAT:
            case MessageType.HEARTBEAT_RESPONSE: return HeartbeatCodec.validate(bodyLength);
            case MessageType.INSTALL_SNAPSHOT: return installSnapshot.wrap(b, bodyOffset, bodyLength).validate();
            case MessageType.INSTALL_SNAPSHOT_RESPONSE: return InstallSnapshotResponseCodec.validate(bodyLength);
            case MessageType.READ_INDEX: return ReadIndexCodec.validateRequest(bodyLength);
            case MessageType.READ_INDEX_RESPONSE:
                return readIndex.wrap(b, bodyOffset).validateResponse(bodyLength, ResultCode.values().length);
            case MessageType.TIMEOUT_NOW: return TimeoutNowCodec.validate(bodyLength);
            default: return "unexpected frame type " + FrameType.name(type) + " on a peer connection";
        }
    }

    /** Body check for a message a client may send. */
    public static String validateClientRequestBody(int type, DirectBuffer b, int bodyOffset, int bodyLength) {
        switch (type) {
            case FrameType.CLIENT_APPEND_REQUEST: return ClientAppendRequestCodec.validate(b, bodyOffset, bodyLength);
            case FrameType.CLIENT_STATUS_REQUEST: return ClientStatusRequestCodec.validate(bodyLength);
            case FrameType.CLIENT_ADMIN_REQUEST: return ClientAdminRequestCodec.validate(b, bodyOffset, bodyLength);
            case FrameType.CLIENT_APP_REQUEST: return ClientAppRequestCodec.validate(b, bodyOffset, bodyLength);
            default: return "unexpected frame type " + FrameType.name(type) + " on a client connection";
        }
    }

    /** Body check for a message a server sends to a client. */
    public static String validateClientResponseBody(int type, DirectBuffer b, int bodyOffset, int bodyLength) {
        switch (type) {
            case FrameType.CLIENT_APPEND_RESPONSE: return ClientAppendResponseCodec.validate(b, bodyOffset, bodyLength);
            case FrameType.CLIENT_STATUS_RESPONSE: return ClientStatusResponseCodec.validate(b, bodyOffset, bodyLength);
            case FrameType.CLIENT_ADMIN_RESPONSE: return ClientAdminResponseCodec.validate(b, bodyOffset, bodyLength);
            case FrameType.CLIENT_APP_RESPONSE: return ClientAppResponseCodec.validate(b, bodyOffset, bodyLength);
            default: return "unexpected frame type " + FrameType.name(type) + " from a server";
        }
    }
}
