package io.pontoon.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one way a test waits: poll a condition until it holds or a deadline passes, then fail naming what was awaited.
 * Never a fixed sleep standing in for synchronisation.
 */
public final class Await {
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(2);

    private Await() {
    }

    /** Waits until {@code condition} holds; throws {@link AssertionError} saying {@code what} after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, String what) {
        until(condition, timeout, () -> what);
    }

    /** As above; {@code what} is computed only on failure (it may describe the state at that moment). */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what.get());
            }
            LockSupport.parkNanos(POLL_NS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what.get());
            }
        }
    }

    /** Waits until {@code value} gives a non-null result, and returns it. */
    public static <T> T value(Supplier<T> value, Duration timeout, String what) {
        final Object[] got = new Object[1];
        until(() -> (got[0] = value.get()) != null, timeout, what);
        @SuppressWarnings("unchecked") final T t = (T) got[0];
        return t;
    }
}
