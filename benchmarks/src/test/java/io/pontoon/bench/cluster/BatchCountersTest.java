package io.pontoon.bench.cluster;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchCountersTest {
    @Test
    void ratiosAreTheDifferencesOverTheMeasuredIterations() {
        final BatchCounters start = new BatchCounters(10, 100, 300, 30, 5);
        final BatchCounters end = new BatchCounters(110, 6_500, 19_500, 330, 155);
        final Map<String, String> f = BatchCounters.ZERO.plus(end.minus(start)).fields();
        assertEquals("100", f.get("ae_frames"));
        assertEquals("64.0", f.get("entries_per_frame"));
        assertEquals("64.0", f.get("entries_per_record"));
        assertEquals("128.0", f.get("entries_per_sync"));
    }

    @Test
    void aRatioWithNothingToDivideByIsNotANumber() {
        final Map<String, String> f = new BatchCounters(0, 0, 500, 500, 0).fields();
        assertEquals("n/a", f.get("entries_per_frame"));
        assertEquals("1.0", f.get("entries_per_record"));
        assertEquals("n/a", f.get("entries_per_sync"), "PAGE_CACHE never syncs");
    }
}
