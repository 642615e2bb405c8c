package io.pontoon.bench.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;

/**
 * The report's PNG charts, drawn headless with JFreeChart: grouped bars (throughput by payload, by system, by
 * loss rate) and HdrHistogram-style percentile curves (x: percentile on a "number of nines" scale, y: latency on
 * a log scale).
 */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 520;
    private static final Color[] PALETTE = {
        new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0xD62728),
        new Color(0x9467BD), new Color(0x8C564B), new Color(0x17BECF)};

    private Charts() {
    }

    /** One bar series: a name and its values in category order (NaN = no bar). */
    record BarSeries(String name, List<Double> values) {
    }

    /** One percentile curve: a name and (percentile, microseconds) points. */
    record Curve(String name, List<double[]> points) {
    }

    static void bars(Path file, String title, String subtitle, String categoryLabel, String valueLabel,
                     List<String> categories, List<BarSeries> series) throws IOException {
        final DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (BarSeries s : series) {
            for (int i = 0; i < categories.size(); i++) {
                final Double v = i < s.values().size() ? s.values().get(i) : null;
                data.addValue(v == null || v.isNaN() ? null : v, s.name(), categories.get(i));
            }
        }
        final JFreeChart chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data);
        style(chart, subtitle);
        final CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        final BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.05);
        for (int i = 0; i < series.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new CompactFormat()));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        r.setDefaultPositiveItemLabelPosition(
            new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        final NumberAxis range = (NumberAxis) plot.getRangeAxis();
        range.setNumberFormatOverride(new CompactFormat());
        range.setUpperMargin(0.12);
        final CategoryAxis domain = plot.getDomainAxis();
        domain.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    static void percentileCurves(Path file, String title, String subtitle, List<Curve> curves) throws IOException {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (Curve c : curves) {
            final XYSeries s = new XYSeries(c.name(), false, true);
            for (double[] p : c.points()) {
                if (p[0] < 100 && p[1] > 0) {
                    s.add(nines(p[0]), p[1]);
                }
            }
            data.addSeries(s);
        }
        final JFreeChart chart = ChartFactory.createXYLineChart(title, "percentile", "commit latency (log scale)", data);
        style(chart, subtitle);
        final XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        final NumberAxis x = new NumberAxis("percentile");
        x.setTickUnit(new NumberTickUnit(1, new PercentileFormat()));
        x.setRange(0, 4.2);
        plot.setDomainAxis(x);
        final LogAxis y = new LogAxis("commit latency (log scale)");
        y.setBase(10);
        // One labelled tick per decade (10 µs, 100 µs, 1 ms, ...), nine minor ticks between.
        y.setTickUnit(new NumberTickUnit(1));
        y.setNumberFormatOverride(new DurationFormat());
        y.setMinorTickCount(9);
        y.setMinorTickMarksVisible(true);
        y.setSmallestValue(1);
        plot.setRangeAxis(y);
        final XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < curves.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** Percentile p (0..100) to "number of nines": 0 → 0, 90 → 1, 99 → 2, 99.9 → 3. */
    static double nines(double percentile) {
        return Math.log10(100.0 / (100.0 - percentile));
    }

    private static void style(JFreeChart chart, String subtitle) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        if (subtitle != null && !subtitle.isEmpty()) {
            final TextTitle sub = new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            sub.setPaint(Color.DARK_GRAY);
            chart.addSubtitle(sub);
        }
    }

    /** 1234567 → "1.23M", 45678 → "45.7k", 512 → "512". */
    static String compact(double v) {
        final double a = Math.abs(v);
        if (a >= 1e6) {
            return new DecimalFormat("0.##").format(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return new DecimalFormat(a >= 1e5 ? "0" : "0.#").format(v / 1e3) + "k";
        }
        return new DecimalFormat("0.#").format(v);
    }

    private static final class CompactFormat extends NumberFormat {
        @Override
        public StringBuffer format(double number, StringBuffer toAppendTo, FieldPosition pos) {
            return toAppendTo.append(compact(number));
        }

        @Override
        public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition pos) {
            return toAppendTo.append(compact(number));
        }

        @Override
        public Number parse(String source, ParsePosition parsePosition) {
            return null;
        }
    }

    /** Microseconds as "100 µs", "1 ms", "10 ms", "1 s" for the latency axis. */
    private static final class DurationFormat extends NumberFormat {
        @Override
        public StringBuffer format(double micros, StringBuffer toAppendTo, FieldPosition pos) {
            final DecimalFormat f = new DecimalFormat("0.#");
            if (micros >= 1e6) {
                return toAppendTo.append(f.format(micros / 1e6)).append(" s");
            }
            if (micros >= 1e3) {
                return toAppendTo.append(f.format(micros / 1e3)).append(" ms");
            }
            return toAppendTo.append(f.format(micros)).append(" µs");
        }

        @Override
        public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition pos) {
            return format((double) number, toAppendTo, pos);
        }

        @Override
        public Number parse(String source, ParsePosition parsePosition) {
            return null;
        }
    }

    /** Tick at n nines → its percentile: 0 → "0%", 1 → "90%", 2 → "99%", 3 → "99.9%". */
    private static final class PercentileFormat extends NumberFormat {
        @Override
        public StringBuffer format(double nines, StringBuffer toAppendTo, FieldPosition pos) {
            final double p = 100.0 - 100.0 / Math.pow(10, nines);
            return toAppendTo.append(new DecimalFormat("0.###").format(p)).append('%');
        }

        @Override
        public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition pos) {
            return format((double) number, toAppendTo, pos);
        }

        @Override
        public Number parse(String source, ParsePosition parsePosition) {
            return null;
        }
    }
}
