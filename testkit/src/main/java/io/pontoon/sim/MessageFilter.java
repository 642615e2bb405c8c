package io.pontoon.sim;

import org.agrona.DirectBuffer;

/**
 * A scenario's rule for dropping messages, decided when the message is sent. The body is valid only
 * during the call; decode it with the codecs in {@code io.pontoon.protocol}.
 */
@FunctionalInterface
public interface MessageFilter {
    /** True to drop the message. */
    boolean drop(int fromNodeId, int toNodeId, int type, DirectBuffer body, int offset, int length);
}
