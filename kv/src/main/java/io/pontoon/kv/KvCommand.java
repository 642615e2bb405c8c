package io.pontoon.kv;

/**
 * One decoded key-value request (and, for writes, log entry): see {@link KvCodec} for the bytes.
 *
 * @param op           {@link KvCodec#GET}, {@link KvCodec#PUT}, {@link KvCodec#DELETE} or {@link KvCodec#CAS}
 * @param clientId     the writing client's id (0 for a get)
 * @param sequence     the client's number for this command: a retry carries the same one
 * @param firstUnacked the lowest sequence the client still waits for: outcomes below it may be dropped
 * @param key          the key, non-empty
 * @param expected     CAS: the value expected, null for "absent"; otherwise null
 * @param value        PUT: the value; CAS: the new value; otherwise null
 */
record KvCommand(byte op, long clientId, long sequence, long firstUnacked, String key, String expected, String value) {
    boolean isWrite() {
        return op != KvCodec.GET;
    }

    /** A short description for messages: {@code put k}, {@code cas k}. */
    String describe() {
        return KvCodec.opName(op) + " " + key;
    }
}
