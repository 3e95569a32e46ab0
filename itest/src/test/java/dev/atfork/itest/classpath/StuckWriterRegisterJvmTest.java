package dev.atfork.itest.classpath;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.itest.support.JvmRun;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The first {@code register()} warms the fork path up by running it tens of thousands of times,
 * and each run takes the watched streams' locks. A thread stuck writing to a watched stream holds
 * one: the warm-up must give up at once, not wait for that lock at every run (100 ms each, by
 * default). In a fresh JVM, since only the first registration warms up.
 */
@Timeout(300)
class StuckWriterRegisterJvmTest {

    @Test
    void aWriterStuckInAWatchedStreamDelaysTheFirstRegisterOnlyBriefly() throws Exception {
        JvmRun outcome = JavaProcess.run(StuckWriterRegisterMain.class, List.of());

        long millis = Long.parseLong(outcome.get("registerMillis"));
        System.err.println("stuck writer at register(): register() took " + millis + " ms");
        assertTrue(millis < 5_000, "register() took " + millis + " ms: " + outcome.output());
    }
}
