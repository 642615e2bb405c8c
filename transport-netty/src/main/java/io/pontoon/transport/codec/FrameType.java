package io.pontoon.transport.codec;

import io.pontoon.protocol.MessageType;

/**
 * Frame types the transport adds to the engine's {@link MessageType} numbers (docs/PROTOCOL.md,
 * "Message types"). The values are wire protocol: never renumber.
 * <ul>
 *   <li>1..31: Raft peer messages ({@link MessageType}), handed to the engine;</li>
 *   <li>32..63: client messages, answered by the transport's client service;</li>
 *   <li>64..127: reserved for snapshot and membership messages (refused today);</li>
 *   <li>240..255: connection control (handshake), never handed to anyone after the handshake.</li>
 * </ul>
 */
public final class FrameType {
    public static final int CLIENT_APPEND_REQUEST = 32;
    public static final int CLIENT_APPEND_RESPONSE = 33;
    public static final int CLIENT_STATUS_REQUEST = 34;
    public static final int CLIENT_STATUS_RESPONSE = 35;
    public static final int CLIENT_ADMIN_REQUEST = 36;
    public static final int CLIENT_ADMIN_RESPONSE = 37;
    /** An application's request, opaque to Pontoon: handed to the node's application handler. */
    public static final int CLIENT_APP_REQUEST = 38;
    public static final int CLIENT_APP_RESPONSE = 39;

    public static final int FIRST_RESERVED_SNAPSHOT_MEMBERSHIP = 64;
    public static final int LAST_RESERVED_SNAPSHOT_MEMBERSHIP = 127;

    public static final int HANDSHAKE_CHALLENGE = 240;
    public static final int HANDSHAKE_HELLO = 241;
    public static final int HANDSHAKE_ACCEPT = 242;
    public static final int HANDSHAKE_REJECT = 243;

    private FrameType() {
    }

    public static boolean isClientRequest(int type) {
        return type == CLIENT_APPEND_REQUEST || type == CLIENT_STATUS_REQUEST || type == CLIENT_ADMIN_REQUEST
            || type == CLIENT_APP_REQUEST;
    }

    public static boolean isClientResponse(int type) {
        return type == CLIENT_APPEND_RESPONSE || type == CLIENT_STATUS_RESPONSE || type == CLIENT_ADMIN_RESPONSE
            || type == CLIENT_APP_RESPONSE;
    }

    public static boolean isHandshake(int type) {
        return type >= HANDSHAKE_CHALLENGE && type <= HANDSHAKE_REJECT;
    }

    public static String name(int type) {
        if (MessageType.isRaftMessage(type)) {
            return MessageType.name(type);
        }
        switch (type) {
            case CLIENT_APPEND_REQUEST: return "CLIENT_APPEND_REQUEST";
            case CLIENT_APPEND_RESPONSE: return "CLIENT_APPEND_RESPONSE";
            case CLIENT_STATUS_REQUEST: return "CLIENT_STATUS_REQUEST";
            case CLIENT_STATUS_RESPONSE: return "CLIENT_STATUS_RESPONSE";
            case CLIENT_ADMIN_REQUEST: return "CLIENT_ADMIN_REQUEST";
            case CLIENT_ADMIN_RESPONSE: return "CLIENT_ADMIN_RESPONSE";
            case CLIENT_APP_REQUEST: return "CLIENT_APP_REQUEST";
            case CLIENT_APP_RESPONSE: return "CLIENT_APP_RESPONSE";
            case HANDSHAKE_CHALLENGE: return "HANDSHAKE_CHALLENGE";
            case HANDSHAKE_HELLO: return "HANDSHAKE_HELLO";
            case HANDSHAKE_ACCEPT: return "HANDSHAKE_ACCEPT";
            case HANDSHAKE_REJECT: return "HANDSHAKE_REJECT";
            default:
                if (type >= FIRST_RESERVED_SNAPSHOT_MEMBERSHIP && type <= LAST_RESERVED_SNAPSHOT_MEMBERSHIP) {
                    return "RESERVED_SNAPSHOT_MEMBERSHIP(" + type + ")";
                }
                return "UNKNOWN(" + type + ")";
        }
    }
}
