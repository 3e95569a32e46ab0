package dev.atfork.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Forks this JVM for real, through JNA, and watches what the child does.
 *
 * <p>The child runs a {@link ChildAction} and ends with {@code _exit}; it reports through a pipe
 * and, if asked, its stdout and stderr go to pipes too. The parent waits with a timeout and
 * kills a child that hangs. Child actions must use only classes already used in the parent.
 */
public final class Forker {

    /** How many times {@link #retryingJvmHangs} forks at most. */
    public static final int MAX_ATTEMPTS = 3;
    /** Exit status of a child whose action threw. */
    public static final int ACTION_THREW = 99;

    /** What runs in the child. */
    @FunctionalInterface
    public interface ChildAction {
        /**
         * Runs in the child.
         *
         * @param reportFd the write end of the report pipe
         * @return the child's exit status
         * @throws Exception counted as {@link #ACTION_THREW}
         */
        int run(int reportFd) throws Exception;
    }

    /** Where the child's standard streams go. */
    public enum Capture { NONE, STDOUT, STDERR, BOTH }

    /**
     * What the child did.
     *
     * @param hung true if it did not exit in time and was killed
     * @param exitStatus its exit status, or -1 if it was killed by a signal
     * @param report the bytes it wrote to the report pipe
     * @param stdout what it wrote to fd 1, if captured
     * @param stderr what it wrote to fd 2, if captured
     * @param forkNanos how long the fork call took in the parent
     * @param blockedOn for a hung child, what its thread waited on: {@code "lock"} for a Java-level
     *     lock or monitor (HotSpot parks those on a condition variable), {@code "vm-mutex"} for a
     *     JVM-internal mutex, else {@code "other"}; empty if it did not hang
     */
    public record Result(boolean hung, int exitStatus, byte[] report, byte[] stdout, byte[] stderr, long forkNanos,
            String blockedOn) {
        public String reportText() {
            return new String(report, StandardCharsets.UTF_8);
        }

        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        public boolean exited(int status) {
            return !hung && exitStatus == status;
        }

        /** Tells whether the child hung on something other than a Java-level lock: the JVM's own fork hazard. */
        public boolean hungInTheJvm() {
            return hung && !blockedOn.equals("lock");
        }

        @Override
        public String toString() {
            return "Result[hung=" + hung + (hung ? " on " + blockedOn : "") + ", exitStatus=" + exitStatus + ", report=" + reportText()
                    + ", stdout=" + stdoutText() + ", stderr=" + stderrText() + "]";
        }
    }

    static {
        write(-1, new byte[1]); // resolves the child's write path in the parent
    }

    private Forker() {
    }

    /** Forks once, with no stream captured. */
    public static Result fork(ChildAction action, Duration timeout) {
        return fork(action, timeout, Capture.NONE);
    }

    /** Forks once; the child's fd 1 and 2 go to pipes as {@code capture} says. */
    public static Result fork(ChildAction action, Duration timeout, Capture capture) {
        Pipe report = new Pipe();
        Pipe out = capture == Capture.STDOUT || capture == Capture.BOTH ? new Pipe() : null;
        Pipe err = capture == Capture.STDERR || capture == Capture.BOTH ? new Pipe() : null;
        long start = System.nanoTime();
        int pid = TestLibC.fork();
        long forkNanos = System.nanoTime() - start;
        if (pid == 0) {
            runChild(action, report, out, err);
        }
        if (pid < 0) {
            throw new IllegalStateException("fork failed");
        }
        report.closeWriteEnd();
        PipeDrain reportDrain = report.drain();
        PipeDrain outDrain = out == null ? null : out.closeWriteEnd().drain();
        PipeDrain errDrain = err == null ? null : err.closeWriteEnd().drain();
        int[] status = new int[1];
        boolean hung = true;
        String blockedOn = "";
        try {
            hung = !awaitExit(pid, status, timeout);
            if (hung) {
                blockedOn = blockedOn(pid);
            }
        } finally {
            if (hung) { // timed out, or the test was interrupted: a child left running holds the build's stdout
                killAndReap(pid, status);
            }
        }
        int raw = status[0];
        int exitStatus = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : -1;
        return new Result(hung, hung ? -1 : exitStatus, reportDrain.bytes(),
                outDrain == null ? new byte[0] : outDrain.bytes(),
                errDrain == null ? new byte[0] : errDrain.bytes(), forkNanos, blockedOn);
    }

