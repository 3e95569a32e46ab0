package dev.atfork.itest.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@code java} of this JDK ({@code java.home}) in a separate process, bounded: the process is
 * killed when its time is up, and what it printed is collected as it comes.
 */
public final class JavaLauncher {

    /** The JVM option that lets the class path's JNA, or atfork's FFM binding, bind native code without a warning. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** How long the readers may still take once the process ended, for output its children still hold. */
    private static final long DRAIN_MILLIS = 10_000;

    private JavaLauncher() {
    }

    /** Where the JVM's stderr goes. */
    public enum Stderr {
        /** Into stdout, interleaved as written. */
        MERGED,
        /** Collected on its own, into {@link Result#stderr()}. */
        SEPARATE,
        /** To this JVM's stderr. */
        INHERITED
    }

    /**
     * What the JVM did.
     *
     * @param command the command line it ran
     * @param timedOut whether it was killed for running too long
     * @param exitCode its exit code, or -1 if it was killed
     * @param stdout what it printed on stdout (with stderr if {@link Stderr#MERGED})
     * @param stderr what it printed on stderr if {@link Stderr#SEPARATE}, else empty
     * @param millis how long it ran
     */
    public record Result(List<String> command, boolean timedOut, int exitCode, String stdout, String stderr,
            long millis) {
    }

    /** The command line of {@code java} with {@code args}, forcing the binding this JVM was told to. */
    public static List<String> command(List<String> args) {
        return command(Path.of(System.getProperty("java.home")), args);
    }

    /**
     * The command line of {@code bin/java} of {@code javaHome}, a JDK or a {@code jlink} image, with
     * {@code args}, forcing the binding this JVM was told to.
     */
    public static List<String> command(Path javaHome, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        String binding = System.getProperty(TestBinding.PROPERTY, "");
        if (!binding.isBlank()) {
            command.add("-D" + TestBinding.PROPERTY + "=" + binding);
        }
        command.addAll(args);
        return command;
    }

    /**
     * The command line that runs {@code mainClass} of this JVM's class path with native access
     * ({@link #NATIVE_ACCESS}) and {@code jvmOptions}.
     */
    public static List<String> classPathMain(Class<?> mainClass, List<String> jvmOptions, List<String> args) {
        return classPathMain(mainClass, System.getProperty("java.class.path"), jvmOptions, args);
    }

    /**
     * As {@link #classPathMain(Class, List, List)}, with {@code first} ahead of this JVM's class
     * path, so that its classes shadow those of the same name.
     */
    public static List<String> classPathMain(Class<?> mainClass, Path first, List<String> jvmOptions,
            List<String> args) {
        return classPathMain(mainClass, first + java.io.File.pathSeparator + System.getProperty("java.class.path"),
                jvmOptions, args);
    }

    private static List<String> classPathMain(Class<?> mainClass, String classPath, List<String> jvmOptions,
            List<String> args) {
        List<String> javaArgs = new ArrayList<>();
        javaArgs.add(NATIVE_ACCESS);
        javaArgs.addAll(jvmOptions);
        javaArgs.add("-cp");
        javaArgs.add(classPath);
        javaArgs.add(mainClass.getName());
        javaArgs.addAll(args);
        return command(javaArgs);
    }

    /** Runs {@code command} with stdin closed; see {@link #run(List, Stderr, Duration, Consumer)}. */
    public static Result run(List<String> command, Stderr stderr, Duration timeout)
            throws IOException, InterruptedException {
        return run(command, stderr, timeout, line -> { });
    }

    /**
     * Runs {@code command} with stdin closed and waits for it at most {@code timeout}, then kills it.
     *
     * @param onStdoutLine called with each line of stdout, without its newline, as it arrives
     */
    public static Result run(List<String> command, Stderr stderr, Duration timeout, Consumer<String> onStdoutLine)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        switch (stderr) {
            case MERGED -> builder.redirectErrorStream(true);
            case INHERITED -> builder.redirectError(ProcessBuilder.Redirect.INHERIT);
            case SEPARATE -> { }
        }
        long start = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        Collector out = new Collector(process.getInputStream(), onStdoutLine, "stdout");
        Collector err = stderr == Stderr.SEPARATE ? new Collector(process.getErrorStream(), line -> { }, "stderr") : null;
        boolean ended = false;
        try {
            ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (!ended) { // timed out, or the test was interrupted: a JVM left running may hold our stderr
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String stdoutText = out.text();
        String stderrText = err == null ? "" : err.text();
        return new Result(List.copyOf(command), !ended, ended ? process.exitValue() : -1, stdoutText, stderrText,
                millis);
    }

    /** Reads one stream on a daemon thread, passing each line on as it completes. */
    private static final class Collector {
        private final StringBuilder all = new StringBuilder();
        private final Thread thread;

        Collector(InputStream in, Consumer<String> onLine, String name) {
            thread = new Thread(() -> read(in, onLine), "java-launcher-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        private void read(InputStream in, Consumer<String> onLine) {
            StringBuilder line = new StringBuilder();
            char[] buffer = new char[8192];
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = reader.read(buffer)) > 0) {
                    synchronized (all) {
                        all.append(buffer, 0, n);
                    }
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1
                                    : line.length();
                            onLine.accept(line.substring(0, end));
                            line.setLength(0);
                        } else {
                            line.append(buffer[i]);
                        }
                    }
                }
            } catch (IOException e) {
                // the stream closed under us: what was read stands
            }
            if (line.length() > 0) {
                onLine.accept(line.toString());
            }
        }

        /** What was read, once the stream ended or {@link #DRAIN_MILLIS} passed. */
        String text() throws InterruptedException {
            thread.join(DRAIN_MILLIS);
            synchronized (all) {
                return all.toString();
            }
        }
    }
}
