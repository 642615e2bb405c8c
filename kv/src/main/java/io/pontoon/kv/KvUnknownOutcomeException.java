package io.pontoon.kv;

/**
 * A key-value operation whose outcome the client could not learn in time: a write may or may not have been applied
 * (and may still be, once), a read returned nothing. It is not a failure: in a history it is {@code info}, not
 * {@code fail}. The cause says why the last try got no answer (a timeout, a broken connection).
 */
public final class KvUnknownOutcomeException extends RuntimeException {
    public KvUnknownOutcomeException(String message, Throwable cause) {
        super(message, cause);
    }
}
