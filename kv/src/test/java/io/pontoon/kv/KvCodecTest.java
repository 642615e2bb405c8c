package io.pontoon.kv;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key-value bytes: every command and result round-trips; a malformed request is refused naming the field. */
class KvCodecTest {
    private static KvCommand roundTrip(KvCommand c) {
        return KvCodec.decode(ByteBuffer.wrap(KvCodec.encode(c)));
    }

    @Test
    void commandsAndResultsRoundTrip() {
        for (KvCommand c : new KvCommand[] {
            new KvCommand(KvCodec.GET, 0, 0, 0, "k", null, null),
            new KvCommand(KvCodec.PUT, -5, 9, 3, "ключ", null, ""),
            new KvCommand(KvCodec.DELETE, 7, 1, 1, "k", null, null),
            new KvCommand(KvCodec.CAS, 7, 2, 2, "k", null, "new"),
            new KvCommand(KvCodec.CAS, 7, 3, 2, "k", "old", "new")}) {
            assertEquals(c, roundTrip(c));
        }
        for (KvResult r : new KvResult[] {KvResult.OK, KvResult.NOT_FOUND, KvResult.EXPIRED, KvResult.value(""),
            KvResult.value("v ✓"), KvResult.casFailed(null), KvResult.casFailed("x")}) {
            assertEquals(r, KvCodec.decodeResult(KvCodec.encode(r)));
        }
    }

    private static void assertRefused(String expected, byte[] bytes) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> KvCodec.decode(ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void malformedRequestsAreRefusedNamingWhatIsWrong() {
        final byte[] put = KvCodec.encode(new KvCommand(KvCodec.PUT, 1, 1, 1, "k", null, "v"));
        assertRefused("shorter than its 28-byte header", Arrays.copyOf(put, 27));
        byte[] b = put.clone();
        b[0] = 9;
        assertRefused("unknown op 9", b);
        b = put.clone();
        b[1] = 1;
        assertRefused("reserved flags 0x1", b);
        assertRefused("4 bytes after its last field", Arrays.copyOf(put, put.length + 4));
        assertRefused("ends before the length of its value", Arrays.copyOf(put, 29));
        b = put.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(26, (short) 0);
        assertRefused("key length 0", b);
        b = put.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(29, 100);
        assertRefused("value length 100 is not in 0 .. 1", b);
        b = put.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(29, -1).put(33, (byte) 0);
        assertRefused("has no value", Arrays.copyOf(b, 33));
        b = put.clone();
        b[28] = (byte) 0xC3; // a lone lead byte: not UTF-8
        assertRefused("key is not valid UTF-8", b);
        b = put.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(18, 2); // firstUnacked above the sequence
        assertRefused("need 1 <= firstUnacked <= sequence", b);
        assertThrows(IllegalArgumentException.class,
            () -> KvCodec.encode(new KvCommand(KvCodec.PUT, 1, 1, 1, "", null, "v")));
        assertThrows(IllegalArgumentException.class,
            () -> KvCodec.encode(new KvCommand(KvCodec.PUT, 1, 1, 1, "k".repeat(4097), null, "v")));
        assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeResult(new byte[] {9, -1, -1, -1, -1}));
        assertThrows(IllegalArgumentException.class, () -> KvCodec.decodeResult(new byte[] {0, -1, -1, -1}));
    }
}
