/** The {@code ./pontoon} command line: demo, node, client commands, dump. An application: it exports nothing. */
module io.pontoon.cli {
    requires io.pontoon.server;
    requires io.pontoon.kv;
    requires io.pontoon.testkit;
    requires info.picocli;
    requires HdrHistogram;
    requires java.management;
    requires java.logging; // CliLogging: where library log lines go

    opens io.pontoon.cli to info.picocli;
}
