/**
 * Durable storage for Pontoon: the Chronicle Queue journal ({@code ChronicleLogStore}), the term/vote file
 * ({@code FileMetaStore}) and the snapshot store ({@code FileSnapshotStore}), all behind core's SPIs.
 */
module io.pontoon.storage {
    requires transitive io.pontoon.core;
    requires transitive chronicle.queue;
    requires chronicle.bytes;
    requires chronicle.core;
    requires chronicle.wire;
    requires org.slf4j;
    requires jdk.jfr;

    exports io.pontoon.storage;
}
