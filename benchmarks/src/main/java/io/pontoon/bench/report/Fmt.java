package io.pontoon.bench.report;

import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Number formats of docs/BENCHMARKS.md, and the decoding of list-valued RESULT fields. */
final class Fmt {
    private Fmt() {
    }

    static String opsRange(Result r) {
        return ops(r.num("ops_per_sec")) + " [" + ops(r.num("ops_min")) + "–" + ops(r.num("ops_max")) + "]";
    }

    static String latencies(Result r) {
        return us(r.num("p50_us")) + " | " + us(r.num("p99_us")) + " | " + us(r.num("p999_us")) + " | "
            + us(r.num("max_us"));
    }

    static String ops(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String us(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v >= 10_000 ? String.format(Locale.ROOT, "%,.1f ms", v / 1000) : String.format(Locale.ROOT, "%,.0f µs", v);
    }

    static String millis(double micros) {
        return new DecimalFormat("0.###").format(micros / 1000) + " ms";
    }

    static String pct(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", v * 100);
    }

    static String x(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2fx", v);
    }

    static String fmt2(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String minutes(String seconds) {
        try {
            return String.format(Locale.ROOT, "%.1f min", Long.parseLong(seconds) / 60.0);
        } catch (NumberFormatException e) {
            return "(duration unknown)";
        }
    }

    static List<String[]> pairs(String encoded) {
        final List<String[]> out = new ArrayList<>();
        if (encoded == null || encoded.equals("none")) {
            return out;
        }
        for (String item : encoded.split(";")) {
            final int colon = item.lastIndexOf(':');
            if (colon > 0) {
                out.add(new String[] {item.substring(0, colon), item.substring(colon + 1)});
            }
        }
        return out;
    }

    static double num(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
