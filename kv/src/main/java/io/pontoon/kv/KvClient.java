package io.pontoon.kv;

import io.pontoon.ProposalException;
import io.pontoon.transport.client.PontoonClient;
import io.pontoon.transport.client.PontoonClientConfig;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Client of the replicated key-value store ({@link KvStateMachine} served by {@link KvRequestHandler}) over the client
 * protocol's application requests ({@link PontoonClient#request}).
 *
 * <pre>{@code
 * try (KvClient kv = new KvClient(PontoonClientConfig.builder().addresses("127.0.0.1:7001,127.0.0.1:7002").build())) {
 *     kv.put("color", "blue").get();
 *     Optional<String> v = kv.get("color").get();                  // Optional[blue]
 *     CasResult r = kv.cas("color", "blue", "green").get();         // succeeded
 *     boolean existed = kv.delete("color").get();                   // true
 * }
 * }</pre>
 *
 * <p>Exactly once: every write gets this client's id and its own sequence number, and is resent with the same ones
 * (after a timeout, a broken connection, a leader change) until an answer comes or the operation's time runs out; the
 * store applies each at most once and answers a retry with the first outcome. An operation whose outcome this client
 * cannot learn in time fails with {@link KvUnknownOutcomeException} (the write may or may not have been applied),
 * never with an ordinary failure; a failure (a malformed request, a value over the nodes' {@code maxEntryBytes}, a
 * write that every try was refused before anything was appended) is definite: nothing was applied.
 *
 * <p>Any number of operations may be in flight, from any thread. Futures complete on the client's I/O thread or on
 * a retry timer: do not block in what is chained on them.
 */
public final class KvClient implements AutoCloseable {
    /** Default time an operation may take, retries included. */
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(30);
    private static final long FIRST_BACKOFF_MS = 10;
    private static final long MAX_BACKOFF_MS = 500;

    private final PontoonClient client;
    private final boolean ownsClient;
    private final long operationTimeoutNs;
    private final long clientId;
    private final AtomicLong nextSequence = new AtomicLong(1);
    /** Sequences of writes not yet answered: the lowest is what the store must keep outcomes from. */
    private final ConcurrentSkipListSet<Long> unanswered = new ConcurrentSkipListSet<>();
    private volatile boolean closed;

    /** A client of its own over {@code config}, closed with this one; operations take up to 30 s. */
    public KvClient(PontoonClientConfig config) {
        this(new PontoonClient(config), true, DEFAULT_OPERATION_TIMEOUT);
    }

    /** Over a shared {@code client} (closing this leaves it open); operations take up to {@code operationTimeout}. */
    public KvClient(PontoonClient client, Duration operationTimeout) {
        this(client, false, operationTimeout);
    }

    private KvClient(PontoonClient client, boolean ownsClient, Duration operationTimeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        if (operationTimeout == null || operationTimeout.isNegative() || operationTimeout.isZero()) {
            throw new IllegalArgumentException("operationTimeout must be positive, got " + operationTimeout);
        }
        this.operationTimeoutNs = operationTimeout.toNanos();
        long id = 0;
        final SecureRandom random = new SecureRandom();
        while (id == 0) {
            id = random.nextLong();
        }
        this.clientId = id;
    }

    /** This client's id in the store's exactly-once table (random, non-zero). */
    public long clientId() {
        return clientId;
    }

    /** The value of {@code key}, empty if absent, as of some moment during the call (linearizable with ReadIndex). */
    public CompletableFuture<Optional<String>> get(String key) {
        return send(new KvCommand(KvCodec.GET, 0, 0, 0, key, null, null), r -> Optional.ofNullable(r.value()));
    }

