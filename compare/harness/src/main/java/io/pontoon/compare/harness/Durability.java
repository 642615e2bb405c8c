package io.pontoon.compare.harness;

/**
 * The durability setting every system in a comparison runs with. Each system maps it onto its own knobs
 * and names the mapping in the {@code setup=} field of its RESULT line.
 */
public enum Durability {
    /** Each acknowledged entry is on disk (fsync per group commit) on a majority. */
    SYNC,
    /** Written to the OS page cache (survives a process crash, not a power loss): no fsync. */
    PAGE_CACHE,
    /** No disk at all for the log: in-memory log storage, where the system has one. */
    NONE
}
