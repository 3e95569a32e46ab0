package dev.atfork.itest.reliability;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.testing.DevNull;
import dev.atfork.testing.Forker;
import dev.atfork.testing.Printer;
import dev.atfork.testing.TestLibC;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fork storm for {@link ChildDeoptTest}, in a JVM of its own started with a JIT log: 4 threads
 * print to {@code System.out} (over /dev/null) while the main thread forks N children, the
 * library registered with preFork, afterForkParent and afterForkChild hooks. Each child reports
 * its pid, whether the child hook ran, prints one line through {@code System.out} and exits.
 *
 * <p>Every {@value #CANARY_EVERY}th child then calls {@link #canary} with an argument the parent
 * never passed, once the parent has had it compiled: a deoptimisation in the child on purpose, of
 * the test's own code, which shows that the child's deoptimisations can be seen at all.
 *
 * <p>With {@code capture} (JDK 17, which has no deoptimisation log tag), each child's fd 1 is a
 * pipe of its own ({@link Forker.Capture#STDOUT}, set up before the child runs any of the test's
 * code), so what the JVM prints there in the child, such as {@code -XX:+PrintCompilation}'s
 * "made not entrant" lines, is kept apart from the parent's: this JVM prints it back as lines
 * {@code childOut <pid> <line>}. {@code System.out} itself is over /dev/null, so no Java line
 * reaches fd 1.
 *
 * <p>Prints {@code key=value} lines to fd 1 through a stream of its own: {@code childPids},
 * {@code tally}, {@code ok}, {@code childHooks}, {@code preForks}, {@code afterForkParents}.
 */
public final class DeoptStormMain {

    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    private static final int PRINTERS = 4;
    static final int CANARY_EVERY = 50;
    private static volatile int sink;
    /** The child's second mark: set to {@code H} by the afterForkChild hook, which only ever runs in a child. */
    private static volatile byte childMark = 'N';

    private DeoptStormMain() {
    }

    /**
     * Entry point.
     *
     * @param args forks; optionally {@code capture}
     * @throws Exception if anything fails
     */
    public static void main(String[] args) throws Exception {
        int forks = Integer.parseInt(args[0]);
        boolean capture = args.length > 1 && args[1].equals("capture");
        AtforkService service = AtforkService.load();
        emit("name=" + service.name());
        System.setOut(DevNull.printStream());
        service.register();
        AtomicInteger preForks = new AtomicInteger();
        AtomicInteger afterForkParents = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> printers = new ArrayList<>();
        Reliability.Tally tally = new Reliability.Tally();
        StringBuilder pids = new StringBuilder();
        int childHooks = 0;
        try (Registration pre = service.preFork(preForks::incrementAndGet);
             Registration parent = service.afterForkParent(afterForkParents::incrementAndGet);
             Registration child = service.afterForkChild(() -> childMark = 'H')) {
            for (int i = 0; i < PRINTERS; i++) {
                Thread printer = Printer.printer("deopt-printer-" + i, i, stop);
                printers.add(printer);
            }
            childAction(0).run(-1); // warm-up: the parent runs what a child runs, reporting to no fd
            for (int i = 0; i < 300_000; i++) {
                sink = canary(i & 0xffff); // C2 compiles it with the branch for a negative argument as an uncommon trap
            }
            printers.forEach(Thread::start);
            Thread.sleep(100);
            for (int i = 0; i < forks; i++) {
                Forker.Result result = Forker.fork(childAction(i), Duration.ofSeconds(3),
                        capture ? Forker.Capture.STDOUT : Forker.Capture.NONE);
                String report = result.reportText();
                int end = report.indexOf(';');
                if (end > 0) {
                    String pid = report.substring(0, end);
                    pids.append(pids.length() == 0 ? "" : ",").append(pid);
                    for (String out : result.stdoutText().split("\n")) {
                        if (!out.isBlank()) {
                            emit("childOut " + pid + " " + out);
                        }
                    }
                }
                String marks = report.substring(end + 1);
                childHooks += marks.startsWith("H") ? 1 : 0;
                tally.add(i, result, report.substring(0, end + 1) + "HBA");
            }
        } finally {
            stop.set(true);
            for (Thread printer : printers) {
                printer.join(5_000);
            }
            service.deregister();
        }
        emit("childPids=" + pids, "tally=" + tally, "notes=" + tally.notes,
                "canaryChildren=" + (forks - 1) / CANARY_EVERY, "ok=" + tally.get(Reliability.Outcome.OK),
                "childHooks=" + childHooks, "preForks=" + preForks.get(), "afterForkParents=" + afterForkParents.get());
        Runtime.getRuntime().halt(0);
    }

    /**
     * Writes {@code lines} in one {@code write()}, from a fresh line: on JDK 17 the JVM's own
     * {@code -XX:+PrintCompilation} lines share fd 1 and may stop mid-line.
     */
    private static void emit(String... lines) {
        byte[] bytes = ("\n" + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        OUT.write(bytes, 0, bytes.length);
        OUT.flush();
    }

    /** Reports {@code <pid>;}, then {@code H} if the child hook ran; marks {@code B}, prints one line, marks {@code A}. */
    private static Forker.ChildAction childAction(int child) {
        String line = "child " + child;
        int canaryArgument = child % CANARY_EVERY == 0 && child > 0 ? -1 : 1;
        return fd -> {
            int pid = TestLibC.getpid();
            Forker.write(fd, pidReport(pid));
            Forker.write(fd, new byte[] {childMark}); // no branch of the test's own that only a child takes
            Forker.write(fd, Reliability.BEFORE);
            System.out.println(line);
            Forker.write(fd, Reliability.AFTER);
            sink = canary(canaryArgument);
            return 0;
        };
    }

    /**
     * {@code <pid>;} in ASCII, made with no JDK call: a child must not take a path of the JDK's that
     * the parent has compiled for other arguments only (here {@code String.getBytes} for another
     * charset, which the parent's printers use).
     */
    private static byte[] pidReport(int pid) {
        int digits = 1;
        for (int rest = pid / 10; rest > 0; rest /= 10) {
            digits++;
        }
        byte[] report = new byte[digits + 1];
        report[digits] = ';';
        for (int at = digits - 1, rest = pid; at >= 0; at--, rest /= 10) {
            report[at] = (byte) ('0' + rest % 10);
        }
        return report;
    }

    /** Never called with a negative argument in the parent. */
    static int canary(int x) {
        if (x < 0) {
            return -3 * x + sink;
        }
        return x + 1;
    }
}
