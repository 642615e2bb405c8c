package io.pontoon.compare.harness;

import java.nio.file.Path;

/**
 * One Raft implementation under the common load harness: a cluster of {@link HarnessOptions#nodes()}
 * members in this JVM, on loopback, each with its own log directory, driven on its leader.
 *
 * <p>Threads: {@link #start} and {@link #close} are called by the harness's driver thread; {@link #submit} by
 * the harness's {@link HarnessOptions#submitters()} submitter threads at once, so it must be thread-safe;
 * {@link Completion} callbacks come from the system's own threads.
 */
public interface ReplicatedSystem extends AutoCloseable {
    /** Short lower-case name printed as {@code system=} (pontoon, sofajraft, ratis). */
    String name();

    /**
     * Starts the cluster with each member's files under {@code dataDir} (an empty directory the harness
     * deletes afterwards) and returns once a leader is elected and ready for proposals.
     */
    void start(HarnessOptions options, Path dataDir) throws Exception;

    /**
     * How the common settings map onto this system, printed as {@code setup=}: comma-separated
     * {@code key=value} items without spaces (storage, fsync knob, transport, how entries are submitted).
     */
    String setup();

    /**
     * Submits one entry holding {@code payload} (the same array every time; never modified) to the leader.
     * Returns false under back-pressure: nothing was submitted and {@code completion} will not be called for
     * it; the harness retries. {@code startNs} is the request's intended send time ({@link System#nanoTime()}
     * scale) and is handed back to {@code completion}.
     */
    boolean submit(byte[] payload, long startNs, Completion completion);

    /** Stops every member and releases their files; called once, after the load has drained. */
    @Override
    void close() throws Exception;
}
