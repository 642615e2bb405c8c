package io.pontoon.compare.sofajraft;

import io.pontoon.compare.harness.HarnessMain;

/** {@code java -jar compare/sofajraft/target/compare-sofajraft.jar --nodes 3 ...}: see HarnessOptions. */
public final class SofaJraftRunner {
    private SofaJraftRunner() {
    }

    public static void main(String[] args) {
        // Before any jraft/bolt class loads: warnings only, and bolt's own log files out of the home directory.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        HarnessMain.main(args, SofaJraftSystem::new);
    }
}
