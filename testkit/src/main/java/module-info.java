/** Pontoon's test kit: the deterministic cluster simulator ({@code io.pontoon.sim}) and its safety checker. */
module io.pontoon.testkit {
    requires transitive io.pontoon.core;
    requires java.management;

    exports io.pontoon.sim;
    exports io.pontoon.testkit;
}
