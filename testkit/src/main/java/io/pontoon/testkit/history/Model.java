package io.pontoon.testkit.history;

import java.util.List;

/**
 * A sequential specification for {@link LinearizabilityChecker}: what one operation does to the state when
 * operations run one at a time. The checker looks for an order of the history's operations, consistent with real
 * time, in which every step is legal.
 *
 * <p>States are values: {@link #step} must not change the state it is given (return a new one), and states must
 * have {@code equals} and {@code hashCode}, because the search remembers the (operations done, state) pairs it has
 * already explored (Lowe's cache). {@code null} is a valid state. The checker calls a model from the thread that
 * calls {@link LinearizabilityChecker#check}; a model needs no locking unless it is shared between checks that run
 * at the same time.
 *
 * @param <S> the state
 */
public interface Model<S> {

    /** The state before any operation. */
    S init();

    /**
     * Runs {@code op} on {@code state}. For an {@link Operation#isOk() ok} operation the step is legal only if the
     * operation could have returned {@link Operation#output()} from {@code state}. For an {@link Operation#isInfo()
     * info} one the output is unknown, so the step is legal if the operation could have taken effect at all;
     * {@code fail} operations never reach the model (they did not take effect).
     *
     * @return {@link StepResult#legal(Object)} with the next state, or {@link StepResult#illegal()}
     */
    StepResult<S> step(S state, Operation op);

    /**
     * The part of the state {@code op} touches. Operations of different partitions must never affect each other;
     * the checker then checks each partition's sub-history on its own (P-compositionality), which is what keeps
     * many-key histories fast. One partition for everything: return a constant.
     */
    default String partition(Operation op) {
        return op.key();
    }

    /**
     * True if {@code op} never changes the state (a read). An {@code info} operation that is read-only constrains
     * nothing, so the checker leaves it out.
     */
    default boolean isReadOnly(Operation op) {
        return false;
    }

    /**
     * An equivalent, smaller partition: the checker searches the list this returns, which must be linearizable if
     * and only if {@code partition} is. It may only leave out {@code info} operations (and must keep the order).
     * This is where a model drops info operations whose effect no other operation could observe: each one left
     * pending doubles the configurations the search may have to visit after it. The default keeps everything.
     *
     * @param partition one partition's operations, without {@code fail} ones, in invoke order
     */
    default List<Operation> prune(List<Operation> partition) {
        return partition;
    }

    /** The state for a counterexample. */
    default String describe(S state) {
        return String.valueOf(state);
    }
}
