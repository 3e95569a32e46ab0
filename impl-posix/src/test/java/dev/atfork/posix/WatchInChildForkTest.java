package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.testing.Forker;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * watch() in a child while a parent thread was inside watch(). In a JVM of its own (see the pom):
 * the millions of views it makes grow the heap, and so the cost of every later fork in that JVM.
 */
class WatchInChildForkTest {

    private final AtforkService service = new PosixAtforkService();

    /**
     * A child calls watch() while a thread of the parent was inside watch() at the fork: the child
     * must not wait for the registry's lock that thread held. 50 forks; none may hang on a lock.
     */
    @Test
    @Timeout(120)
    void watchInAChildNeverWaitsForAParentThreadInsideWatch() throws Exception {
        service.register();
        Forker.ChildAction watchInChild = fd -> {
            Forker.write(fd, StreamFixture.BEFORE);
            service.watch(OutputStream.nullOutputStream()).write('x');
            Forker.write(fd, StreamFixture.AFTER);
            return 0;
        };
        watchInChild.run(-1);
        AtomicBoolean stop = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            while (!stop.get()) {
                service.watch(OutputStream.nullOutputStream()); // dropped at once: the registry grows and compacts
            }
        }, "watcher");
        watcher.setDaemon(true);
        watcher.start();
        List<String> lockHangs = new ArrayList<>();
        int jvmHangs = 0;
        try {
            for (int i = 0; i < 50; i++) {
                Forker.Result result = Forker.fork(watchInChild, Duration.ofSeconds(2));
                if (result.hung() && result.blockedOn().equals("lock")) {
                    lockHangs.add(result.toString());
                } else if (result.hung()) {
                    jvmHangs++;
                } else {
                    assertEquals("BA", result.reportText(), result::toString);
                }
            }
        } finally {
            stop.set(true);
            watcher.join(10_000);
            service.deregister();
        }
        System.err.printf("watch() in a child: %d of 50 hung on a lock, %d in the JVM%n", lockHangs.size(), jvmHangs);
        assertTrue(lockHangs.isEmpty(), lockHangs::toString);
    }
}
