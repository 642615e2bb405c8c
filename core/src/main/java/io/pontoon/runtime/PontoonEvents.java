package io.pontoon.runtime;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Pontoon's JFR events (issue 13), committed on the thread where the change happened (the Raft thread for elections
 * and leader changes; the apply or Raft thread for snapshot installs). Enabled by default in a recording; each costs
 * one small object per event, and these events are rare. Slow journal syncs are recorded by the storage module
 * ({@code pontoon.JournalSlowSync}).
 */
public final class PontoonEvents {
    private PontoonEvents() {
    }

    @Name("pontoon.Election")
    @Label("Raft election started")
    @Category({"Pontoon", "Raft"})
    @StackTrace(false)
    public static final class Election extends Event {
        @Label("Node")
        public int nodeId;
        @Label("Term")
        public long term;
        @Label("Reason")
        @Description("timeout, check-quorum, transfer or message")
        public String reason;
    }

    @Name("pontoon.LeaderChange")
    @Label("Raft leader changed")
    @Category({"Pontoon", "Raft"})
    @StackTrace(false)
    public static final class LeaderChange extends Event {
        @Label("Node")
        public int nodeId;
        @Label("Term")
        public long term;
        @Label("Previous leader")
        public int previousLeader;
        @Label("Leader")
        @Description("0: none known")
        public int leader;
        @Label("Role")
        public String role;
        @Label("Reason")
        public String reason;
    }

    @Name("pontoon.SnapshotInstall")
    @Label("Raft snapshot installed from the leader")
    @Category({"Pontoon", "Raft"})
    @StackTrace(false)
    public static final class SnapshotInstall extends Event {
        @Label("Node")
        public int nodeId;
        @Label("Last included index")
        public long index;
        @Label("Last included term")
        public long term;
        @Label("Size")
        @DataAmount
        public long sizeBytes;
    }
}
