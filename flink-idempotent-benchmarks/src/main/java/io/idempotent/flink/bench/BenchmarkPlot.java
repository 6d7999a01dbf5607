package io.idempotent.flink.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws the benchmark's results into one PNG: throughput per variant, latency per variant, and p99
 * latency against the checkpoint interval for every variant measured at more than one interval.
 */
final class BenchmarkPlot {

    private BenchmarkPlot() {}

    static void write(Path png, Map<Variant, Double> throughput, Map<Variant, long[]> latency)
            throws IOException {
        DefaultCategoryDataset rates = new DefaultCategoryDataset();
        throughput.forEach(
                (variant, rate) -> rates.addValue(rate / 1000.0, "records/s", variant.name()));
        JFreeChart left =
                ChartFactory.createBarChart(
                        "Throughput (thousand records/s)",
                        null,
                        "thousand records/s",
                        rates,
                        PlotOrientation.HORIZONTAL,
                        false,
                        false,
                        false);
        DefaultCategoryDataset delays = new DefaultCategoryDataset();
        latency.forEach(
                (variant, p) -> {
                    delays.addValue(p[0] / 1000.0, "p50", variant.nameWithInterval());
                    delays.addValue(p[1] / 1000.0, "p99", variant.nameWithInterval());
                });
        JFreeChart right =
                ChartFactory.createBarChart(
                        "End-to-end latency (s)",
                        null,
                        "seconds",
                        delays,
                        PlotOrientation.HORIZONTAL,
                        true,
                        false,
                        false);
        JFreeChart byInterval = latencyByInterval(latency);
        int width = 1000;
        int height = 60 + 28 * Math.max(throughput.size(), 2 * latency.size());
        int lines = 500;
        BufferedImage image =
                new BufferedImage(width, height * 2 + lines, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, width, height * 2 + lines);
        left.draw(graphics, new Rectangle2D.Double(0, 0, width, height));
        right.draw(graphics, new Rectangle2D.Double(0, height, width, height));
        byInterval.draw(graphics, new Rectangle2D.Double(0, height * 2, width, lines));
        graphics.dispose();
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(image, "png", png.toFile());
    }

    /** A log axis from {@code low} to {@code high}, a tick at each power of ten. */
    private static LogAxis decades(String label, double low, double high) {
        LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(low);
        axis.setRange(low, high);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setNumberFormatOverride(new DecimalFormat("0.##"));
        return axis;
    }

    /** p99 latency against the checkpoint interval, both on log scales: one line per variant. */
    private static JFreeChart latencyByInterval(Map<Variant, long[]> latency) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        latency.forEach(
                (variant, p) ->
                        series.computeIfAbsent(variant.name(), name -> new XYSeries(name, true))
                                .add(
                                        variant.checkpointInterval().toMillis() / 1000.0,
                                        Math.max(p[1], 1) / 1000.0));
        XYSeriesCollection dataset = new XYSeriesCollection();
        series.values().stream().filter(s -> s.getItemCount() > 1).forEach(dataset::addSeries);
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        "p99 latency against the checkpoint interval",
                        "checkpoint interval (s)",
                        "p99 latency (s)",
                        dataset,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        XYPlot plot = chart.getXYPlot();
        plot.setDomainAxis(decades("checkpoint interval (s)", 0.5, 100));
        // Fixed, so that a flat line looks flat and one that follows the interval climbs.
        plot.setRangeAxis(decades("p99 latency (s)", 0.01, 100));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        plot.setRenderer(renderer);
        return chart;
    }
}
