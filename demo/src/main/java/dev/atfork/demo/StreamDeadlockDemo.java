package dev.atfork.demo;

import dev.atfork.AtforkService;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Forks this JVM N times while four threads print to {@code System.out} without pause, first
 * without protection, then after {@code AtforkService.register()}, and prints a summary table.
 *
 * <p>Each child prints one line through {@code System.out} and ends with {@code _exit(0)}. The
 * parent waits for each child with a timeout and kills the ones that hang. Without protection a
 * child hangs whenever a printer held {@code System.out}'s lock at the fork; with atfork it does
 * not. Some children hang in the JVM itself, on a JVM-internal lock that another thread held at the
 * fork; the table counts them apart, using the child's progress marks and /proc/PID/syscall.
 *
 * <p>Settings, as system properties or {@code key=value} arguments: {@code demo.forks} (forks per
 * mode, default 50), {@code demo.timeoutMillis} (how long a child may take, default 2000),
 * {@code demo.printers} (default 4). The exit status is non-zero only if something is broken:
 * a protected child hung on a stream, a child failed, or forking is not possible here.
 */
public final class StreamDeadlockDemo {

    private static final String CHILD_LINE = "child: hello from the child";
    private static final byte[] ARRIVED = {'B'};
    private static final byte[] ALLOCATED = {'C'};
    private static final byte[] PRINTED = {'A'};
    /** At most this many children wait at once; more forks wait for the oldest to end or time out. */
    private static final int MAX_WAITING = 64;

    /** Progress and results: fd 1, captured before the printers' phase sends System.out to /dev/null. */
    private final PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    private final int forks;
    private final long timeoutNanos;
    private final int printers;

    private StreamDeadlockDemo(int forks, long timeoutMillis, int printers) {
        this.forks = forks;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.printers = printers;
    }

    /**
     * Runs the demo.
     *
     * @param args optional {@code demo.forks=N}, {@code demo.timeoutMillis=N}, {@code demo.printers=N}
     */
    public static void main(String[] args) {
        StreamDeadlockDemo demo = new StreamDeadlockDemo(
                setting(args, "demo.forks", 50, 1),
                setting(args, "demo.timeoutMillis", 2000, 100),
                setting(args, "demo.printers", 4, 1));
        boolean ok;
        try {
            ok = demo.run();
        } catch (RuntimeException | Error e) {
            demo.console.println("demo failed: " + e);
            e.printStackTrace(demo.console);
            ok = false;
        }
        System.exit(ok ? 0 : 1);
    }

    private boolean run() {
        AtforkService atfork = AtforkService.load();
        if (!atfork.isSupported()) {
            console.println("atfork cannot protect streams here: " + atfork.limitation().orElse("unsupported"));
            return false;
        }
        console.printf("System.out under fork: %d forks per mode while %d threads print to System.out"
                + " (sent to /dev/null); a child that takes more than %d ms is killed.%n",
                forks, printers, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));

        Summary without = phase("without protection", null);
        Summary with = phase("with atfork", atfork);

        console.println();
        console.println(Summary.HEADER);
        console.println(without.row());
        console.println(with.row());
        console.println();

