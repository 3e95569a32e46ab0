package dev.atfork.itest.classpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.testing.Forker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A client written only against the public contract, run against the built jars on the class path. */
class ContractClientTest {

    private static final byte[] CHILD_HOOK_RAN = {'c'};
    private static final byte[] CHILD_HOOK_DID_NOT_RUN = {'-'};
    private static volatile boolean childHookRan;

    @Test
    void hooksRunAroundARealForkThroughLoad() throws Exception {
        AtforkService service = AtforkService.load();
        assertEquals("posix", service.name(), () -> service.limitation().orElse(""));
        assertTrue(service.isSupported());
        AtomicInteger preForks = new AtomicInteger();
        AtomicInteger afterForkParents = new AtomicInteger();
        Runnable childHook = () -> childHookRan = true;
        Forker.ChildAction report = fd -> {
            Forker.write(fd, childHookRan ? CHILD_HOOK_RAN : CHILD_HOOK_DID_NOT_RUN);
            return 0;
        };
        childHook.run(); // warms the child's code up in the parent
        report.run(-1);
        childHookRan = false;

        service.register();
        try (Registration pre = service.preFork(preForks::incrementAndGet);
             Registration parent = service.afterForkParent(afterForkParents::incrementAndGet);
             Registration child = service.afterForkChild(childHook)) {
            Forker.Result result = Forker.forkRetryingJvmHangs(() -> {
                preForks.set(0);
                afterForkParents.set(0);
            }, report, Duration.ofSeconds(20), Forker.Capture.NONE);

            assertTrue(result.exited(0), result::toString);
            assertEquals("c", result.reportText());
            assertEquals(1, preForks.get());
            assertEquals(1, afterForkParents.get());
            assertEquals(false, childHookRan, "the child hook ran in the parent");
        } finally {
            service.deregister();
        }

        Forker.Result afterDeregister = Forker.forkRetryingJvmHangs(() -> { }, report, Duration.ofSeconds(20),
                Forker.Capture.NONE);
        assertTrue(afterDeregister.exited(0), afterDeregister::toString);
        assertEquals("-", afterDeregister.reportText());
        assertEquals(1, preForks.get());
    }
}
