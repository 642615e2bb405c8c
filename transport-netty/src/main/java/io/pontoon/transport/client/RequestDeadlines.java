package io.pontoon.transport.client;

/**
 * Every accepted request of a {@link PontoonClient} not yet finished, oldest first. Deadlines are accept time plus
 * one constant timeout, so the list is in deadline order and the client's timeout sweep looks only at its head.
 * Event loop only.
 */
final class RequestDeadlines {
    private ClientRequest oldest;
    private ClientRequest newest;

    /** The request that reaches its deadline first, or null. */
    ClientRequest oldest() {
        return oldest;
    }

    /** Appends {@code request}, whose deadline is no earlier than any in the list. */
    void link(ClientRequest request, long deadlineNs) {
        request.deadlineNs = deadlineNs;
        request.linked = true;
        request.newer = null;
        request.older = newest;
        if (newest == null) {
            oldest = request;
        } else {
            newest.newer = request;
        }
        newest = request;
    }

    /** Drops a finished request; nothing if it is not in the list. */
    void unlink(ClientRequest request) {
        if (!request.linked) {
            return;
        }
        request.linked = false;
        if (request.older == null) {
            oldest = request.newer;
        } else {
            request.older.newer = request.newer;
        }
        if (request.newer == null) {
            newest = request.older;
        } else {
            request.newer.older = request.older;
        }
        request.older = null;
        request.newer = null;
    }
}
