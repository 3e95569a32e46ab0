package dev.atfork.itest.reliability;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.testing.Forker;
import dev.atfork.testing.TestLibC;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One way of forking from a fork hook, in a JVM of its own since some of them deadlock the process
 * for good. A watchdog halts the JVM after 10 s, printing {@code deadlock=true} and the threads.
 * Every child only calls {@code _exit(0)}. Output goes to fd 1 through a stream of its own, since
 * {@code System.out} is one of the things under test. Cases:
 * <ul>
 * <li>{@code handoff}: a preFork hook asks another thread to fork and does not wait for it;
 * <li>{@code pre-wait}: a preFork hook asks another thread to fork and waits for it, at most 1 s;
 * <li>{@code parent-wait}: the same from an afterForkParent hook;
 * <li>{@code pre-same}: a preFork hook forks on the forking thread itself;
 * <li>{@code parent-same}: an afterForkParent hook forks on the forking thread itself.
 * </ul>
 * Afterwards it checks that the process is still sound: another thread can print to
 * {@code System.out} (no stream lock left taken), and the next fork runs each hook once.
 */
public final class HookForkMain {

    /** The exit status reported for a child that hung, necessarily in the JVM: it runs no Java of the library. */
    static final int HUNG = -4;

    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true);

    private HookForkMain() {
    }

    /**
     * Entry point.
     *
     * @param args the case
     * @throws Exception if anything fails
     */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                return;
            }
            OUT.println("deadlock=true");
            for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
                OUT.println("thread " + entry.getKey().getName() + " " + entry.getKey().getState());
                for (StackTraceElement frame : entry.getValue()) {
                    OUT.println("  at " + frame);
                }
            }
            Runtime.getRuntime().halt(0);
        }, "hook-fork-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        AtforkService service = AtforkService.load();
        service.register();
        AtomicInteger preForks = new AtomicInteger();
        AtomicInteger parentForks = new AtomicInteger();
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch helperGo = new CountDownLatch(1);
        CountDownLatch helperDone = new CountDownLatch(1);
        int[] helperExit = {-2};
        int[] nestedExit = {-2};
        boolean[] helperDuringHook = new boolean[1];
        Thread helper = new Thread(() -> {
            try {
                helperGo.await();
            } catch (InterruptedException e) {
                return;
            }
            helperExit[0] = forkAndWait();
            helperDone.countDown();
        }, "hook-fork-helper");
        helper.setDaemon(true);
        helper.start();
        Runnable hazard = () -> {
            if (!armed.compareAndSet(true, false)) {
                return;
            }
            switch (mode) {
                case "handoff" -> helperGo.countDown();
                case "pre-wait", "parent-wait" -> {
                    helperGo.countDown();
                    try {
                        helperDuringHook[0] = helperDone.await(1, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                case "pre-same", "parent-same" -> nestedExit[0] = forkAndWait();
                default -> throw new IllegalArgumentException(mode);
            }
        };
        forkAndWait(); // warm-up: resolves the fork path, hooks not armed yet
        boolean inPrepare = mode.startsWith("pre");
        Registration counterPre = service.preFork(preForks::incrementAndGet);
        Registration counterParent = service.afterForkParent(parentForks::incrementAndGet);
        Registration hook = inPrepare ? service.preFork(hazard) : service.afterForkParent(hazard);
        armed.set(true);
        long start = System.nanoTime();
        int outerExit = forkAndWait();
        long outerMillis = (System.nanoTime() - start) / 1_000_000;
        OUT.println("outerForkReturned=true");
        OUT.println("outerChildExit=" + outerExit);
        OUT.println("outerForkMillis=" + outerMillis);
        if (mode.endsWith("same")) {
            OUT.println("nestedChildExit=" + nestedExit[0]);
        } else {
            boolean helperFinished = helperDone.await(5, TimeUnit.SECONDS);
            OUT.println("helperForkReturned=" + helperFinished);
            OUT.println("helperChildExit=" + helperExit[0]);
            OUT.println("helperDoneDuringHook=" + helperDuringHook[0]);
        }
        OUT.println("hooksDuringCase=" + preForks.get() + "/" + parentForks.get());
        hook.close();

        // Is the process still sound? Another thread prints to System.out; then one more fork.
        Thread printer = new Thread(() -> System.out.println("probe line from another thread"), "probe");
        printer.setDaemon(true);
        printer.start();
        printer.join(2_000);
        OUT.println("streamUsableFromAnotherThread=" + !printer.isAlive());
        preForks.set(0);
        parentForks.set(0);
        int nextExit = forkAndWait();
        OUT.println("nextChildExit=" + nextExit);
        OUT.println("nextForkHooks=" + preForks.get() + "/" + parentForks.get());
        counterPre.close();
        counterParent.close();
        OUT.println("deadlock=false");
        OUT.flush();
        Runtime.getRuntime().halt(0);
    }

    /** Forks a child that exits at once; its exit status, or {@link #HUNG} if it hung in the JVM and was killed after 5 s. */
    private static int forkAndWait() {
        int pid = TestLibC.fork();
        if (pid == 0) {
            TestLibC._exit(0);
        }
        if (pid < 0) {
            return -3;
        }
        int[] status = new int[1];
        if (!Forker.awaitExit(pid, status, Duration.ofSeconds(5))) {
            Forker.killAndReap(pid, status);
            return HUNG;
        }
        return (status[0] & 0x7f) == 0 ? (status[0] >> 8) & 0xff : -1;
    }
}
