package io.pontoon.protocol;

/**
 * Raft message types. The numeric values are part of the wire protocol (docs/PROTOCOL.md): never
 * renumber. 1..31 are peer (Raft) messages handled by the engine; 32..63 are client messages handled
 * by the transport/CLI layer; 64..127 are reserved for snapshot and membership messages.
 */
public final class MessageType {
    public static final int APPEND_ENTRIES = 1;
    public static final int APPEND_RESPONSE = 2;
    public static final int VOTE_REQUEST = 3;
    public static final int VOTE_RESPONSE = 4;
    public static final int HEARTBEAT = 5;
    public static final int HEARTBEAT_RESPONSE = 6;
    public static final int INSTALL_SNAPSHOT = 7;
    public static final int INSTALL_SNAPSHOT_RESPONSE = 8;
    /** A follower asks the leader for a read index (ReadIndex on a follower, thesis §6.4). */
    public static final int READ_INDEX = 9;
    public static final int READ_INDEX_RESPONSE = 10;
    /** Leadership transfer (thesis §3.10): the leader tells its chosen successor to start an election now. */
    public static final int TIMEOUT_NOW = 11;

    /** Highest type number the engine handles. */
    public static final int MAX_RAFT_TYPE = 31;

    private MessageType() {
    }

    public static boolean isRaftMessage(int type) {
        return type >= APPEND_ENTRIES && type <= TIMEOUT_NOW;
    }

    /** An answer a leader or candidate counts on from a member (AppendResponse, VoteResponse, ...). */
    public static boolean isResponse(int type) {
        return type == APPEND_RESPONSE || type == VOTE_RESPONSE || type == HEARTBEAT_RESPONSE
            || type == INSTALL_SNAPSHOT_RESPONSE;
    }

    public static String name(int type) {
        switch (type) {
            case APPEND_ENTRIES: return "APPEND_ENTRIES";
            case APPEND_RESPONSE: return "APPEND_RESPONSE";
            case VOTE_REQUEST: return "VOTE_REQUEST";
            case VOTE_RESPONSE: return "VOTE_RESPONSE";
            case HEARTBEAT: return "HEARTBEAT";
            case HEARTBEAT_RESPONSE: return "HEARTBEAT_RESPONSE";
            case INSTALL_SNAPSHOT: return "INSTALL_SNAPSHOT";
            case INSTALL_SNAPSHOT_RESPONSE: return "INSTALL_SNAPSHOT_RESPONSE";
            case READ_INDEX: return "READ_INDEX";
            case READ_INDEX_RESPONSE: return "READ_INDEX_RESPONSE";
            case TIMEOUT_NOW: return "TIMEOUT_NOW";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
