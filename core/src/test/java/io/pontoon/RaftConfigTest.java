package io.pontoon;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RaftConfigTest {
    @Test
    void durationsSetTheSameSettingsAsNanoseconds() {
        final RaftConfig c = RaftConfig.builder()
            .electionTimeout(Duration.ofMillis(400))
            .heartbeatInterval(Duration.ofMillis(40))
            .proposalTimeout(Duration.ofSeconds(3))
            .receiptAckDelay(Duration.ZERO)
            .snapshotChunkTimeout(Duration.ofSeconds(20))
            .build();
        assertEquals(400_000_000L, c.electionTimeoutNs);
        assertEquals(40_000_000L, c.heartbeatIntervalNs);
        assertEquals(3_000_000_000L, c.proposalTimeoutNs);
        assertEquals(0L, c.receiptAckDelayNs);
        assertEquals(20_000_000_000L, c.snapshotChunkTimeoutNs);
    }

    @Test
    void aBadDurationIsRefusedWithTheSettingsName() {
        final RaftConfig.Builder b = RaftConfig.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.electionTimeout(null)).getMessage()
            .contains("electionTimeout is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.heartbeatInterval(Duration.ofDays(365 * 1000)))
            .getMessage().contains("heartbeatInterval is out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.proposalTimeout(Duration.ofMillis(-1)))
            .getMessage().contains("proposalTimeout"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.electionTimeout(Duration.ofMinutes(2)))
            .getMessage().contains("electionTimeout"));
    }
}
