package io.pontoon.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The key-value store's bytes inside CLIENT_APP_REQUEST and CLIENT_APP_RESPONSE (docs/PROTOCOL.md); a write's request
 * bytes are also its log entry. Little-endian; strings are UTF-8 with an i32 length, -1 for null.
 * <pre>
 * request:   0 op u8 (1 GET, 2 PUT, 3 DELETE, 4 CAS)   1 flags u8 (0)
 *            2 clientId i64   10 sequence i64   18 firstUnacked i64   (0, 0, 0 for a GET)
 *           26 keyLength u16 (1..{@value #MAX_KEY_BYTES})   28 key
 *           then PUT: value; CAS: expected (may be null), new value; GET, DELETE: nothing more
 * response:  0 status u8 ({@link KvResult.Status} ordinal)
 *            1 value (a get's value, a failed cas's found value, or null)
 * </pre>
 * Decoding checks every length and throws {@link IllegalArgumentException} naming what is wrong. Any thread.
 */
final class KvCodec {
    static final byte GET = 1;
    static final byte PUT = 2;
    static final byte DELETE = 3;
    static final byte CAS = 4;
    static final int MAX_KEY_BYTES = 4096;
    private static final int HEADER = 28;

    private KvCodec() {
    }

    static String opName(byte op) {
        return switch (op) {
            case GET -> "get";
            case PUT -> "put";
            case DELETE -> "delete";
            case CAS -> "cas";
            default -> "op " + op;
        };
    }

    static byte[] encode(KvCommand c) {
        final byte[] key = utf8(c.key());
        if (key.length == 0 || key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key must be 1 .. " + MAX_KEY_BYTES + " UTF-8 bytes, got " + key.length);
        }
        final byte[] expected = c.op() == CAS ? utf8(c.expected()) : null;
        final byte[] value = c.op() == PUT || c.op() == CAS ? utf8(c.value()) : null;
        int length = HEADER + key.length;
        if (c.op() == PUT) {
            length += 4 + value.length;
        } else if (c.op() == CAS) {
            length += 4 + (expected == null ? 0 : expected.length) + 4 + value.length;
        }
        final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(c.op()).put((byte) 0).putLong(c.clientId()).putLong(c.sequence()).putLong(c.firstUnacked());
        b.putShort((short) key.length).put(key);
        if (c.op() == CAS) {
            putString(b, expected);
        }
        if (value != null) {
            putString(b, value);
        }
        return b.array();
    }

    /** Decodes a request (or a log entry); the buffer's position moves to its end. */
    static KvCommand decode(ByteBuffer in) {
        final ByteBuffer b = in.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < HEADER) {
            throw new IllegalArgumentException("kv request of " + b.remaining() + " bytes is shorter than its "
                + HEADER + "-byte header");
        }
        final byte op = b.get();
        if (op < GET || op > CAS) {
            throw new IllegalArgumentException("kv request has unknown op " + op + " (1 get, 2 put, 3 delete, 4 cas)");
        }
        final byte flags = b.get();
        if (flags != 0) {
            throw new IllegalArgumentException("kv request has reserved flags 0x" + Integer.toHexString(flags & 0xFF));
        }
        final long clientId = b.getLong();
        final long sequence = b.getLong();
        final long firstUnacked = b.getLong();
        if (op != GET && (sequence < 1 || firstUnacked < 1 || firstUnacked > sequence)) {
            throw new IllegalArgumentException("kv " + opName(op) + " has sequence " + sequence + " and firstUnacked "
                + firstUnacked + "; need 1 <= firstUnacked <= sequence");
        }
        final int keyLength = b.getShort() & 0xFFFF;
        if (keyLength == 0 || keyLength > MAX_KEY_BYTES || keyLength > b.remaining()) {
            throw new IllegalArgumentException("kv request key length " + keyLength + " is not in 1 .. "
                + Math.min(MAX_KEY_BYTES, b.remaining()));
        }
        final String key = string(b, keyLength, "key");
        String expected = null;
        String value = null;
        if (op == CAS) {
            expected = getString(b, "expected value");
        }
        if (op == PUT || op == CAS) {
            value = getString(b, "value");
            if (value == null) {
                throw new IllegalArgumentException("kv " + opName(op) + " " + key + " has no value (length -1)");
            }
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("kv " + opName(op) + " request has " + b.remaining()
                + " bytes after its last field");
        }
        in.position(in.limit());
        return new KvCommand(op, clientId, sequence, firstUnacked, key, expected, value);
    }

    static byte[] encode(KvResult r) {
        final byte[] value = utf8(r.value());
        final ByteBuffer b = ByteBuffer.allocate(1 + 4 + (value == null ? 0 : value.length))
            .order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) r.status().ordinal());
        putString(b, value);
        return b.array();
    }

    static KvResult decodeResult(byte[] bytes) {
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 5) {
            throw new IllegalArgumentException("kv response of " + bytes.length + " bytes is shorter than 5");
        }
        final int status = b.get() & 0xFF;
        if (status >= KvResult.Status.values().length) {
            throw new IllegalArgumentException("kv response has unknown status " + status);
        }
        final String value = getString(b, "value");
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("kv response has " + b.remaining() + " bytes after its value");
        }
        return new KvResult(KvResult.Status.values()[status], value);
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(ByteBuffer b, byte[] s) {
        if (s == null) {
            b.putInt(-1);
        } else {
            b.putInt(s.length).put(s);
        }
    }

    private static String getString(ByteBuffer b, String field) {
        if (b.remaining() < 4) {
            throw new IllegalArgumentException("kv message ends before the length of its " + field);
        }
        final int length = b.getInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("kv message " + field + " length " + length + " is not in 0 .. "
                + b.remaining() + " (the bytes left)");
        }
        return string(b, length, field);
    }

    /** Strict UTF-8: a malformed sequence is refused, never replaced (two nodes must read the same string). */
    private static String string(ByteBuffer b, int length, String field) {
        final ByteBuffer bytes = b.slice(b.position(), length);
        b.position(b.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("kv message " + field + " is not valid UTF-8");
        }
    }
}
