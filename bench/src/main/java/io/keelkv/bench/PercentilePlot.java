package io.keelkv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws HdrHistogram percentile distributions (.hgrm files) on one SVG: latency against percentile on
 * the usual log scale of 1/(1-p), so the tail (99%, 99.9%, 99.99%) is spread out. Both servers on the
 * same axes, one colour per server, one dash style per load level.
 *
 * <pre>PercentilePlot out.svg "title" label1=file1.hgrm label2=file2.hgrm ...</pre>
 */
public final class PercentilePlot
{
    private static final String[] COLOURS = {"#1f77b4", "#d62728"};
    private static final String[] DASHES = {"", "6,3", "2,2", "10,3,2,3"};

    public static void main(final String[] args) throws IOException
    {
        final Path out = Path.of(args[0]);
        final String title = args[1];
        final List<String> labels = new ArrayList<>();
        final List<double[][]> series = new ArrayList<>();
        double maxLatency = 1;
        for (int i = 2; i < args.length; i++)
        {
            final int eq = args[i].indexOf('=');
            labels.add(args[i].substring(0, eq));
            final double[][] points = read(Path.of(args[i].substring(eq + 1)));
            series.add(points);
            for (final double[] point : points)
            {
                maxLatency = Math.max(maxLatency, point[1]);
            }
        }
        final int width = 900;
        final int height = 520;
        final int left = 80;
        final int right = 220;
        final int top = 40;
        final int bottom = 60;
        final double maxX = 5; // up to 99.999%
        final double yMax = Math.pow(10, Math.ceil(Math.log10(maxLatency)));
        final double yMin = 10;
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='12'>%n",
            width, height));
        svg.append("<rect width='100%' height='100%' fill='white'/>\n");
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='24' font-size='15'>%s</text>%n", left, escape(title)));
        final int plotW = width - left - right;
        final int plotH = height - top - bottom;
        final String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i <= maxX; i++)
        {
            final double x = left + plotW * i / maxX;
            svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/>%n", x, top, x, top + plotH));
            svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>%n", x, top + plotH + 18, xLabels[i]));
        }
        for (double y = yMin; y <= yMax; y *= 10)
        {
            final double py = yPos(y, yMin, yMax, top, plotH);
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>%n", left, py, left + plotW, py));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' text-anchor='end'>%s</text>%n", left - 6, py + 4,
                y >= 1000 ? (long)(y / 1000) + " ms" : (long)y + " µs"));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>percentile</text>%n", left + plotW / 2, height - 16));
        for (int s = 0; s < series.size(); s++)
        {
            final String label = labels.get(s);
            final String colour = COLOURS[label.toLowerCase(Locale.ROOT).startsWith("redis") ? 1 : 0];
            final String dash = DASHES[(s / 2) % DASHES.length];
            final StringBuilder path = new StringBuilder();
            for (final double[] point : series.get(s))
            {
                final double x = Math.min(maxX, Math.log10(1 / (1 - Math.min(point[0], 0.999999))));
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f,%.1f",
                    left + plotW * x / maxX, yPos(Math.max(point[1], yMin), yMin, yMax, top, plotH)));
            }
            svg.append(String.format(Locale.ROOT, "<path d='%s' fill='none' stroke='%s' stroke-width='2'%s/>%n", path, colour,
                dash.isEmpty() ? "" : " stroke-dasharray='" + dash + "'"));
            final int ly = top + 16 + s * 18;
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'%s/>%n",
                width - right + 12, ly, width - right + 42, ly, colour, dash.isEmpty() ? "" : " stroke-dasharray='" + dash + "'"));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>%s</text>%n", width - right + 48, ly + 4, escape(label)));
        }
        svg.append("</svg>\n");
        Files.writeString(out, svg.toString(), StandardCharsets.UTF_8);
    }

    private static double yPos(final double value, final double min, final double max, final int top, final int plotH)
    {
        return top + plotH * (1 - (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)));
    }

    /** {percentile (0..1), latency µs} rows of HdrHistogram's percentile distribution output. */
    private static double[][] read(final Path file) throws IOException
    {
        final List<double[]> points = new ArrayList<>();
        for (final String line : Files.readAllLines(file))
        {
            final String[] f = line.trim().split("\\s+");
            if (f.length == 4 && !line.startsWith("#") && Character.isDigit(f[0].charAt(0)))
            {
                try
                {
                    points.add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[0])});
                }
                catch (final NumberFormatException ignore)
                {
                    // header lines
                }
            }
        }
        return points.toArray(new double[0][]);
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }
}
