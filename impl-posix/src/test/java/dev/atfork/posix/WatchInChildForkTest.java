package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atfork.AtforkService;
import dev.atfork.testing.Forker;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** watch() in a child while a thread of the parent was inside watch() at the fork. */
class WatchInChildForkTest {

    private final AtforkService service = new PosixAtforkService();

    /**
     * A parent thread holds the lock that serialises watch() across five forks, as a thread inside
     * watch() does; each child calls watch() and must not wait for that lock, which nobody in the
     * child can release.
     */
    @Test
    @Timeout(60)
    void watchInAChildNeverWaitsForTheLockOfAParentThreadInsideWatch() throws Exception {
        service.register();
        Forker.ChildAction watchInChild = fd -> {
            Forker.write(fd, StreamFixture.BEFORE);
            service.watch(OutputStream.nullOutputStream()).write('x');
            Forker.write(fd, StreamFixture.AFTER);
            return 0;
        };
        watchInChild.run(-1);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread insideWatch = new Thread(() -> holdUntil(ForkHandover.addingLock(), held, release), "inside-watch");
        insideWatch.start();
        try {
            held.await();
            for (int i = 0; i < 5; i++) {
                Forker.Result result = Forker.forkRetryingJvmHangs(watchInChild, Duration.ofSeconds(5));
                assertEquals("BA", result.reportText(), result::toString);
            }
        } finally {
            release.countDown();
            insideWatch.join(10_000);
            service.deregister();
        }
    }

    private static void holdUntil(ReentrantLock lock, CountDownLatch held, CountDownLatch release) {
        lock.lock();
        try {
            held.countDown();
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
