package dev.atfork.itest.reliability;

import dev.atfork.testing.Forker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A program that knows nothing of atfork: compiled by the agent tests against JNA and the test
 * helpers only, it forks through JNA while 4 threads print to {@code System.out}, each child
 * printing one line there ({@link PrintingChild}). Its fd 1 must be /dev/null; it reports on
 * stderr: {@code atfork=} whether atfork's classes are visible (the agent's), {@code out=} the
 * class of {@code System.out}, then the outcomes, classified by {@link Reliability.Outcome}.
 *
 * <p>Arguments: the number of forks, and how long a child may take, in milliseconds.
 */
public final class UnawareForkMain {

    private static final int PRINTERS = 4;

    private UnawareForkMain() {
    }

    /** Forks {@code args[0]} times, killing a child after {@code args[1]} ms. */
    public static void main(String[] args) throws Exception {
        int forks = Integer.parseInt(args[0]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[1]));
        System.err.println("atfork=" + visible("dev.atfork.AtforkService"));
        System.err.println("out=" + System.out.getClass().getName());
        String[] lines = new String[forks + 1];
        for (int i = 0; i <= forks; i++) {
            lines[i] = "child " + i;
        }
        PrintingChild.printing(lines[forks]).run(-1); // the child's path, once in the parent
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> printers = new ArrayList<>();
        for (int p = 0; p < PRINTERS; p++) {
            int id = p;
            Thread printer = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    System.out.println("printer " + id + " line " + n++);
                }
            }, "printer-" + p);
            printer.setDaemon(true);
            printers.add(printer);
        }
        printers.forEach(Thread::start);
        Thread.sleep(100);
        Reliability.Tally tally = new Reliability.Tally();
        for (int i = 0; i < forks; i++) {
            tally.add(i, Forker.fork(PrintingChild.printing(lines[i]), timeout), "BCA");
        }
        stop.set(true);
        for (Thread printer : printers) {
            printer.join(10_000);
        }
        System.err.println("tally=" + tally);
        System.err.println("notes=" + tally.notes);
        System.err.println("ok=" + tally.get(Reliability.Outcome.OK));
        System.err.println("streamHangs=" + tally.get(Reliability.Outcome.STREAM_HANG));
        System.err.println("jvmHangs=" + tally.get(Reliability.Outcome.JVM_HANG));
        System.err.println("crashes=" + tally.get(Reliability.Outcome.CRASH));
        System.err.flush();
    }

    private static boolean visible(String className) {
        try {
            Class.forName(className, false, UnawareForkMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
