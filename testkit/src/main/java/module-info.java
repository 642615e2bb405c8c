/**
 * Pontoon's test kit: the deterministic cluster simulator and its safety checker ({@code io.pontoon.sim}), test
 * clusters, the nemesis, free ports and an await helper ({@code io.pontoon.testkit}), the history recorder and the
 * linearizability checker ({@code io.pontoon.testkit.history}).
 */
module io.pontoon.testkit {
    requires transitive io.pontoon.core;
    requires transitive io.pontoon.storage;
    requires transitive io.pontoon.transport.netty;
    requires java.management;

    exports io.pontoon.sim;
    exports io.pontoon.testkit.history;
    exports io.pontoon.testkit;
}
