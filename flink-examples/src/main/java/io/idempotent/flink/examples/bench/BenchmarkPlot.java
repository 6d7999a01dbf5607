package io.idempotent.flink.examples.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** Draws the benchmark's results into one PNG: throughput per variant, latency per variant. */
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
        int width = 1000;
        int height = 60 + 28 * Math.max(throughput.size(), 2 * latency.size());
        BufferedImage image = new BufferedImage(width, height * 2, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, width, height * 2);
        left.draw(graphics, new Rectangle2D.Double(0, 0, width, height));
        right.draw(graphics, new Rectangle2D.Double(0, height, width, height));
        graphics.dispose();
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(image, "png", png.toFile());
    }
}
