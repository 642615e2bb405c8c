package io.pontoon.transport;

import io.pontoon.transport.codec.Frame;
import io.pontoon.transport.codec.FrameType;
import io.pontoon.transport.codec.HandshakeCodec;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A blocking, hand-driven connection for handshake and fuzz tests: writes whatever bytes it is told to. */
final class RawPeer implements AutoCloseable {
    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    int acceptorId;
    byte[] challengeNonce;
    byte[] helloNonce = new byte[HandshakeCodec.NONCE_LENGTH];

    RawPeer(InetSocketAddress address) {
        this(connect(address));
    }

    RawPeer(Socket socket) {
        try {
            this.socket = socket;
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket connect(InetSocketAddress address) {
        try {
            final Socket s = new Socket();
            s.connect(address, 10_000);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] frame(int type, int version, int flags, int clusterId, int senderId, byte[] body) {
        final ByteBuffer b = ByteBuffer.allocate(Frame.HEADER_LENGTH + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(Frame.MIN_LENGTH_FIELD + body.length).put((byte) type).put((byte) version).putShort((short) flags)
            .putInt(clusterId).putInt(senderId).put(body);
        return b.array();
    }

    static byte[] frame(int type, int clusterId, int senderId, byte[] body) {
        return frame(type, Frame.PROTOCOL_VERSION, 0, clusterId, senderId, body);
    }

    /** Reads one whole frame (prefix included); null on end of stream or reset. */
    byte[] readFrame() {
        try {
            final byte[] prefix = new byte[4];
            in.readFully(prefix);
            final int length = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getInt();
            final byte[] frame = new byte[4 + length];
            System.arraycopy(prefix, 0, frame, 0, 4);
            in.readFully(frame, 4, length);
            return frame;
        } catch (EOFException | SocketException e) {
            return null;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame and no close within the socket timeout", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True once the other side closed (reads skip any bytes still in flight). */
    /** Asserts that the acceptor answers with HANDSHAKE_REJECT for {@code expected}, then closes. */
    void assertRejected(HandshakeCodec.RejectReason expected) {
        final byte[] f = readFrame();
        org.junit.jupiter.api.Assertions.assertNotNull(f, "expected a REJECT frame before the close");
        final UnsafeBuffer b = new UnsafeBuffer(f);
        org.junit.jupiter.api.Assertions.assertEquals(FrameType.HANDSHAKE_REJECT,
            Frame.type(b, 0), "got " + FrameType.name(Frame.type(b, 0)));
        org.junit.jupiter.api.Assertions.assertEquals(expected,
            HandshakeCodec.RejectReason.of(HandshakeCodec.rejectReason(b, Frame.HEADER_LENGTH)));
        org.junit.jupiter.api.Assertions.assertTrue(awaitClosedByPeer(), "the acceptor must close after REJECT");
    }

    boolean awaitClosedByPeer() {
        try {
            final byte[] sink = new byte[4096];
            while (in.read(sink) >= 0) {
                // drain
            }
            return true;
        } catch (SocketException e) {
            return true; // reset
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // the other side may already have closed: that is what many tests provoke
        }
    }

    /** Reads the acceptor's CHALLENGE and remembers its nonce and node id. */
    RawPeer readChallenge() {
        final byte[] f = readFrame();
        if (f == null) {
            throw new AssertionError("connection closed before the CHALLENGE");
        }
        final UnsafeBuffer b = new UnsafeBuffer(f);
        if (Frame.type(b, 0) != FrameType.HANDSHAKE_CHALLENGE) {
            throw new AssertionError("expected CHALLENGE, got " + FrameType.name(Frame.type(b, 0)));
        }
        acceptorId = Frame.senderId(b, 0);
        challengeNonce = HandshakeCodec.bytes(b, Frame.HEADER_LENGTH, HandshakeCodec.NONCE_LENGTH);
        return this;
    }

    /** A HELLO answering the challenge read; {@code secret} null sends a zero mac. */
    byte[] hello(int version, int clusterId, int senderId, int role, int target, byte[] secret) {
        final byte[] mac = HandshakeCodec.helloMac(secret, clusterId, senderId, acceptorId, role, challengeNonce, helloNonce);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[HandshakeCodec.HELLO_LENGTH]);
        HandshakeCodec.encodeHello(body, 0, role, target, helloNonce, mac);
        return frame(FrameType.HANDSHAKE_HELLO, version, 0, clusterId, senderId, body.byteArray());
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
