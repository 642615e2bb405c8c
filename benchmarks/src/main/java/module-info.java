/**
 * The JMH suite and the benchmark report ({@code benchmarks/target/benchmarks.jar}). An application: it exports
 * nothing, and it is the one module besides the test kit that drives core's engine directly (the engine and
 * runtime benchmarks), through core's qualified exports.
 */
module io.pontoon.benchmarks {
    requires io.pontoon.core;
    requires io.pontoon.storage;
    requires io.pontoon.transport.netty;
    requires jmh.core;
    requires HdrHistogram;
    requires org.jfree.jfreechart;
    requires java.desktop;
    requires java.management;
    requires jdk.jfr;
    requires micrometer.core;
}
