package io.pontoon.testkit.history;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The KV store as a register per key, the model for {@link History}'s {@code read}, {@code write} and {@code cas}
 * (and {@code delete}, a write of {@code null}, for those who record it under that name). The state is the key's
 * value, {@code null} when absent; each key is its own partition.
 *
 * <ul>
 *   <li>{@code read}: legal if it returned the current value; an {@code info} read is left out.</li>
 *   <li>{@code write} / {@code delete}: always legal; the value becomes the written one.</li>
 *   <li>{@code cas [old, new]}: legal if the value is {@code old}, which becomes {@code new}. An {@code info} cas
 *       that would not match is the same as one that never took effect, which the checker also tries.</li>
 * </ul>
 */
public final class KvModel implements Model<Object> {
    public static final String DELETE = "delete";

    @Override
    public Object init() {
        return null;
    }

    @Override
    public StepResult<Object> step(Object state, Operation op) {
        switch (op.f()) {
            case History.READ:
                return op.isInfo() || Objects.equals(state, op.output()) ? StepResult.legal(state)
                    : StepResult.illegal();
            case History.WRITE:
                return StepResult.legal(op.input());
            case DELETE:
                return StepResult.legal(null);
            case History.CAS:
                final List<?> pair = casPair(op);
                return Objects.equals(state, pair.get(0)) ? StepResult.legal(pair.get(1)) : StepResult.illegal();
            default:
                throw new IllegalArgumentException("the KV model knows read, write, cas and delete, but "
                    + op + " is " + HistoryJson.formatValue(op.f()));
        }
    }

    private static List<?> casPair(Operation op) {
        if (op.input() instanceof List<?> pair && pair.size() == 2) {
            return pair;
        }
        throw new IllegalArgumentException("a cas's value is [old,new], but " + op + " has "
            + HistoryJson.formatValue(op.input()));
    }

    /**
     * Leaves out each info write or cas whose written value no operation observes: no ok read returned it and no
     * ok or info cas expects it. Such an operation, if linearized, is followed directly by a write (nothing else is
     * legal on its value), so leaving it out changes no step; a history whose writers write unique values (as they
     * should, to make reads tell writes apart) then keeps only the info writes that were seen.
     */
    @Override
    public List<Operation> prune(List<Operation> partition) {
        final Set<Object> observed = new HashSet<>();
        for (Operation op : partition) {
            if (History.READ.equals(op.f()) && op.isOk()) {
                observed.add(op.output());
            } else if (History.CAS.equals(op.f())) {
                observed.add(casPair(op).get(0));
            }
        }
        final List<Operation> pruned = new ArrayList<>(partition.size());
        for (Operation op : partition) {
            final boolean unseenWrite = op.isInfo() && (History.WRITE.equals(op.f()) || DELETE.equals(op.f())
                || History.CAS.equals(op.f())) && !observed.contains(written(op));
            if (!unseenWrite) {
                pruned.add(op);
            }
        }
        return pruned;
    }

    private static Object written(Operation op) {
        return switch (op.f()) {
            case History.WRITE -> op.input();
            case History.CAS -> casPair(op).get(1);
            default -> null; // a delete
        };
    }

    @Override
    public boolean isReadOnly(Operation op) {
        return History.READ.equals(op.f());
    }

    @Override
    public String describe(Object state) {
        return state == null ? "absent" : HistoryJson.formatValue(state);
    }
}
