package dev.atfork.itest.reliability;

import static dev.atfork.itest.reliability.Reliability.report;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atfork.itest.support.JvmRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ProcessBuilder} with {@code -Djdk.lang.Process.launchMechanism=FORK} (read once per JVM,
 * hence a separate JVM): every spawn of {@code true} runs the library's parent hooks; none hangs.
 * Each spawn is bounded in that JVM, and the JVM as a whole by this test.
 */
class ForkLaunchSpawnTest {

    private static final int SPAWNS = Reliability.scaled(500, 2_000);
    private static final long SPAWN_BOUND_MILLIS = 10_000;

    @Test
    void fiveHundredForkedSpawnsWithParentHooksAllEndInTime() throws Exception {
        JvmRun run = Reliability.runJvm(ForkSpawnMain.class,
                List.of("-Djdk.lang.Process.launchMechanism=FORK"), 100, String.valueOf(SPAWNS),
                String.valueOf(SPAWN_BOUND_MILLIS));

        report("ProcessBuilder FORK: %s of %d spawns of true succeeded, %s timed out, hooks %s/%s, %s ms"
                        + " (%.0f spawns/s), child handler installed: %s, JVM exit %d",
                run.values().getOrDefault("succeeded", "?"), SPAWNS, run.values().getOrDefault("timedOut", "?"),
                run.values().getOrDefault("preForks", "?"), run.values().getOrDefault("afterForkParents", "?"),
                run.values().getOrDefault("millis", "?"),
                run.values().containsKey("millis") ? SPAWNS * 1000.0 / Math.max(1, Long.parseLong(run.get("millis"))) : 0.0,
                run.values().getOrDefault("childHandlerInstalled", "?"), run.exitCode());
        assertEquals(0, run.exitCode(), run.output());
        assertEquals("posix", run.get("name"), run.output());
        assertEquals("FORK", run.get("launchMechanism"), run.output());
        assertEquals(String.valueOf(SPAWNS), run.get("succeeded"), run.output());
        assertEquals("0", run.get("timedOut"), run.output());
        assertEquals(String.valueOf(SPAWNS), run.get("preForks"), run.output());
        assertEquals(String.valueOf(SPAWNS), run.get("afterForkParents"), run.output());
        assertEquals("false", run.get("childHandlerInstalled"), run.output());
    }
}
