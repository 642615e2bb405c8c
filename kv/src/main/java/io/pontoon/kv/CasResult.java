package io.pontoon.kv;

/**
 * The outcome of {@link KvClient#cas}.
 *
 * @param succeeded the key held the expected value and now holds the new one
 * @param found     when it did not succeed: the value the key held (null if absent); when it did: null
 */
public record CasResult(boolean succeeded, String found) {
}
