package dev.atfork.itest.reliability;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.spi.NativeForkHandlers;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spawns {@code true} N times with parent hooks registered, each {@code start()} and
 * {@code waitFor} bounded: a watchdog halts the JVM if one spawn takes longer than the bound.
 * Run with {@code -Djdk.lang.Process.launchMechanism=FORK} so that every spawn is a fork.
 */
public final class ForkSpawnMain {

    private static volatile long spawnStarted;
    private static volatile int current = -1;

    private ForkSpawnMain() {
    }

    /**
     * Entry point.
     *
     * @param args spawns, bound per spawn in milliseconds
     * @throws IOException if a spawn fails
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        int spawns = Integer.parseInt(args[0]);
        long boundMillis = Long.parseLong(args[1]);
        Thread main = Thread.currentThread();
        Thread watchdog = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                long started = spawnStarted;
                if (started != 0 && System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(boundMillis)) {
                    System.out.println("hungSpawn=" + current);
                    for (StackTraceElement frame : main.getStackTrace()) {
                        System.out.println("  at " + frame);
                    }
                    System.out.flush();
                    Runtime.getRuntime().halt(3);
                }
            }
        }, "spawn-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        AtforkService service = AtforkService.load();
        System.out.println("name=" + service.name());
        System.out.println("launchMechanism=" + System.getProperty("jdk.lang.Process.launchMechanism"));
        AtomicInteger preForks = new AtomicInteger();
        AtomicInteger afterForkParents = new AtomicInteger();
        int succeeded = 0;
        int timedOut = 0;
        long start = 0;
        service.register();
        try (Registration pre = service.preFork(preForks::incrementAndGet);
             Registration parent = service.afterForkParent(afterForkParents::incrementAndGet)) {
            start = System.nanoTime();
            for (int i = 0; i < spawns; i++) {
                current = i;
                spawnStarted = System.nanoTime();
                Process process = new ProcessBuilder("true")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                process.getOutputStream().close();
                if (!process.waitFor(boundMillis, TimeUnit.MILLISECONDS)) {
                    timedOut++;
                    process.destroyForcibly();
                } else if (process.exitValue() == 0) {
                    succeeded++;
                }
                spawnStarted = 0;
            }
        } finally {
            service.deregister();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("succeeded=" + succeeded);
        System.out.println("timedOut=" + timedOut);
        System.out.println("preForks=" + preForks.get());
        System.out.println("afterForkParents=" + afterForkParents.get());
        System.out.println("millis=" + millis);
        System.out.println("childHandlerInstalled=" + NativeForkHandlers.isInstalled("child"));
    }
}