    /** Sets {@code key} to {@code value}. */
    public CompletableFuture<Void> put(String key, String value) {
        if (value == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("put " + key + ": value is null"));
        }
        return write(KvCodec.PUT, key, null, value, r -> null);
    }

    /** Removes {@code key}; true if it was present. */
    public CompletableFuture<Boolean> delete(String key) {
        return write(KvCodec.DELETE, key, null, null, r -> r.status() == KvResult.Status.OK);
    }

    /**
     * Sets {@code key} to {@code newValue} if it holds {@code expected} ({@code null}: if it is absent). Fails to
     * swap (without error) when it holds something else, which the result names.
     *
     * <p>Each operation fails with an {@link IllegalArgumentException} for a null or empty key, a key over 4,096 UTF-8
     * bytes or a null value, before anything is sent.
     */
    public CompletableFuture<CasResult> cas(String key, String expected, String newValue) {
        if (newValue == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cas " + key + ": newValue is null"));
        }
        return write(KvCodec.CAS, key, expected, newValue, r -> r.status() == KvResult.Status.OK
            ? new CasResult(true, null) : new CasResult(false, r.value()));
    }

    private <T> CompletableFuture<T> write(byte op, String key, String expected, String value,
                                           Function<KvResult, T> answer) {
        final long sequence = nextSequence.getAndIncrement();
        unanswered.add(sequence);
        final CompletableFuture<T> f = send(new KvCommand(op, clientId, sequence, sequence, key, expected, value),
            answer);
        f.whenComplete((r, e) -> unanswered.remove(sequence)); // answered or given up: its outcome may go
        return f;
    }

    private <T> CompletableFuture<T> send(KvCommand command, Function<KvResult, T> answer) {
        final CompletableFuture<T> result = new CompletableFuture<>();
        if (command.key() == null) {
            result.completeExceptionally(new IllegalArgumentException("key must not be null"));
            return result;
        }
        try {
            KvCodec.encode(command); // checks the key before anything is sent
        } catch (IllegalArgumentException e) {
            result.completeExceptionally(new IllegalArgumentException(command.describe() + ": " + e.getMessage()));
            return result;
        }
        new Operation<>(command, answer, result, System.nanoTime() + operationTimeoutNs).attempt();
        return result;
    }

    /** One operation's tries. */
    private final class Operation<T> {
        private final KvCommand command;
        private final Function<KvResult, T> answer;
        private final CompletableFuture<T> result;
        private final long deadlineNs;
        private long backoffMs = FIRST_BACKOFF_MS;
        /** Some try of this write may have been applied (its answer was lost). */
        private boolean mayHaveApplied;
        private int tries;

        Operation(KvCommand command, Function<KvResult, T> answer, CompletableFuture<T> result, long deadlineNs) {
            this.command = command;
            this.answer = answer;
            this.result = result;
            this.deadlineNs = deadlineNs;
        }

        void attempt() {
            if (closed) {
                final IllegalStateException e = new IllegalStateException("the KvClient is closed");
                if (tries == 0) {
                    result.completeExceptionally(e); // nothing sent
                } else {
                    finish(e, "closed");
                }
                return;
            }
            tries++;
            final KvCommand c = command.isWrite() ? withCurrentFloor(command) : command;
            client.request(KvCodec.encode(c)).whenComplete((bytes, error) -> {
                if (error == null) {
                    final KvResult r;
                    try {
                        r = KvCodec.decodeResult(bytes);
                    } catch (IllegalArgumentException e) {
                        result.completeExceptionally(new IllegalStateException(command.describe()
                            + ": the node answered with a malformed key-value response: " + e.getMessage()));
                        return;
                    }
                    onAnswer(r);
                } else {
                    onFailure(error instanceof CompletionException && error.getCause() != null ? error.getCause()
                        : error);
                }
            });
        }

        /** Each try tells the store the lowest sequence still unanswered (this one at most). */
        private KvCommand withCurrentFloor(KvCommand c) {
            final Long lowest = unanswered.isEmpty() ? null : unanswered.first();
            final long floor = lowest == null ? c.sequence() : Math.min(lowest, c.sequence());
            return new KvCommand(c.op(), c.clientId(), c.sequence(), floor, c.key(), c.expected(), c.value());
        }

        private void onAnswer(KvResult r) {
            if (r.status() == KvResult.Status.EXPIRED) {
                result.completeExceptionally(new KvUnknownOutcomeException(command.describe() + ": the store no "
                    + "longer records this command's outcome (sequence " + command.sequence() + " expired)", null));
                return;
            }
            try {
                result.complete(answer.apply(r));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }

        private void onFailure(Throwable cause) {
            if (cause instanceof IllegalArgumentException) {
                // INVALID: a request the store cannot take; the same bytes would be refused again.
                result.completeExceptionally(new IllegalArgumentException(command.describe() + " refused: "
                    + cause.getMessage(), cause));
                return;
            }
            if (cause instanceof ProposalException p) {
                switch (p.code()) {
                    case INVALID -> {
                        result.completeExceptionally(p); // e.g. a value over the nodes' maxEntryBytes
                        return;
                    }
                    case TIMEOUT, CLOSED -> mayHaveApplied = true;
                    default -> { } // refused before anything was appended
                }
            } else if (!(cause instanceof java.net.ConnectException)) {
                mayHaveApplied = true; // not known to be unsent
            }
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0 || closed) {
                finish(cause, leftNs <= 0 ? "no answer within the operation timeout" : "closed");
                return;
            }
            final long delayMs = Math.min(backoffMs, Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNs)));
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(this::attempt);
        }

        /** Out of time: a write that may have been applied, and any read, is unknown; else the last refusal. */
        private void finish(Throwable last, String why) {
            if (command.isWrite() && !mayHaveApplied) {
                result.completeExceptionally(last);
                return;
            }
            result.completeExceptionally(new KvUnknownOutcomeException(command.describe() + ": outcome unknown, "
                + why + " after " + tries + (tries == 1 ? " try" : " tries") + " (last: " + last.getMessage() + ")"
                + (command.isWrite() ? "; it may or may not have been applied" : ""), last));
        }
    }

    /** Operations still running fail; the PontoonClient closes too if this client made it. */
    @Override
    public void close() {
        closed = true;
        if (ownsClient) {
            client.close();
        }
    }
}
