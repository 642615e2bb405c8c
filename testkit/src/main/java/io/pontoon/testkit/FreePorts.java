package io.pontoon.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on the loopback interface, for nodes a test starts (all held open together, then released). */
public final class FreePorts {
    private FreePorts() {
    }

    /**
     * {@code n} distinct ports that were free a moment ago. Another process may still take one before the test binds
     * it; a test that binds at once rarely loses that race.
     */
    public static int[] take(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("ask for at least one port, got " + n);
        }
        final List<ServerSocket> sockets = new ArrayList<>();
        try {
            final int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                final ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find " + n + " free loopback ports", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a port we could not release is still listed; nothing else to do
                }
            }
        }
    }
}
