package io.pontoon.kv;

/**
 * The outcome of one key-value command, as the state machine decided it (and as the client protocol carries it).
 *
 * @param status what happened
 * @param value  {@link Status#OK} of a get: the value read; {@link Status#CAS_FAILED}: the value found (null if the key
 *               was absent); otherwise null
 */
public record KvResult(Status status, String value) {
    /** Ordinals are part of the wire format (a response's first byte): new ones go at the end. */
    public enum Status {
        /** Done: a get found the key, a put wrote it, a delete removed it, a cas swapped it. */
        OK,
        /** A get or a delete found no such key. */
        NOT_FOUND,
        /** A cas found another value (in {@link KvResult#value()}, null if absent) and changed nothing. */
        CAS_FAILED,
        /**
         * The command's sequence number is below what its client has acknowledged, so its outcome was already
         * collected or given up: this copy did nothing, and whether an earlier copy did is no longer recorded.
         */
        EXPIRED
    }

    static final KvResult OK = new KvResult(Status.OK, null);
    static final KvResult NOT_FOUND = new KvResult(Status.NOT_FOUND, null);
    static final KvResult EXPIRED = new KvResult(Status.EXPIRED, null);

    static KvResult value(String v) {
        return new KvResult(Status.OK, v);
    }

    static KvResult casFailed(String found) {
        return new KvResult(Status.CAS_FAILED, found);
    }
}
