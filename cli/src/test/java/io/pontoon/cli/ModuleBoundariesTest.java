package io.pontoon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an embedding application on the module path sees (issue 10): a module that requires
 * {@code io.pontoon.server} compiles against the API (node, server builder, stores, client), and one that reaches
 * into the engine or the Netty handlers does not. Compiles small application modules with the JDK's compiler
 * against the Pontoon modules this test runs with.
 */
class ModuleBoundariesTest {
    @TempDir
    Path dir;

    @Test
    void anApplicationModuleCompilesAgainstTheApi() throws IOException {
        final String out = compile("""
            package com.example;

            public final class App {
                io.pontoon.RaftNode node;
                io.pontoon.StateMachine stateMachine;
                io.pontoon.spi.LogStore logStore;
                io.pontoon.memory.InMemoryLogStore memory;
                io.pontoon.server.PontoonServer server;
                io.pontoon.storage.FileSnapshotStore snapshots;
                io.pontoon.transport.client.PontoonClient client;
                io.pontoon.transport.fault.FaultRules faults;
                org.agrona.DirectBuffer buffer; // in the API's signatures: read through core's requires transitive
            }
            """);
        assertEquals("", out);
    }

    @Test
    void aKeyValueApplicationCompilesAgainstTheKvModuleAlone() throws IOException {
        // io.pontoon.kv reads core and the transport transitively: its signatures need PontoonClient and RaftNode
        final String out = compile("io.pontoon.kv", """
            package com.example;

            public final class App {
                io.pontoon.kv.KvStateMachine stateMachine = new io.pontoon.kv.KvStateMachine();
                io.pontoon.transport.ApplicationHandler handler = new io.pontoon.kv.KvRequestHandler(stateMachine,
                    io.pontoon.kv.KvReadMode.READ_INDEX);
                io.pontoon.kv.KvClient client;
                io.pontoon.transport.client.PontoonClientConfig config;
                io.pontoon.RaftNode node;
            }
            """);
        assertEquals("", out);
    }

    @Test
    void anApplicationModuleCannotReachTheInternals() throws IOException {
        final String out = compile("""
            package com.example;

            public final class App {
                io.pontoon.engine.RaftEngine engine;
                io.pontoon.runtime.RaftAgent agent;
                io.pontoon.protocol.AppendEntriesCodec codec;
                io.pontoon.transport.netty.FrameDecoder decoder;
                io.pontoon.transport.codec.Frame frame;
            }
            """);
        for (String pkg : List.of("io.pontoon.engine", "io.pontoon.runtime", "io.pontoon.protocol",
            "io.pontoon.transport.netty", "io.pontoon.transport.codec")) {
            assertTrue(out.contains("package " + pkg + " is declared in module"), pkg + " is reachable: " + out);
        }
    }

    @Test
    void anApplicationModuleRunsAClusterOnTheModulePath() throws Exception {
        final String out = compile("io.pontoon.core", """
            package com.example;

            public final class App {
                public static void main(String[] args) throws Exception {
                    try (io.pontoon.LocalCluster cluster = io.pontoon.LocalCluster.start(3)) {
                        final int leader = cluster.awaitLeader(java.time.Duration.ofSeconds(30));
                        final long lsn = cluster.node(leader).propose("hello".getBytes())
                            .get(30, java.util.concurrent.TimeUnit.SECONDS);
                        System.out.println("committed lsn=" + lsn + " in module "
                            + io.pontoon.RaftNode.class.getModule().getName());
                    }
                }
            }
            """);
        assertEquals("", out);
        // Agrona is a named (automatic) module here: its jdk.internal.misc export goes to it, not ALL-UNNAMED.
        final Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=org.agrona",
            "--module-path", dir.resolve("out") + java.io.File.pathSeparator + modulePath(),
            "-m", "com.example.app/com.example.App").redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        assertTrue(output.contains("committed lsn=") && output.contains("in module io.pontoon.core"), output);
    }

    private String compile(String app) throws IOException {
        return compile("io.pontoon.server", app);
    }

    private String compile(String requires, String app) throws IOException {
        final Path src = dir.resolve("src/com/example");
        Files.createDirectories(src);
        Files.writeString(dir.resolve("src/module-info.java"), "module com.example.app { requires " + requires
            + "; }\n");
        Files.writeString(src.resolve("App.java"), app);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final List<String> args = new ArrayList<>(List.of("-d", dir.resolve("out").toString(), "--module-path",
            modulePath(), "--class-path", dir.toString(), "-Xlint:-module", "-implicit:none"));
        args.add(dir.resolve("src/module-info.java").toString());
        args.add(src.resolve("App.java").toString());
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        javac.run(null, err, err, args.toArray(new String[0]));
        return err.toString(StandardCharsets.UTF_8).trim();
    }

    /** The Pontoon modules and their dependencies, from this test's class path. */
    private static String modulePath() {
        final StringBuilder mp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            final Path p = Path.of(entry);
            final boolean pontoon = Files.isRegularFile(p.resolve("module-info.class"))
                && !p.toString().contains("test-classes");
            final boolean jar = entry.endsWith(".jar");
            if (pontoon || jar) {
                mp.append(mp.length() == 0 ? "" : java.io.File.pathSeparator).append(entry);
            }
        }
        return mp.toString();
    }
}
