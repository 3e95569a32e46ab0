package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.testing.Forker;
import dev.atfork.testing.LineCheck;
import dev.atfork.testing.PipeDrain;
import dev.atfork.testing.TestLibC;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.FileWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Streams protected with {@code watch(...)}, across real forks, against the same streams unwatched. */
class WatchedStreamForkTest {

    private static final int WRITERS = 4;
    private static final int BASELINE_FORKS = 10;
    private static final int PROTECTED_FORKS = 100;
    private static final String FORCED_RELEASE = "atfork: deadlock for ";
    private final AtforkService service = new PosixAtforkService();

    /** The streams under test: how to open one on a file, unwatched or through a view. */
    enum Kind {
        /** {@code watch(new FileOutputStream(f))}: no buffer, no lock; after a forced release the child writes to the same fd. */
        FILE_OUTPUT_STREAM(false) {
            @Override
            ForkedLines.Sink open(Path file, AtforkService watcher) throws IOException {
                OutputStream out = new FileOutputStream(file.toFile());
                return ForkedLines.sink(watcher == null ? out : watcher.watch(out));
            }
        },
        /** {@code watch(new BufferedOutputStream(new FileOutputStream(f)))}. */
        BUFFERED_OUTPUT_STREAM(true) {
            @Override
            ForkedLines.Sink open(Path file, AtforkService watcher) throws IOException {
                OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()));
                return ForkedLines.sink(watcher == null ? out : watcher.watch(out));
            }
        },
        /** {@code watch(new BufferedWriter(new FileWriter(f)))}. */
        BUFFERED_WRITER(true) {
            @Override
            ForkedLines.Sink open(Path file, AtforkService watcher) throws IOException {
                Writer out = new BufferedWriter(new FileWriter(file.toFile(), StandardCharsets.UTF_8));
                return ForkedLines.sink(watcher == null ? out : watcher.watch(out));
            }
        },
        /** {@code watch(new PrintStream(new BufferedOutputStream(new FileOutputStream(f)), false))}. */
        PRINT_STREAM(true) {
            @Override
            ForkedLines.Sink open(Path file, AtforkService watcher) throws IOException {
                PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(file.toFile())), false);
                return ForkedLines.sink(watcher == null ? out : watcher.watch(out));
            }
        },
        /** {@code watch(watch(new FileOutputStream(f)))}: a view of a view is the view itself. */
        VIEW_OF_A_VIEW(false) {
            @Override
            ForkedLines.Sink open(Path file, AtforkService watcher) throws IOException {
                OutputStream out = new FileOutputStream(file.toFile());
                return ForkedLines.sink(watcher == null ? out : watcher.watch(watcher.watch(out)));
            }
        },
        /** {@code watch(new PrintStream(watch(new BufferedOutputStream(...))))}: layered through a stream of the user's. */
        LAYERED_VIEWS(true) {
            @Override
            ForkedLines.Sink open(Path file, AtforkService watcher) throws IOException {
                OutputStream buffered = new BufferedOutputStream(new FileOutputStream(file.toFile()));
                OutputStream inner = watcher == null ? buffered : watcher.watch(buffered);
                PrintStream out = new PrintStream(inner, false);
                return ForkedLines.sink(watcher == null ? out : watcher.watch(out));
            }
        };

        /** Whether a child whose lock could not be taken writes to a sink that drops its output. */
        final boolean forcedLineDropped;

        Kind(boolean forcedLineDropped) {
            this.forcedLineDropped = forcedLineDropped;
        }

        /** Opens the stream on {@code file}; through {@code watcher.watch(...)} unless it is null. */
        abstract ForkedLines.Sink open(Path file, AtforkService watcher) throws IOException;
    }

    /**
     * 100 forks while four threads write lines without pause: no child hangs on the stream, and the
     * file holds only whole lines, each exactly once. The baseline is the same stream, unwatched.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void childrenForkedWhileFourThreadsWriteNeverHangAndLeaveOnlyWholeLinesEachOnce(Kind kind, @TempDir Path dir)
            throws Exception {
        Run baseline = run(kind, dir.resolve("unwatched.txt"), false, BASELINE_FORKS, ForkedLines.CONTROL_TIMEOUT);
        Run watched = run(kind, dir.resolve("watched.txt"), true, PROTECTED_FORKS, ForkedLines.HANG_TIMEOUT);
        System.err.printf("watched %s: unwatched %s; %s%n", kind, baseline.forks.rates(), baseline.check.summary());
        System.err.printf("watched %s: watched %s; %s%n", kind, watched.forks.rates(), watched.check.summary());
        System.err.print(watched.forks.jvmHangs());

        assertEquals(0, watched.forks.streamHangs, () -> "children hung on the watched stream: " + watched.forks.notes());
        assertEquals(0, watched.check.defects(), watched.check::toString);
        assertEquals(0, watched.check.childDuplicates(), watched.check::toString);
        if (kind == Kind.VIEW_OF_A_VIEW || kind == Kind.LAYERED_VIEWS) {
            // Each fork takes the outer lock before the inner one, as writers do: none waits out its bound.
            assertEquals(0, watched.forks.forcedReleases, watched.forks::rates);
        }
        if (kind != Kind.FILE_OUTPUT_STREAM && kind != Kind.VIEW_OF_A_VIEW) {
            // A raw FileOutputStream has neither lock nor buffer: unwatched children do fine there too.
            assertTrue(baseline.check.defects() + baseline.forks.streamHangs > 0,
                    () -> "the unwatched baseline saw neither repeated lines nor hangs: " + baseline.check);
        }
    }

    /**
     * The parent writes "partial" without newline or flush and forks; the child writes a line and
     * exits. The file holds "partial" once; unwatched, the child writes the inherited buffer too.
     */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"BUFFERED_OUTPUT_STREAM", "BUFFERED_WRITER", "PRINT_STREAM"})
    void nothingBufferedIsWrittenTwice(Kind kind, @TempDir Path dir) throws Exception {
        assertEquals(2, countPartial(kind, dir, false), "control: the unwatched child writes the parent's buffer");
        assertEquals(1, countPartial(kind, dir, true));
    }

    /**
     * A thread is blocked inside {@code write(2)} to a watched FileOutputStream on a full pipe when
     * the fork comes: the fork waits only for the bound, the child reports the forced release on
     * stderr, and its own write goes to the spare over the same fd, whole and once. The parent
     * starts reading the pipe only once the fork is done, so the writer is surely stuck at prepare.
     */
    @Test
    void aWriterStuckInAWatchedFileOutputStreamIsReleasedInTheChildWithinTheBound() throws Exception {
        for (int attempt = 1; ; attempt++) {
            StuckFork stuck = forkWhileAWriterIsStuck();
            Forker.Result result = stuck.result;
            if (result.hung() && !result.blockedOn().equals("lock") && attempt < 3) {
                System.err.println("stuck watched writer: the child hung in the JVM, trying again: " + result);
                continue;
            }
            long forkMillis = result.forkNanos() / 1_000_000;
            System.err.printf("stuck watched writer: fork took %d ms with a 100 ms bound%n", forkMillis);
            assertTrue(result.exited(0) && result.reportText().equals("BA"), result::toString);
            assertTrue(forkMillis >= 90 && forkMillis < 1_000, "fork took " + forkMillis + " ms");
            assertTrue(result.stderrText().contains(FORCED_RELEASE + stuck.name + ", releasing\n"), result::toString);
            int childLines = 0;
            for (String line : stuck.piped.split("\n", -1)) {
                if (line.equals(CHILD_LINE)) {
                    childLines++;
                } else if (!line.equals(X_LINE) && !line.isEmpty()) {
                    throw new AssertionError("torn line in the pipe: " + line.length() + " chars, " + line);
                }
            }
            assertTrue(stuck.piped.endsWith("\n"), "the pipe ends mid-line");
            assertEquals(1, childLines, "the child's line in the pipe");
            return;
        }
    }

    /**
     * A watched BufferedWriter holds bytes when the fork comes, and its pipe is full, so flushing
     * it blocks: the prepare phase waits for that flush only up to its bound. The child gets the
     * stream as a forced release, the parent's System.out stays usable, and the parent's buffered
     * bytes reach the pipe exactly once when it is read.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFlushStuckOnAFullPipeDelaysTheForkOnlyByTheBound() throws Exception {
        int[] fds = new int[2];
        assertEquals(0, TestLibC.pipe(fds), "pipe");
        int readFd = fds[0];
        int writeFd = fds[1];
        CountDownLatch read = new CountDownLatch(1);
        PipeDrain piped = new PipeDrain(readFd, read);
        AtomicLong filled = new AtomicLong();
        FileOutputStream filler = new FileOutputStream("/proc/self/fd/" + writeFd);
        Thread fill = new Thread(() -> {
            byte[] xLine = X_LINE.concat("\n").getBytes(StandardCharsets.US_ASCII);
            try {
                while (read.getCount() > 0) {
                    filler.write(xLine);
                    filled.incrementAndGet();
                }
            } catch (IOException e) {
                // closed
            }
        }, "pipe-filler");
        fill.setDaemon(true);
        Writer view = null;
        try (StreamFixture fixture = new StreamFixture()) {
            service.register();
            view = service.watch(new BufferedWriter(new FileWriter("/proc/self/fd/" + writeFd, StandardCharsets.US_ASCII)));
            Writer child = view;
            Forker.ChildAction writeInChild = fd -> {
                Forker.write(fd, StreamFixture.BEFORE);
                child.write(CHILD_LINE);
                child.flush();
                Forker.write(fd, StreamFixture.AFTER);
                return 0;
            };
            fill.start();
            StuckPipe.awaitStuck(filled);
            view.write("parent partial\n");
            Forker.Result result = Forker.forkRetryingJvmHangs(() -> { }, writeInChild, Duration.ofSeconds(10),
                    Forker.Capture.STDERR);
            long forkMillis = result.forkNanos() / 1_000_000;
            System.err.printf("flush stuck on a full pipe: fork took %d ms with a 100 ms bound%n", forkMillis);
            assertTrue(forkMillis < 1_000, "fork took " + forkMillis + " ms");
            assertTrue(result.exited(0) && result.reportText().equals("BA"), result::toString);
            assertTrue(result.stderrText().contains(FORCED_RELEASE), result::toString);
            Thread printer = new Thread(() -> System.out.println("the parent's System.out is free"), "printer");
            printer.start();
            printer.join(5_000);
            assertFalse(printer.isAlive(), "System.out stayed locked in the parent");
        } finally {
            service.deregister();
            read.countDown();
            fill.join(10_000);
            if (view != null) {
                view.close();
            }
            filler.close();
            TestLibC.close(writeFd);
        }
        String text = piped.text();
        assertEquals(1, ForkedLines.occurrences(text, "parent partial\n"), "the parent's buffered line in the pipe");
        assertEquals(0, ForkedLines.occurrences(text, CHILD_LINE), "the child's line went to the dropping spare");
    }

    private static final String CHILD_LINE = "child line";
    private static final String X_LINE = "x".repeat(1023);

    private StuckFork forkWhileAWriterIsStuck() throws Exception {
        int[] fds = new int[2];
        assertEquals(0, TestLibC.pipe(fds), "pipe");
        int readFd = fds[0];
        int writeFd = fds[1];
        FileOutputStream raw = new FileOutputStream("/proc/self/fd/" + writeFd);
        CountDownLatch forked = new CountDownLatch(1);
        PipeDrain piped = new PipeDrain(readFd, forked);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lines = new AtomicLong();
        Forker.Result result;
        try (StreamFixture fixture = new StreamFixture()) {
            service.register();
            OutputStream view = service.watch(raw);
            Registration afterFork = service.afterForkParent(forked::countDown);
            Thread writer = null;
            try {
                byte[] xLine = X_LINE.concat("\n").getBytes(StandardCharsets.US_ASCII);
                byte[] childLine = CHILD_LINE.concat("\n").getBytes(StandardCharsets.US_ASCII);
                // Warm-up on a throwaway view: the same action on the real one would fill the pipe.
                writeOnce(service.watch(OutputStream.nullOutputStream()), childLine).run(-1);
                writer = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            view.write(xLine);
                            lines.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // the view was closed
                    }
                }, "stuck-watched-writer");
                writer.setDaemon(true);
                writer.start();
                StuckPipe.awaitStuck(lines);
                result = Forker.fork(writeOnce(view, childLine), Duration.ofSeconds(10), Forker.Capture.STDERR);
            } finally {
                forked.countDown();
                stop.set(true);
                if (writer != null) {
                    writer.join(10_000);
                }
                afterFork.close();
                service.deregister();
                view.close();
                TestLibC.close(writeFd);
            }
        }
        return new StuckFork(result, "watched " + raw, piped.text());
    }

    /** Child action: marks "B", writes {@code line} through {@code view} and flushes, marks "A". */
    private static Forker.ChildAction writeOnce(OutputStream view, byte[] line) {
        return fd -> {
            Forker.write(fd, StreamFixture.BEFORE);
            view.write(line);
            view.flush();
            Forker.write(fd, StreamFixture.AFTER);
            return 0;
        };
    }

    private record StuckFork(Forker.Result result, String name, String piped) {
    }

    private Run run(Kind kind, Path file, boolean watch, int forkCount, Duration timeout) throws Exception {
        ForkedLines.Forks forks = new ForkedLines.Forks(forkCount);
        long[] written;
        try (StreamFixture fixture = new StreamFixture()) {
            if (watch) {
                service.register();
            }
            ForkedLines.Sink sink = kind.open(file, watch ? service : null);
            try {
                ForkedLines.Writers writers = new ForkedLines.Writers(sink, WRITERS);
                try {
                    forks.run(sink, timeout, kind.forcedLineDropped);
                } finally {
                    written = writers.stop();
                }
                sink.flush();
            } finally {
                service.deregister();
                sink.close();
            }
        }
        return new Run(forks, forks.check(file, written));
    }

    private record Run(ForkedLines.Forks forks, LineCheck check) {
    }

    /** Counts "partial" in the file; tries again, on a fresh file, if the child hung in the JVM. */
    private int countPartial(Kind kind, Path dir, boolean watch) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path file = dir.resolve((watch ? "watched-" : "unwatched-") + attempt + ".txt");
            String outcome;
            try (StreamFixture fixture = new StreamFixture()) {
                if (watch) {
                    service.register();
                }
                try {
                    try (ForkedLines.Sink warmUp = kind.open(Path.of("/dev/null"), watch ? service : null)) {
                        warmUp.write("partial");
                        ForkedLines.writeInChild(warmUp, CHILD_LINE).run(-1);
                    }
                    try (ForkedLines.Sink sink = kind.open(file, watch ? service : null)) {
                        sink.write("partial");
                        Forker.Result result = Forker.fork(ForkedLines.writeInChild(sink, CHILD_LINE), ForkedLines.HANG_TIMEOUT);
                        outcome = StreamFixture.outcome(result);
                        if (outcome.equals("jvm") && attempt < 3) {
                            System.err.println(kind + ": the child hung in the JVM, trying again: " + result);
                            continue;
                        }
                        assertEquals("ok", outcome, result::toString);
                    }
                } finally {
                    service.deregister();
                }
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertEquals(1, ForkedLines.occurrences(text, CHILD_LINE + "\n"), text);
            return ForkedLines.occurrences(text, "partial");
        }
    }
}