        boolean ok = true;
        if (with.onStream > 0) {
            console.println("BROKEN: children hung on a stream lock with atfork registered");
            ok = false;
        }
        if (without.failed + with.failed > 0) {
            console.println("BROKEN: children ended with a non-zero status");
            ok = false;
        }
        if (ok) {
            console.println("Without protection a child hangs on System.out's lock, held at the fork by a printer thread");
            console.println("that does not exist in the child. With atfork no child hangs on a stream; a child that hangs");
            console.println("in the JVM itself (on a JVM-internal lock held at the fork) is a risk of forking any JVM.");
        }
        return ok;
    }

    /** Runs one mode: printers start, the parent forks, printers stop, System.out is put back. */
    private Summary phase(String mode, AtforkService atfork) {
        console.println();
        console.println(mode + ":");
        PrintStream saved = System.out;
        // Before register(), so that the fork-safe System.out wraps this one.
        System.setOut(devNull());
        if (atfork != null) {
            atfork.register();
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = startPrinters(stop);
        try {
            printInChild(-1); // the child's code, once in the parent: the child then loads no class
            return forkRepeatedly(mode);
        } finally {
            stop.set(true);
            for (Thread thread : threads) {
                joinQuietly(thread);
            }
            if (atfork != null) {
                atfork.deregister();
            }
            System.setOut(saved);
        }
    }

    private Summary forkRepeatedly(String mode) {
        Summary summary = new Summary(mode, forks);
        ArrayDeque<Child> waiting = new ArrayDeque<>();
        int progressEvery = forks >= 20 ? 10 : Math.max(1, forks / 2);
        try {
            for (int i = 1; i <= forks; i++) {
                while (waiting.size() >= MAX_WAITING) {
                    summary.record(waiting.pollFirst().await());
                }
                waiting.addLast(forkOne(summary, i - 1));
                pause(10);
                reapFinished(waiting, summary);
                if (i % progressEvery == 0 || i == forks) {
                    console.printf("  forked %3d/%d: %3d finished, %3d still running%n",
                            i, forks, summary.finished + summary.failed, waiting.size());
                }
            }
            if (!waiting.isEmpty()) {
                console.printf("  waiting up to %d ms for the %d %s still running...%n",
                        TimeUnit.NANOSECONDS.toMillis(timeoutNanos), waiting.size(),
                        waiting.size() == 1 ? "child" : "children");
            }
            while (!waiting.isEmpty()) {
                summary.record(waiting.pollFirst().await());
            }
            console.printf("  %d finished, %d hung and killed%n", summary.finished + summary.failed, summary.hung());
            return summary;
        } finally {
            for (Child child : waiting) {
                child.kill(); // only on an unexpected failure: never leave a child behind
            }
        }
    }

    private Child forkOne(Summary summary, int index) {
        int[] fds = new int[2];
        if (DemoLibC.pipe(fds) != 0) {
            throw new IllegalStateException("pipe failed");
        }
        long start = System.nanoTime();
        int pid = DemoLibC.fork();
        long forkNanos = System.nanoTime() - start;
        if (pid == 0) {
            int status = 0;
            try {
                DemoLibC.close(fds[0]);
                printInChild(fds[1]);
            } catch (Throwable e) {
                status = 1;
            }
            DemoLibC._exit(status);
        }
        DemoLibC.close(fds[1]);
        if (pid < 0) {
            DemoLibC.close(fds[0]);
            throw new IllegalStateException("fork failed");
        }
        summary.forkNanos[index] = forkNanos;
        return new Child(pid, fds[0], System.nanoTime() + timeoutNanos);
    }

    /**
     * What each child does. It marks its progress through the pipe with single write(2) calls:
     * "B" on arrival, "C" once it has allocated what println will allocate, "A" once it printed.
     * A child stuck between C and A hangs on the stream; one stuck before hangs in the JVM.
     */
    private static void printInChild(int reportFd) {
        mark(reportFd, ARRIVED);
        if (CHILD_LINE.concat(System.lineSeparator()).getBytes(StandardCharsets.UTF_8).length == 0) {
            throw new IllegalStateException();
        }
        mark(reportFd, ALLOCATED);
        System.out.println(CHILD_LINE);
        System.out.flush();
        mark(reportFd, PRINTED);
    }

    private static void mark(int fd, byte[] marker) {
        DemoLibC.write(fd, marker, marker.length);
    }

    private static void reapFinished(ArrayDeque<Child> waiting, Summary summary) {
        waiting.removeIf(child -> {
            Outcome outcome = child.poll();
            if (outcome != null) {
                summary.record(outcome);
            }
            return outcome != null;
        });
    }

    private List<Thread> startPrinters(AtomicBoolean stop) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < printers; i++) {
            int id = i;
            Thread printer = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    System.out.println("printer " + id + " line " + n++);
                }
            }, "printer-" + i);
            printer.setDaemon(true);
            printer.start();
            threads.add(printer);
        }
        pause(50); // let the printers get going
        return threads;
    }

    /** Discards what it gets, as the JDK would build a System.out: autoflush over a small buffer. */
    private static PrintStream devNull() {
        try {
            return new PrintStream(new BufferedOutputStream(new FileOutputStream("/dev/null"), 128), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int setting(String[] args, String key, int fallback, int min) {
        String value = System.getProperty(key, "");
        for (String arg : args) {
            if (arg.startsWith(key + "=")) {
                value = arg.substring(key.length() + 1);
            }
        }
        if (value.isBlank()) {
            return fallback;
        }
        try {
            return Math.max(min, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, not '" + value + "'", e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How a child ended, as the table counts it. */
    private enum Outcome { FINISHED, FAILED, HUNG_ON_STREAM, HUNG_IN_JVM }

    /** A forked child the parent has not reaped yet. */
    private static final class Child {
        final int pid;
        final int reportFd;
        final long deadline;

        Child(int pid, int reportFd, long deadline) {
            this.pid = pid;
            this.reportFd = reportFd;
            this.deadline = deadline;
        }

        /** Reaps the child if it has ended; null if it still runs. */
        Outcome poll() {
            int[] status = new int[1];
            int done = DemoLibC.waitpid(pid, status, DemoLibC.WNOHANG);
            if (done == 0) {
                return null;
            }
            if (done != pid) {
                DemoLibC.close(reportFd);
                throw new IllegalStateException("waitpid failed for child " + pid);
            }
            DemoLibC.close(reportFd);
            return status[0] == 0 ? Outcome.FINISHED : Outcome.FAILED;
        }

        /** Waits until the child ends or its deadline passes; then kills it and tells where it hung. */
        Outcome await() {
            long pauseMicros = 100;
            while (true) {
                Outcome outcome = poll();
                if (outcome != null) {
                    return outcome;
                }
                if (System.nanoTime() > deadline) {
                    String blockedOn = blockedOn(pid);
                    kill();
                    String marks = readMarks();
                    DemoLibC.close(reportFd);
                    // Hung while printing, parked on a Java lock: the stream's. Anything else: the JVM.
                    boolean printing = marks.equals("BC");
                    return printing && !blockedOn.equals("vm-mutex") && !blockedOn.equals("other")
                            ? Outcome.HUNG_ON_STREAM : Outcome.HUNG_IN_JVM;
                }
                try {
                    TimeUnit.MICROSECONDS.sleep(pauseMicros);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a child", e);
                }
                pauseMicros = Math.min(pauseMicros * 2, 10_000);
            }
        }

        void kill() {
            DemoLibC.kill(pid, DemoLibC.SIGKILL);
            DemoLibC.waitpid(pid, new int[1], 0);
        }

        /** The child's markers; call only once the child is gone, so the read ends at end of file. */
        private String readMarks() {
            byte[] marks = new byte[8];
            byte[] chunk = new byte[8];
            int length = 0;
            long n;
            while (length < marks.length && (n = DemoLibC.read(reportFd, chunk, marks.length - length)) > 0) {
                System.arraycopy(chunk, 0, marks, length, (int) n);
                length += (int) n;
            }
            return new String(marks, 0, length, StandardCharsets.US_ASCII);
        }

        /**
         * What the hung child's only thread waits on, from /proc (Linux): glibc waits on a
         * condition variable with FUTEX_WAIT_BITSET, which is how HotSpot parks a thread on a
         * Java lock or monitor ("lock"); on a mutex with FUTEX_WAIT, which is how JVM-internal
         * locks block ("vm-mutex"). "unknown" where /proc cannot tell.
         */
        private static String blockedOn(int pid) {
            try {
                String[] fields = Files.readString(Path.of("/proc/" + pid + "/syscall")).trim().split(" ");
                boolean futex = fields[0].equals("202") || fields[0].equals("98"); // x86_64, aarch64
                if (!futex || fields.length < 3) {
                    return "other";
                }
                int command = Integer.decode(fields[2]) & 0x7f;
                return command == 9 ? "lock" : command == 0 ? "vm-mutex" : "other";
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }
    }

    /** One mode's counts and fork times. */
    private static final class Summary {
        static final String HEADER = String.format(Locale.ROOT, "%-20s %6s %9s %14s %17s %11s %17s",
                "mode", "forks", "finished", "hung (killed)", "on a stream lock", "in the JVM", "median fork (ms)");

        final String mode;
        final long[] forkNanos;
        int finished;
        int failed;
        int onStream;
        int inJvm;

        Summary(String mode, int forks) {
            this.mode = mode;
            this.forkNanos = new long[forks];
        }

        void record(Outcome outcome) {
            switch (outcome) {
                case FINISHED -> finished++;
                case FAILED -> failed++;
                case HUNG_ON_STREAM -> onStream++;
                case HUNG_IN_JVM -> inJvm++;
                default -> throw new IllegalStateException(outcome.name());
            }
        }

        int hung() {
            return onStream + inJvm;
        }

        String row() {
            long[] sorted = forkNanos.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            double medianNanos = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
            String finishedText = failed == 0 ? Integer.toString(finished) : finished + " (+" + failed + " failed)";
            return String.format(Locale.ROOT, "%-20s %6d %9s %14d %17d %11d %17.1f",
                    mode, n, finishedText, hung(), onStream, inJvm, medianNanos / 1_000_000.0);
        }
    }
}
