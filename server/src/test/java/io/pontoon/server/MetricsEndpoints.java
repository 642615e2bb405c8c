package io.pontoon.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a node's HTTP endpoints in tests: a GET, and one sample of a Prometheus scrape. */
final class MetricsEndpoints {
    private MetricsEndpoints() {
    }

    /** {@code http://host:port/path} of a server's metrics address. */
    static String url(PontoonServer server, String path) {
        final InetSocketAddress a = server.metricsAddress();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + path;
    }

    /** The body of a GET; fails unless the answer is 200. */
    static String get(PontoonServer server, String path) throws IOException {
        final HttpURLConnection c = (HttpURLConnection) new URL(url(server, path)).openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(10_000);
        try {
            final int code = c.getResponseCode();
            if (code != 200) {
                throw new IOException("GET " + path + " answered " + code);
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }

    /**
     * The value of the sample named {@code name} whose labels contain {@code label} (empty: any) in a Prometheus text
     * scrape, or NaN when there is none.
     */
    static double sample(String scrape, String name, String label) {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(scrape);
        while (m.find()) {
            final String labels = m.group(1) == null ? "" : m.group(1);
            if (labels.contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }
}