    /**
     * Forks once, with stderr captured; again, up to three times in all, while the child hangs in
     * the JVM itself rather than on a Java lock: a hazard of forking any busy JVM, not the test's.
     */
    public static Result forkRetryingJvmHangs(ChildAction action, Duration timeout) {
        return forkRetryingJvmHangs(() -> { }, action, timeout, Capture.STDERR);
    }

    /**
     * As {@link #forkRetryingJvmHangs(ChildAction, Duration)}, running {@code beforeEachAttempt}
     * before every attempt (to reset what the parent records) and capturing as {@code capture} says.
     */
    public static Result forkRetryingJvmHangs(Runnable beforeEachAttempt, ChildAction action, Duration timeout,
            Capture capture) {
        return retryingJvmHangs(() -> {
            beforeEachAttempt.run();
            return fork(action, timeout, capture);
        });
    }

    /**
     * Runs {@code attempt}, which forks once; again, up to three times in all, while the child
     * hangs in the JVM itself, as {@link #forkRetryingJvmHangs(ChildAction, Duration)} does.
     */
    public static Result retryingJvmHangs(Supplier<Result> attempt) {
        for (int attempts = 1; ; attempts++) {
            Result result = attempt.get();
            if (!result.hungInTheJvm() || attempts == MAX_ATTEMPTS) {
                return result;
            }
            System.err.println("the child hung in the JVM, trying again: " + result);
        }
    }

    /**
     * Reads what the hung child's only thread waits on from /proc: glibc waits on a condition
     * variable with FUTEX_WAIT_BITSET, which is how HotSpot parks a thread on a Java lock or
     * monitor, and on a mutex with FUTEX_WAIT, which is how JVM-internal locks block.
     */
    public static String blockedOn(int pid) {
        try {
            String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/syscall")).trim().split(" ");
            boolean futex = fields[0].equals("202") || fields[0].equals("98"); // x86_64, aarch64
            if (!futex || fields.length < 3) {
                return "other";
            }
            int command = Integer.decode(fields[2]) & 0x7f;
            return command == 9 ? "lock" : command == 0 ? "vm-mutex" : "other";
        } catch (java.io.IOException | RuntimeException e) {
            return "other";
        }
    }

    /** Writes to a file descriptor in one call; safe in the child. */
    public static void write(int fd, byte[] bytes) {
        TestLibC.write(fd, bytes, bytes.length);
    }

    private static void runChild(ChildAction action, Pipe report, Pipe out, Pipe err) {
        int status;
        try {
            TestLibC.close(report.readFd);
            redirect(out, 1);
            redirect(err, 2);
            status = action.run(report.writeFd);
        } catch (Throwable e) {
            status = ACTION_THREW;
        }
        TestLibC._exit(status);
    }

    private static void redirect(Pipe pipe, int fd) {
        if (pipe != null) {
            TestLibC.dup2(pipe.writeFd, fd);
            TestLibC.close(pipe.writeFd);
            TestLibC.close(pipe.readFd);
        }
    }

    /**
     * Waits for the child {@code pid} to end, polling.
     *
     * @return true once it ended, its status in {@code status[0]}; false if it is still running at the timeout
     */
    public static boolean awaitExit(int pid, int[] status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMicros = 50;
        while (true) {
            int done = TestLibC.waitpid(pid, status, TestLibC.WNOHANG);
            if (done == pid) {
                return true;
            }
            if (done < 0) {
                throw new IllegalStateException("waitpid failed for " + pid);
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleepMicros(pauseMicros);
            pauseMicros = Math.min(pauseMicros * 2, 5_000);
        }
    }

    /** Kills the child {@code pid} with SIGKILL and reaps it, its status in {@code status[0]}. */
    public static void killAndReap(int pid, int[] status) {
        TestLibC.kill(pid, TestLibC.SIGKILL);
        TestLibC.waitpid(pid, status, 0);
    }

    private static void sleepMicros(long micros) {
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a child", e);
        }
    }

    /** A pipe whose read end a background thread drains until end of file. */
    private static final class Pipe {
        final int readFd;
        final int writeFd;

        Pipe() {
            int[] fds = new int[2];
            if (TestLibC.pipe(fds) != 0) {
                throw new IllegalStateException("pipe failed");
            }
            readFd = fds[0];
            writeFd = fds[1];
        }

        Pipe closeWriteEnd() {
            TestLibC.close(writeFd);
            return this;
        }

        PipeDrain drain() {
            return new PipeDrain(readFd);
        }
    }
}
