package io.pontoon;

import java.time.Duration;

/** STUB: API only; implementation in progress. The seed's MakeRafts. */
public final class LocalCluster implements AutoCloseable {
    public static LocalCluster start(int nodes) { return null; }
    public static LocalCluster start(int nodes, RaftConfig config) { return null; }
    public int size() { return 0; }
    /** Node by position 0..size-1 (its node id is i + 1). */
    public RaftNode node(int i) { return null; }
    /** Waits until one connected node is leader and a majority agree; returns its position. */
    public int awaitLeader(Duration timeout) { return -1; }
    public void disconnect(int i) { }
    public void reconnect(int i) { }
    /** Probability in [0,1] that any message is dropped. */
    public void dropProbability(double p) { }
    /** Delivery delay applied to every message: fixed plus uniform jitter. */
    public void delay(Duration fixed, Duration jitter) { }
    @Override
    public void close() { }
}
