package io.pontoon.cli;

import io.pontoon.kv.CasResult;
import io.pontoon.kv.KvClient;
import io.pontoon.kv.KvUnknownOutcomeException;
import io.pontoon.testkit.history.History;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The KV benchmark's clients: {@code clients} threads, each a Jepsen process doing one operation at a time on one of
 * {@code keys} keys (reads 50%, writes 30%, cas 20%; every value written is unique), recorded in a {@link History}.
 * An operation whose outcome the client cannot know (it timed out, or the client gave up) completes as {@code info},
 * and the thread goes on as a new process: the old one may still take effect at any time.
 */
final class KvWorkload {
    private final int clients;
    private final int keys;
    private final long durationNs;
    private final long seed;
    private final Duration operationTimeout;
    private final History history = new History();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong fail = new AtomicLong();
    private final AtomicLong info = new AtomicLong();
    /** If set, reads bypass the client and take a node's local state (a deliberately broken store's follower read). */
    private volatile java.util.function.BiFunction<SplittableRandom, String, Optional<String>> localReads;

    KvWorkload(int clients, int keys, Duration duration, long seed, Duration operationTimeout) {
        if (clients < 1 || keys < 1) {
            throw new IllegalArgumentException("clients and keys must be >= 1, got " + clients + " and " + keys);
        }
        this.clients = clients;
        this.keys = keys;
        this.durationNs = duration.toNanos();
        this.seed = seed;
        this.operationTimeout = operationTimeout;
    }

    /** Reads from {@code reads} (a random node's own state, no ReadIndex) instead of the client: a broken store. */
    KvWorkload localReads(java.util.function.BiFunction<SplittableRandom, String, Optional<String>> reads) {
        this.localReads = reads;
        return this;
    }

    History history() {
        return history;
    }

    long ok() {
        return ok.get();
    }

    long fail() {
        return fail.get();
    }

    long info() {
        return info.get();
    }

    /** Runs every client until the duration is over; {@code newClient} gives each thread a client of its own. */
    void run(Supplier<KvClient> newClient) throws InterruptedException {
        final long end = System.nanoTime() + durationNs;
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            final int first = c;
            final Thread t = new Thread(() -> {
                try (KvClient client = newClient.get()) {
                    loop(client, first, end);
                }
            }, "pontoon-kv-bench-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void loop(KvClient client, int firstProcess, long end) {
        final SplittableRandom random = new SplittableRandom(seed * 31 + firstProcess);
        int process = firstProcess;
        long n = 0;
        while (System.nanoTime() < end) {
            final String key = "k" + random.nextInt(keys);
            final int dice = random.nextInt(10);
            final long handle;
            final CompletableFuture<?> op;
            final String value = "p" + process + "-" + n++;
            if (dice < 5) {
                handle = history.invokeRead(process, key);
                final var local = localReads;
                op = local == null ? client.get(key) : CompletableFuture.completedFuture(local.apply(random, key));
            } else if (dice < 8) {
                handle = history.invokeWrite(process, key, value);
                op = client.put(key, value);
            } else {
                final String expected = random.nextInt(4) == 0 ? null : "p" + random.nextInt(clients) + "-"
                    + random.nextLong(Math.max(1, n));
                handle = history.invokeCas(process, key, expected, value);
                op = client.cas(key, expected, value);
            }
            if (!complete(handle, op, dice)) {
                process += clients; // this process's last operation may still happen: go on as a new one
            }
        }
    }

    /** Records the outcome; false if it is unknown (info). */
    private boolean complete(long handle, CompletableFuture<?> op, int dice) {
        try {
            final Object result = op.get(operationTimeout.toNanos(), TimeUnit.NANOSECONDS);
            if (dice < 5) {
                @SuppressWarnings("unchecked") final Optional<String> v = (Optional<String>) result;
                history.ok(handle, v.orElse(null));
            } else if (dice < 8) {
                history.ok(handle);
            } else if (((CasResult) result).succeeded()) {
                history.ok(handle);
            } else {
                history.fail(handle); // the cas found another value: it did nothing
                fail.incrementAndGet();
                return true;
            }
            ok.incrementAndGet();
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KvUnknownOutcomeException || dice >= 5 && !(e.getCause()
                instanceof IllegalArgumentException)) {
                history.info(handle); // a write that may have been applied
                info.incrementAndGet();
                return false;
            }
            history.fail(handle); // a read that failed, or a write refused before anything was sent
            fail.incrementAndGet();
            return true;
        } catch (TimeoutException e) {
            op.cancel(false);
            history.info(handle);
            info.incrementAndGet();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            history.info(handle);
            info.incrementAndGet();
            return false;
        }
    }
}
