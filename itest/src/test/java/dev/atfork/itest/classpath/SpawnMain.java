package dev.atfork.itest.classpath;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.spi.NativeForkHandlers;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spawns {@code true} repeatedly with parent hooks registered and prints what happened. Run it
 * with {@code -Djdk.lang.Process.launchMechanism=FORK} to make every spawn a fork.
 */
public final class SpawnMain {

    private SpawnMain() {
    }

    /**
     * Entry point.
     *
     * @param args the number of spawns
     * @throws IOException if a spawn fails
     * @throws InterruptedException if interrupted while waiting
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        int spawns = Integer.parseInt(args[0]);
        AtforkService service = AtforkService.load();
        System.out.println("name=" + service.name());
        AtomicInteger preForks = new AtomicInteger();
        AtomicInteger afterForkParents = new AtomicInteger();
        int succeeded = 0;
        service.register();
        try (Registration pre = service.preFork(preForks::incrementAndGet);
             Registration parent = service.afterForkParent(afterForkParents::incrementAndGet)) {
            for (int i = 0; i < spawns; i++) {
                Process process = new ProcessBuilder("true")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                process.getOutputStream().close();
                if (process.waitFor() == 0) {
                    succeeded++;
                }
            }
        } finally {
            service.deregister();
        }
        System.out.println("succeeded=" + succeeded);
        System.out.println("preForks=" + preForks.get());
        System.out.println("afterForkParents=" + afterForkParents.get());
        System.out.println("childHandlerInstalled=" + NativeForkHandlers.isInstalled("child"));
    }
}
