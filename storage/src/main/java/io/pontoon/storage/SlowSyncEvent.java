package io.pontoon.storage;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A journal sync that took longer than {@link ChronicleLogStoreOptions#slowSyncNs()} (issue 13), committed on the
 * journal's sync thread.
 */
@Name("pontoon.JournalSlowSync")
@Label("Slow journal sync")
@Category({"Pontoon", "Storage"})
@StackTrace(false)
final class SlowSyncEvent extends jdk.jfr.Event {
    @Label("Duration")
    @Timespan(Timespan.NANOSECONDS)
    long durationNs;
    @Label("First cycle synced")
    int lowCycle;
    @Label("Last cycle synced")
    int highCycle;
}
