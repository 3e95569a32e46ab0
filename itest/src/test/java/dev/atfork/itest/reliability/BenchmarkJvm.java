package dev.atfork.itest.reliability;

import dev.atfork.itest.support.JavaLauncher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark's measurement in a child JVM: the heap every such JVM gets, and a bounded run that
 * collects the {@code key=value} lines the child prints.
 */
final class BenchmarkJvm {

    /**
     * Every child JVM's heap: {@code -Dforkcost.heap=SIZE} (default 256m). With
     * {@code -Dforkcost.pretouch=true} on the driver the heap is resident from the start, as in a
     * long-running server, rather than only what the JVM touched.
     */
    static final List<String> HEAP = heapOptions(System.getProperty("forkcost.heap", "256m"),
            Boolean.getBoolean("forkcost.pretouch"));

    private BenchmarkJvm() {
    }

    private static List<String> heapOptions(String size, boolean pretouch) {
        List<String> options = new ArrayList<>(List.of("-Xms" + size, "-Xmx" + size));
        if (pretouch) {
            options.add("-XX:+AlwaysPreTouch");
        }
        return List.copyOf(options);
    }

    /**
     * Runs {@code command} (its stderr inherited), killing it after {@code timeoutSeconds}; returns
     * its {@code key=value} lines, plus {@code readyAtNanos} when a {@code ready=} line came.
     *
     * @throws IllegalStateException if it timed out or exited other than 0
     */
    static List<String> run(List<String> command, long timeoutSeconds) throws Exception {
        List<String> lines = new ArrayList<>();
        JavaLauncher.Result result = JavaLauncher.run(command, JavaLauncher.Stderr.INHERITED,
                Duration.ofSeconds(timeoutSeconds), line -> {
                    if (line.startsWith("ready=")) {
                        lines.add("readyAtNanos=" + System.nanoTime());
                    }
                    if (line.contains("=")) {
                        lines.add(line);
                    }
                });
        if (result.timedOut()) {
            throw new IllegalStateException("child JVM did not end in " + timeoutSeconds + " s: " + result.command());
        }
        if (result.exitCode() != 0) {
            throw new IllegalStateException("child JVM exited " + result.exitCode() + ": " + lines);
        }
        return lines;
    }

    /** The value of {@code key} in {@code lines}; throws naming the key if there is none. */
    static String value(List<String> lines, String key) {
        String value = value(lines, key, null);
        if (value == null) {
            throw new IllegalStateException("no " + key + " in " + lines);
        }
        return value;
    }

    /** The value of {@code key} in {@code lines}, or {@code otherwise}. */
    static String value(List<String> lines, String key, String otherwise) {
        for (String line : lines) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1);
            }
        }
        return otherwise;
    }
}
