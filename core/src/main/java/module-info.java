/**
 * Pontoon's engine: the public API ({@code io.pontoon}: {@code RaftNode}, {@code RaftConfig},
 * {@code StateMachine}, {@code LocalCluster}), the storage and transport SPIs ({@code io.pontoon.spi})
 * and their in-memory implementations ({@code io.pontoon.memory}). The Raft engine, its runtime and the
 * wire codecs are internal: they are exported only to Pontoon's own modules that build on them.
 */
module io.pontoon.core {
    requires transitive org.agrona;
    requires jdk.jfr;
    requires static micrometer.core;

    exports io.pontoon;
    exports io.pontoon.spi;
    exports io.pontoon.memory;
    exports io.pontoon.metrics;

    exports io.pontoon.protocol to io.pontoon.transport.netty, io.pontoon.testkit, io.pontoon.benchmarks;
    exports io.pontoon.engine to io.pontoon.testkit, io.pontoon.benchmarks;
    exports io.pontoon.runtime to io.pontoon.testkit, io.pontoon.benchmarks;
    exports io.pontoon.util to io.pontoon.storage;
}
