package dev.atfork.posix;

import dev.atfork.testing.Forker;
import dev.atfork.testing.KnownLines;
import dev.atfork.testing.LineCheck;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lines of known content for the fork tests of streams: written by threads of the parent and by
 * forked children, then checked in what the destination holds: only whole lines, each exactly once.
 *
 * <p>The lines are {@link KnownLines}, checked by {@link LineCheck}: every line is
 * {@value KnownLines#LENGTH} bytes with its newline, so a stream's own chunking never splits a line:
 * a {@code BufferedWriter} flushes when its buffer is full, mid-line for other line lengths, and a
 * child writing between the two halves would tear that line whatever a library does.
 */
final class ForkedLines {

    /**
     * A child normally exits within 200 ms even with four writers busy; one that takes longer is
     * hung. Waiting longer would not turn a JVM hang into a stream hang or back: a protected child
     * is alone with fresh locks, so if it is parked on a Java lock at all, it is hung on it.
     */
    static final Duration HANG_TIMEOUT = Duration.ofSeconds(1);
    /** For unprotected controls, where children often hang on a stream and only the count matters. */
    static final Duration CONTROL_TIMEOUT = Duration.ofMillis(500);
    private static final String FORCED_RELEASE = "atfork: deadlock for ";

    private ForkedLines() {
    }

    /** Where lines go: one kind of stream, written with the calls a program would use. */
    interface Sink extends Closeable, Flushable {
        /** Writes {@code text} in one call. */
        void write(String text) throws IOException;

        /**
         * Writes {@code line} and a newline in one call. (With two calls, writers of the parent
         * would interleave lines whether or not anyone forks.)
         */
        default void writeLine(String line) throws IOException {
            write(line.concat("\n"));
        }
    }

    /** A sink writing UTF-8 to {@code out}. */
    static Sink sink(OutputStream out) {
        return sink(out, text -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** A sink writing to {@code out}. */
    static Sink sink(Writer out) {
        return sink(out, out::write);
    }

    /** Writes text in one call. */
    private interface Write {
        void write(String text) throws IOException;
    }

    /** A sink that writes with {@code write} and flushes and closes {@code target}. */
    private static <T extends Closeable & Flushable> Sink sink(T target, Write write) {
        return new Sink() {
            @Override
            public void write(String text) throws IOException {
                write.write(text);
            }

            @Override
            public void flush() throws IOException {
                target.flush();
            }

            @Override
            public void close() throws IOException {
                target.close();
            }
        };
    }

    /** A sink that prints to {@code out}, lines with {@code println}. */
    static Sink sink(PrintStream out) {
        return new Sink() {
            @Override
            public void write(String text) {
                out.print(text);
            }

            @Override
            public void writeLine(String line) {
                out.println(line);
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }

    /**
     * Child action: marks "B", allocates what the write will, marks "C", writes {@code line} through
     * {@code sink} and flushes (the child ends with {@code _exit}), marks "A"; see {@link StreamFixture}.
     */
    static Forker.ChildAction writeInChild(Sink sink, String line) {
        return fd -> {
            Forker.write(fd, StreamFixture.BEFORE);
            if (line.concat("\n").getBytes(StandardCharsets.UTF_8).length == 0) {
                throw new IllegalStateException();
            }
            Forker.write(fd, StreamFixture.ALLOCATED);
            sink.writeLine(line);
            sink.flush();
            Forker.write(fd, StreamFixture.AFTER);
            return 0;
        };
    }

    /** Threads that write numbered lines through a sink without pause until stopped. */
    static final class Writers {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final long[] written;
        private volatile Throwable failure;

        Writers(Sink sink, int count) {
            written = new long[count];
            for (int i = 0; i < count; i++) {
                int id = i;
                Thread thread = new Thread(() -> {
                    long seq = 0;
                    try {
                        while (!stop.get()) {
                            sink.writeLine(KnownLines.parentLine(id, seq));
                            written[id] = ++seq;
                        }
                    } catch (Throwable e) {
                        failure = e;
                    }
                }, "line-writer-" + i);
                thread.setDaemon(true);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
        }

        /** Stops the threads; returns how many lines each wrote. */
        long[] stop() throws InterruptedException {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(10_000);
                if (thread.isAlive()) {
                    throw new AssertionError(thread.getName() + " did not stop");
                }
            }
            if (failure != null) {
                throw new AssertionError("a writer failed", failure);
            }
            return written.clone();
        }
    }

    /**
     * Forks children that each write their own line, and keeps what they did. Before the first
     * fork the parent runs the child action once itself, through the same sink, so that a child
     * finds all it uses resolved; that warm-up line is the extra child {@code forks}, written once.
     */
    static final class Forks {
        final int count;
        int ok;
        int streamHangs;
        int jvmHangs;
        int forcedReleases;
        /** Per child: how often its line must be found (-1: once or not at all), and where else it went. */
        private final int[] expected;
        private final int[] elsewhere;
        private final List<String> notes = new ArrayList<>();

        Forks(int count) {
            this.count = count;
            expected = new int[count + 1];
            elsewhere = new int[count + 1];
        }

        /**
         * Runs the forks. {@code forcedLineDropped}: whether a child whose stream lock could not be
         * taken writes its line to a sink that drops it (else to the same destination, or to its
         * captured stdout for {@code System.out}).
         */
        Forks run(Sink sink, Duration timeout, boolean forcedLineDropped) throws Exception {
            writeInChild(sink, KnownLines.childLine(count)).run(-1);
            expected[count] = 1;
            for (int i = 0; i < count; i++) {
                String line = KnownLines.childLine(i);
                Forker.Result result = Forker.fork(writeInChild(sink, line), timeout, Forker.Capture.BOTH);
                String outcome = StreamFixture.outcome(result);
                boolean forced = result.stderrText().contains(FORCED_RELEASE);
                forcedReleases += forced ? 1 : 0;
                elsewhere[i] = occurrences(result.stdoutText(), line.concat("\n"));
                switch (outcome) {
                    case "ok":
                        ok++;
                        expected[i] = forced && forcedLineDropped ? 0 : 1;
                        break;
                    case "stream":
                        streamHangs++;
                        expected[i] = -1;
                        notes.add("child " + i + " hung on a stream: " + result);
                        break;
                    default:
                        jvmHangs++;
                        expected[i] = -1;
                        notes.add("child " + i + " hung in the JVM: " + result);
                        break;
                }
            }
            return this;
        }

        String rates() {
            return String.format("%d forks: %d ok, %d hung on a stream, %d hung in the JVM, %d forced releases",
                    count, ok, streamHangs, jvmHangs, forcedReleases);
        }

        /** A line naming the children that hung in the JVM and the marks they reached; empty if none did. */
        String jvmHangs() {
            StringBuilder text = new StringBuilder();
            for (String note : notes) {
                if (note.contains("hung in the JVM")) {
                    text.append(text.length() == 0 ? "  JVM hangs: " : "; ").append(note, 0, note.indexOf(':'))
                            .append(" (marks ").append(note, note.indexOf("report=") + 7, note.indexOf(", stdout=")).append(')');
                }
            }
            return text.length() == 0 ? "" : text.append(System.lineSeparator()).toString();
        }

        List<String> notes() {
            return notes;
        }

        /** Checks what {@code file} holds against these children and the parent's {@code written} lines. */
        LineCheck check(Path file, long[] written) throws IOException {
            return LineCheck.of(file, written, expected, elsewhere);
        }
    }

    static int occurrences(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            n++;
        }
        return n;
    }
}
