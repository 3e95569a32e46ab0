package dev.atfork.posix;

import static dev.atfork.posix.ForkFixture.CHILD;
import static dev.atfork.posix.ForkFixture.PARENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.testing.Forker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many forks with garbage collections between them: the pinned callbacks keep working. */
class RepeatedForkGcTest {

    private static final int FORKS = 200;
    /** Children the JVM itself leaves hung (see the README) are killed; a few are tolerated, not crashes. */
    private static final int MAX_HUNG = FORKS / 50;

    @RegisterExtension
    final ForkFixture fixture = new ForkFixture();
    private final AtforkService service = fixture.service;

    @Test
    void twoHundredForksWithGcBetweenThemDoNotCrash() {
        AtomicInteger preForks = new AtomicInteger();
        AtomicInteger afterForkParents = new AtomicInteger();
        service.register();
        fixture.keep(service.preFork(preForks::incrementAndGet));
        fixture.keep(service.afterForkParent(afterForkParents::incrementAndGet));
        fixture.keep(service.afterForkChild(CHILD.marker('x')));
        List<String> failed = new ArrayList<>();
        int hung = 0;

        for (int i = 0; i < FORKS; i++) {
            System.gc();
            CHILD.reset();
            Forker.Result result = Forker.fork(ForkFixture.SEND_CHILD_TRACE, Duration.ofSeconds(5));
            if (result.hung()) {
                hung++;
            } else if (result.exitStatus() != 0 || !"x".equals(result.reportText())) {
                failed.add("fork " + i + ": " + result);
            }
        }

        System.out.println("RepeatedForkGcTest: " + FORKS + " forks, " + hung + " children hung and were killed");
        assertEquals(List.of(), failed);
        assertTrue(hung <= MAX_HUNG, hung + " of " + FORKS + " children hung");
        assertEquals(FORKS, preForks.get());
        assertEquals(FORKS, afterForkParents.get());
        assertEquals("", PARENT.toString());
    }
}
