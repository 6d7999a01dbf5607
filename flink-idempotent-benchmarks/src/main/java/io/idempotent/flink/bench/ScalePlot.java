package io.idempotent.flink.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The scale benchmark's curves against the partition count: one line per stream and store. */
final class ScalePlot {

    private ScalePlot() {}

    static void write(Path png, List<ScaleBenchmark.Result> results) throws IOException {
        JFreeChart[] charts = {
            chart(
                    results,
                    "Throughput, steady (a running job drains a backlog)",
                    "thousand records/s",
                    r -> r.speed().steadyRecordsPerSecond() / 1000),
            chart(
                    results,
                    "Throughput, first to last delivery (bounded)",
                    "thousand records/s",
                    r -> r.speed().deliveringRecordsPerSecond() / 1000),
            chart(
                    results,
                    "Submit to first delivery",
                    "seconds",
                    r -> r.speed().firstDeliverySeconds()),
            chart(
                    results,
                    "Restore to first delivery",
                    "seconds",
                    r -> r.latency().recoverySeconds()),
            chart(results, "p99 latency (live)", "seconds", r -> r.latency().p99Millis() / 1000.0)
        };
        int width = 1000;
        int height = 420;
        BufferedImage image =
                new BufferedImage(width, height * charts.length, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillRect(0, 0, width, height * charts.length);
        for (int i = 0; i < charts.length; i++) {
            charts[i].draw(graphics, new Rectangle2D.Double(0, height * i, width, height));
        }
        graphics.dispose();
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(image, "png", png.toFile());
    }

    private static JFreeChart chart(
            List<ScaleBenchmark.Result> results,
            String title,
            String unit,
            ToDoubleFunction<ScaleBenchmark.Result> value) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (ScaleBenchmark.Result r : results) {
            String key =
                    r.source().name().toLowerCase(Locale.ROOT)
                            + " stream, "
                            + r.store().name().toLowerCase(Locale.ROOT)
                            + " store";
            XYSeries series;
            int index = dataset.getSeriesIndex(key);
            if (index < 0) {
                series = new XYSeries(key, true);
                dataset.addSeries(series);
            } else {
                series = dataset.getSeries(index);
            }
            double y = value.applyAsDouble(r);
            if (!Double.isNaN(y)) {
                series.add(r.partitions(), y);
            }
        }
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        title + " against the partition count",
                        "partitions",
                        unit,
                        dataset,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        XYPlot plot = chart.getXYPlot();
        LogAxis partitions = new LogAxis("partitions");
        partitions.setSmallestValue(1);
        partitions.setTickUnit(new NumberTickUnit(1));
        partitions.setNumberFormatOverride(new DecimalFormat("#,##0"));
        plot.setDomainAxis(partitions);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        return chart;
    }
}
