package io.pontoon.storage;

/**
 * How far a journal write must travel before {@link io.pontoon.spi.LogStore#durableIndex()} may name it.
 * Every benchmark figure and log line names the mode in force, because the two differ by orders of
 * magnitude in latency and in what they promise.
 */
public enum Durability {
    /**
     * Chronicle {@code SyncMode.SYNC} plus one {@code appender.sync()} (msync of the dirty pages) per group
     * commit. An entry counted durable survives a process crash and a power loss.
     */
    SYNC,

    /**
     * Written to the mapped journal (the OS page cache) and counted durable at once, with no msync. Survives a
     * crash of the JVM process (the kernel still writes the pages back) but not a power loss or a kernel crash.
     */
    PAGE_CACHE
}
