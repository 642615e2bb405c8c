package io.pontoon.transport;

import io.pontoon.spi.Transport;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Test helpers: free loopback ports, a cluster of transports, a recording inbound handler. */
final class TestNodes {
    private TestNodes() {
    }

    /** Free loopback ports (bound and released; a small race with other processes is accepted in tests). */
    static int[] freePorts(int n) {
        final List<ServerSocket> sockets = new ArrayList<>();
        try {
            final int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                final ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                s.setReuseAddress(true);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Configs for nodes 1..n on the given ports, each customised by {@code custom}. */
    static List<NettyTransportConfig> configs(int[] ports, Consumer<NettyTransportConfig.Builder> custom) {
        final List<NettyTransportConfig> configs = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            final NettyTransportConfig.Builder b = NettyTransportConfig.builder()
                .nodeId(i + 1)
                .listenAddress(loopback(ports[i]))
                .clusterId(7)
                .reconnectBackoffMinNs(5_000_000L)
                .reconnectBackoffMaxNs(200_000_000L);
            for (int j = 0; j < ports.length; j++) {
                b.peer(j + 1, loopback(ports[j]));
            }
            custom.accept(b);
            configs.add(b.build());
        }
        return configs;
    }

    /** One received message, body copied. */
    record Received(int from, int type, byte[] body) {
    }

    /** Records every message; the buffer is copied during the call as the SPI requires. */
    static final class Recorder implements Transport.InboundHandler {
        final LinkedBlockingQueue<Received> messages = new LinkedBlockingQueue<>();

        @Override
        public boolean onMessage(int fromNodeId, int type, DirectBuffer body, int offset, int length) {
            final byte[] copy = new byte[length];
            body.getBytes(offset, copy);
            messages.add(new Received(fromNodeId, type, copy));
            return true;
        }

        Received poll(long timeoutMs) {
            try {
                return messages.poll(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
