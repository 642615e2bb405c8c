package io.pontoon.testkit.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HistoryJsonlTest {
    private static final String WRITE_INVOKE =
        "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\",\"value\":1,\"time\":1}\n";

    private static History sample() {
        final History h = new History(new AtomicLong(1_000_000_000L)::incrementAndGet);
        final long w = h.invokeWrite(0, "k", "quote \" backslash \\ newline \n tab \t bell \u0007 é");
        final long r = h.invokeRead(1, "k");
        h.ok(w);
        h.ok(r, null);
        h.fail(h.invokeCas(2, "other key", null, List.of(1, 2)));
        h.info(h.invokeWrite(0, "k", -9_000_000_000L));
        h.ok(h.invokeWrite(3, "k", false));
        h.invokeRead(4, "k"); // still open
        return h;
    }

    @Test
    void writesAndReadsBackEveryEvent(@TempDir Path dir) throws Exception {
        final History h = sample();
        final Path file = dir.resolve("history.jsonl");
        h.writeJsonl(file);
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(h.size(), lines.size());
        assertEquals("{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k\",\"value\":\"quote \\\" backslash"
            + " \\\\ newline \\n tab \\t bell \\u0007 é\",\"time\":1000000001}", lines.get(0));
        assertEquals("{\"process\":2,\"type\":\"fail\",\"f\":\"cas\",\"key\":\"other key\",\"value\":[null,[1,2]],"
            + "\"time\":1000000006}", lines.get(5));
        final History back = History.readJsonl(file);
        assertEquals(h.events(), back.events());
        assertEquals(h.operations(), back.operations());
    }

    @Test
    void readsAnyFieldOrderAndWhiteSpaceIgnoringUnknownFieldsAndBlankLines() throws Exception {
        final History h = History.parseJsonl("\n { \"time\" : 7 , \"value\" : null, \"key\":\"a\\u0062\","
            + " \"f\":\"read\","
            + " \"type\":\"invoke\", \"process\": 3, \"node\": \"n1\" } \n\n"
            + "{\"process\":3,\"type\":\"ok\",\"f\":\"read\",\"key\":\"ab\",\"value\":[true, \"\\/\"],\"time\":9}");
        assertEquals(List.of(new Event(3, Event.Type.INVOKE, "read", "ab", null, 7),
            new Event(3, Event.Type.OK, "read", "ab", List.of(true, "/"), 9)), h.events());
    }

    @Test
    void writesToAWriter() throws Exception {
        final StringWriter out = new StringWriter();
        sample().writeJsonl(out);
        assertEquals(sample().events(), History.parseJsonl(out.toString()).events());
    }

    private static void assertMalformed(int line, String problem, String text) {
        final HistoryFormatException e = assertThrows(HistoryFormatException.class, () -> History.parseJsonl(text));
        assertEquals("line " + line + ": " + problem, e.getMessage());
        assertEquals(line, e.lineNumber());
    }

    @Test
    void malformedLinesNameTheLineAndWhatIsWrong() {
        assertMalformed(1, "a line must be one JSON object starting with '{' (column 1)", "process=1\n");
        assertMalformed(2, "the field \"time\" is missing",
            WRITE_INVOKE + "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":\"k\",\"value\":1}\n");
        assertMalformed(1, "\"type\" must be one of invoke, ok, fail, info, but was \"done\"",
            WRITE_INVOKE.replace("invoke", "done"));
        assertMalformed(1, "\"process\" must be an integer, but was \"0\"", WRITE_INVOKE.replace(":0,", ":\"0\","));
        assertMalformed(1, "\"key\" must be a string, but was 7", WRITE_INVOKE.replace("\"k\"", "7"));
        assertMalformed(1, "only integers are supported as numbers (column 60)", WRITE_INVOKE.replace(":1,", ":1.5,"));
        assertMalformed(1, "the field \"value\" is missing (write \"value\":null for none)",
            WRITE_INVOKE.replace("\"value\":1,", ""));
        assertMalformed(1, "the field \"key\" appears twice",
            WRITE_INVOKE.replace("\"value\"", "\"key\":\"j\",\"value\""));
        assertMalformed(1, "a string is not closed", "{\"process\":0,\"type\":\"inv");
        assertMalformed(1, "expected ',' or '}' after a field (column 14)", "{\"process\":0 \"type\":\"invoke\"}");
        assertMalformed(1, "unexpected text after the object at column 72", WRITE_INVOKE.trim() + " x");
        assertMalformed(1, "\"process\" must be an integer from 0 to 2147483647, but was -1",
            WRITE_INVOKE.replace(":0,", ":-1,"));
    }

    @Test
    void eventsThatDoNotFitTheLinesBeforeNameTheLine() {
        assertMalformed(2, "process 1 has no open operation for this ok to complete",
            WRITE_INVOKE + WRITE_INVOKE.replace("invoke", "ok").replace(":0,", ":1,"));
        assertMalformed(2, "process 0 invokes write while its write from event 1 is still open (complete it first, as"
            + " info if unknown)", WRITE_INVOKE + WRITE_INVOKE);
        assertMalformed(2, "this ok of process 0 is for write of key \"j\", but the process's open invoke (event 1) is"
            + " write of key \"k\"", WRITE_INVOKE + WRITE_INVOKE.replace("invoke", "ok").replace("\"k\"", "\"j\""));
        assertMalformed(2, "time 0 is earlier than the time 1 of the event before: events must be in real-time order",
            WRITE_INVOKE + WRITE_INVOKE.replace("invoke", "ok").replace(":1}", ":0}"));
        assertMalformed(1, "a cas's invoke has the value [old,new], but this one has 1",
            WRITE_INVOKE.replace("write", "cas"));
    }
}
