package io.pontoon.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ./pontoon launcher repeats the JVM flags of the parent pom; they must not drift apart. */
class LauncherFlagsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void launcherFlagsMatchThePomProperties() throws IOException {
        final String pom = Files.readString(ROOT.resolve("pom.xml"));
        final String launcher = Files.readString(ROOT.resolve("pontoon"));
        assertEquals(find(pom, "<agrona.jvm.flags>([^<]*)</agrona.jvm.flags>"),
            find(launcher, "(?m)^AGRONA_JVM_FLAGS=\"([^\"]*)\""), "agrona.jvm.flags vs AGRONA_JVM_FLAGS");
        assertEquals(find(pom, "<chronicle.jvm.flags>([^<]*)</chronicle.jvm.flags>"),
            find(launcher, "(?m)^CHRONICLE_JVM_FLAGS=\"([^\"]*)\""), "chronicle.jvm.flags vs CHRONICLE_JVM_FLAGS");
    }

    @Test
    void launcherIsExecutable() {
        assertTrue(Files.isExecutable(ROOT.resolve("pontoon")), "./pontoon must be executable");
    }

    private static String find(String text, String regex) {
        final Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "not found: " + regex);
        return m.group(1).trim();
    }
}
