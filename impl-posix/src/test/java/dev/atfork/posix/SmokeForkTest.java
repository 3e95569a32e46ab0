package dev.atfork.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.AtforkService;
import dev.atfork.Registration;
import dev.atfork.testing.Forker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeForkTest {

    static final StringBuffer events = new StringBuffer();

    @Test
    void hooksRunAroundARealFork() {
        AtforkService service = new PosixAtforkService();
        assertTrue(service.isSupported(), () -> service.limitation().orElse(""));
        service.register();
        try (Registration a = service.preFork(() -> events.append("pre1,"));
             Registration b = service.preFork(() -> events.append("pre2,"));
             Registration c = service.afterForkParent(() -> events.append("parent,"));
             Registration d = service.afterForkChild(() -> events.append("child,"))) {
            Forker.Result result = Forker.forkRetryingJvmHangs(() -> events.setLength(0), fd -> {
                Forker.write(fd, events.toString().getBytes(StandardCharsets.UTF_8));
                return 0;
            }, Duration.ofSeconds(10), Forker.Capture.NONE);
            assertEquals(0, result.exitStatus(), result::toString);
            assertEquals("pre2,pre1,child,", result.reportText());
            assertEquals("pre2,pre1,parent,", events.toString());
        } finally {
            service.deregister();
        }
    }
}
