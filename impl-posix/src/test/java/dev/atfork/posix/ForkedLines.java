package dev.atfork.posix;

import dev.atfork.testing.Forker;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lines of known content for the fork tests of streams: written by threads of the parent and by
 * forked children, then checked in what the destination holds: only whole lines, each exactly once.
 *
 * <p>Every line is {@value #LENGTH} bytes with its newline, a size that divides every buffer size
 * of the JDK's streams (512 to 8192), so a stream's own chunking never splits a line: a
 * {@code BufferedWriter} flushes when its buffer is full, mid-line for other line lengths, and a
 * child writing between the two halves would tear that line whatever a library does.
 */
final class ForkedLines {

    /** Bytes in a line, its newline included. */
    static final int LENGTH = 64;
    /**
     * A child normally exits within 200 ms even with four writers busy; one that takes longer is
     * hung. Waiting longer would not turn a JVM hang into a stream hang or back: a protected child
     * is alone with fresh locks, so if it is parked on a Java lock at all, it is hung on it.
     */
    static final Duration HANG_TIMEOUT = Duration.ofSeconds(1);
    /** For unprotected controls, where children often hang on a stream and only the count matters. */
    static final Duration CONTROL_TIMEOUT = Duration.ofMillis(500);
    private static final String FILLER = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
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
        return new Sink() {
            @Override
            public void write(String text) throws IOException {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    /** A sink writing to {@code out}. */
    static Sink sink(Writer out) {
        return new Sink() {
            @Override
            public void write(String text) throws IOException {
                out.write(text);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
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

    /** Line {@code seq} of parent thread {@code thread}, without its newline. */
    static String parentLine(int thread, long seq) {
        return fill("T".concat(Integer.toString(thread)).concat("-").concat(pad(seq, 8)).concat("-"));
    }

    /** The line of child {@code child}, without its newline. */
    static String childLine(int child) {
        return fill("C".concat(pad(child, 4)).concat("-"));
    }

    private static String fill(String prefix) {
        return prefix.concat(FILLER.substring(0, LENGTH - 1 - prefix.length()));
    }

    private static String pad(long n, int width) {
        String digits = Long.toString(n);
        return "0".repeat(width - digits.length()).concat(digits);
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
                            sink.writeLine(parentLine(id, seq));
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
            writeInChild(sink, childLine(count)).run(-1);
            expected[count] = 1;
            for (int i = 0; i < count; i++) {
                String line = childLine(i);
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
    }

    /** What a destination holds, against what the parent's writers and the children wrote. */
    static final class Check {
        int lines;
        int torn;
        int parentDuplicates;
        int parentMissing;
        int childDuplicates;
        int childMismatches;
        final List<String> samples = new ArrayList<>();

        static Check of(Path file, long[] written, Forks forks) throws IOException {
            Check check = new Check();
            BitSet[] seen = new BitSet[written.length];
            for (int t = 0; t < seen.length; t++) {
                seen[t] = new BitSet();
            }
            int[] found = new int[forks.expected.length];
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 16)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    check.lines++;
                    if (!check.parent(line, written, seen) && !child(line, found)) {
                        check.tear(line);
                    }
                }
            }
            if (Files.size(file) > 0 && lastByte(file) != '\n') {
                check.tear("(the destination ends in the middle of a line)");
            }
            for (int t = 0; t < written.length; t++) {
                check.parentMissing += (int) (written[t] - seen[t].cardinality());
            }
            for (int i = 0; i < found.length; i++) {
                int n = found[i] + forks.elsewhere[i];
                if (n > 1) {
                    check.childDuplicates += n - 1;
                }
                boolean right = forks.expected[i] < 0 ? n <= 1 : n == forks.expected[i];
                if (!right) {
                    check.childMismatches++;
                    check.sample("child " + i + ": line found " + n + " times, expected "
                            + (forks.expected[i] < 0 ? "at most once (hung child)" : forks.expected[i]));
                }
            }
            return check;
        }

        private boolean parent(String line, long[] written, BitSet[] seen) {
            if (line.length() != LENGTH - 1 || line.charAt(0) != 'T' || line.charAt(2) != '-') {
                return false;
            }
            int thread = line.charAt(1) - '0';
            long seq;
            try {
                seq = Long.parseLong(line.substring(3, 11));
            } catch (NumberFormatException e) {
                return false;
            }
            if (thread < 0 || thread >= written.length || seq >= written[thread] || !line.equals(parentLine(thread, seq))) {
                return false;
            }
            if (seen[thread].get((int) seq)) {
                parentDuplicates++;
                sample("parent line again: " + line);
            } else {
                seen[thread].set((int) seq);
            }
            return true;
        }

        private static boolean child(String line, int[] found) {
            if (line.length() != LENGTH - 1 || line.charAt(0) != 'C') {
                return false;
            }
            int child;
            try {
                child = Integer.parseInt(line.substring(1, 5));
            } catch (NumberFormatException e) {
                return false;
            }
            if (child >= found.length || !line.equals(childLine(child))) {
                return false;
            }
            found[child]++;
            return true;
        }

        private void tear(String line) {
            torn++;
            sample("torn: " + line);
        }

        private void sample(String text) {
            if (samples.size() < 3) {
                samples.add(text);
            }
        }

        /** Everything that should not be there, or should be and is not. */
        int defects() {
            return torn + parentDuplicates + parentMissing + childMismatches;
        }

        /** The counts, without samples. */
        String summary() {
            return String.format("%d lines: %d torn, %d parent lines repeated, %d missing, %d child lines repeated,"
                            + " %d children with the wrong count", lines, torn, parentDuplicates, parentMissing,
                    childDuplicates, childMismatches);
        }

        @Override
        public String toString() {
            return summary() + (samples.isEmpty() ? "" : " " + samples);
        }

        private static int lastByte(Path file) throws IOException {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                raf.seek(raf.length() - 1);
                return raf.read();
            }
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
