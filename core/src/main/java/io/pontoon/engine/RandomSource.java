package io.pontoon.engine;

/** Injected randomness, so the engine stays deterministic under a seed. */
@FunctionalInterface
public interface RandomSource {
    /** A uniformly distributed value in {@code [0, bound)}; {@code bound > 0}. */
    long nextLong(long bound);

    /** A SplittableRandom-backed source; for tests and the simulator pass a fixed seed. */
    static RandomSource seeded(long seed) {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        return random::nextLong;
    }
}
