package io.pontoon.compare.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for a cluster in one JVM. */
public final class FreePorts {
    private FreePorts() {
    }

    /**
     * {@code n} distinct ports that were free on 127.0.0.1 a moment ago (the OS picks them; they are released
     * before returning, so another process could take one: a start failure then names the port).
     */
    public static int[] loopback(int n) {
        final ServerSocket[] sockets = new ServerSocket[n];
        final int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        }
        return ports;
    }
}
