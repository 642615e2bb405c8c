package io.pontoon.compare.pontoon;

import io.pontoon.compare.harness.HarnessMain;

/**
 * {@code java <agrona+chronicle flags> -jar compare/pontoon/target/compare-pontoon.jar --nodes 3 ...}: see
 * HarnessOptions. {@code -Dpontoon.transport=netty} (default) runs the nodes over NettyTransport on loopback;
 * {@code -Dpontoon.transport=local} over the in-memory LocalNetwork (a reference point, not a comparison).
 */
public final class PontoonRunner {
    private PontoonRunner() {
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        HarnessMain.main(args, () -> new PontoonSystem(System.getProperty("pontoon.transport", "netty")));
    }
}
