package dev.atfork.itest.classpath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atfork.itest.support.JvmRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With {@code -Djdk.lang.Process.launchMechanism=FORK}, every {@code ProcessBuilder.start()} is a
 * fork that runs the library's handlers; with the default ({@code POSIX_SPAWN}) and with
 * {@code VFORK} none runs. The property is read once per JVM, hence a JVM per case.
 */
class ForkLaunchMechanismJvmTest {

    private static final int SPAWNS = 300;

    @Test
    void threeHundredForkedSpawnsSucceedWithParentHooksOnly() throws Exception {
        JvmRun outcome = JavaProcess.run(SpawnMain.class,
                List.of("-Djdk.lang.Process.launchMechanism=FORK"), String.valueOf(SPAWNS));

        assertEquals(0, outcome.exitCode(), outcome.output());
        assertEquals("posix", outcome.get("name"), outcome.output());
        assertEquals(String.valueOf(SPAWNS), outcome.get("succeeded"), outcome.output());
        assertEquals(String.valueOf(SPAWNS), outcome.get("preForks"), outcome.output());
        assertEquals(String.valueOf(SPAWNS), outcome.get("afterForkParents"), outcome.output());
        assertEquals("false", outcome.get("childHandlerInstalled"), outcome.output());
    }

    @Test
    void vforkRunsNoForkHandler() throws Exception {
        JvmRun outcome = JavaProcess.run(SpawnMain.class,
                List.of("-Djdk.lang.Process.launchMechanism=VFORK"), "20");

        assertEquals(0, outcome.exitCode(), outcome.output());
        assertEquals("20", outcome.get("succeeded"), outcome.output());
        assertEquals("0", outcome.get("preForks"), outcome.output());
        assertEquals("0", outcome.get("afterForkParents"), outcome.output());
    }

    @Test
    void controlTheDefaultLaunchMechanismRunsNoForkHandler() throws Exception {
        JvmRun outcome = JavaProcess.run(SpawnMain.class, List.of(), "20");

        assertEquals(0, outcome.exitCode(), outcome.output());
        assertEquals("20", outcome.get("succeeded"), outcome.output());
        assertEquals("0", outcome.get("preForks"), outcome.output());
    }
}
