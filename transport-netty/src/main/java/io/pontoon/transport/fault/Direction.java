package io.pontoon.transport.fault;

/** Which way a frame travels, seen from the node that owns the rules. */
public enum Direction {
    /** Frames this node sends to the peer. */
    OUTBOUND,
    /** Frames this node receives from the peer. */
    INBOUND
}
