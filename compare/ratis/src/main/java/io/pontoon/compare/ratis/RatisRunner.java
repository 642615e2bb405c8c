package io.pontoon.compare.ratis;

import io.pontoon.compare.harness.HarnessMain;

/**
 * {@code java -jar compare/ratis/target/compare-ratis.jar --nodes 3 ...}: see HarnessOptions.
 * {@code -Dratis.submit=server} (default) submits on the leader in-process; {@code -Dratis.submit=client}
 * goes through a RaftClient over gRPC on loopback; {@code -Dratis.submitters=N} threads call the leader
 * (default 4, 0 = the harness's submitter threads).
 */
public final class RatisRunner {
    private RatisRunner() {
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        HarnessMain.main(args, () -> new RatisSystem(System.getProperty("ratis.submit", "server"),
            Integer.getInteger("ratis.submitters", 4)));
    }
}
