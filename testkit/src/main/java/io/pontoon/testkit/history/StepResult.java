package io.pontoon.testkit.history;

/**
 * What a {@link Model} says about one step: illegal, or legal with the state after it.
 *
 * @param <S> the model's state
 */
public final class StepResult<S> {
    private static final StepResult<?> ILLEGAL = new StepResult<>(false, null);

    private final boolean legal;
    private final S next;

    private StepResult(boolean legal, S next) {
        this.legal = legal;
        this.next = next;
    }

    /** The operation could run on the state and leaves {@code next}. */
    public static <S> StepResult<S> legal(S next) {
        return new StepResult<>(true, next);
    }

    /** The operation could not have returned what it returned from the state. */
    @SuppressWarnings("unchecked")
    public static <S> StepResult<S> illegal() {
        return (StepResult<S>) ILLEGAL;
    }

    public boolean isLegal() {
        return legal;
    }

    /** The state after the step; only if {@link #isLegal()}. */
    public S next() {
        if (!legal) {
            throw new IllegalStateException("an illegal step has no next state");
        }
        return next;
    }

    @Override
    public String toString() {
        return legal ? "legal -> " + next : "illegal";
    }
}
