package io.pontoon.scenario;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Runs every script in {@code src/test/resources/scenarios/} (see {@link ScenarioScript}) and compares
 * each command's output with the expected output in the file. After a deliberate behaviour change,
 * regenerate with {@code mvn -pl testkit -am test -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=ScriptedScenariosTest -Dscenario.rewrite=true} and review the diff: it shows exactly how the cluster
 * now behaves differently.
 */
class ScriptedScenariosTest {
    private static final Path DIR = Path.of("src", "test", "resources", "scenarios");

    @TestFactory
    Stream<DynamicTest> everyScriptPrintsWhatItExpects() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".txt")).sorted().toList().stream()
                .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
        }
    }

    private static void check(Path file) {
        try {
            final List<ScenarioScript.Block> blocks = ScenarioScript.parse(Files.readAllLines(file, StandardCharsets.UTF_8));
            final ScenarioScript script = new ScenarioScript();
            final List<String> outputs = new ArrayList<>();
            for (ScenarioScript.Block b : blocks) {
                outputs.add(script.execute(b.command()));
            }
            if (Boolean.getBoolean("scenario.rewrite")) {
                Files.writeString(file, ScenarioScript.render(blocks, outputs), StandardCharsets.UTF_8);
                return;
            }
            for (int i = 0; i < blocks.size(); i++) {
                assertEquals(String.join("\n", blocks.get(i).expected()), outputs.get(i),
                    file.getFileName() + ": output of '" + blocks.get(i).command() + "'");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
