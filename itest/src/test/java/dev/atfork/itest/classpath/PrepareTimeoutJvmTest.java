package dev.atfork.itest.classpath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atfork.itest.support.JvmRun;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code -Ddev.atfork.prepareTimeoutMillis}, read once per process at the first {@code register()}:
 * in a fresh JVM each, since no later value counts.
 */
@Timeout(300)
class PrepareTimeoutJvmTest {

    private static JvmRun registerWith(String value) throws Exception {
        return JavaProcess.run(LoadMain.class, List.of("-Ddev.atfork.prepareTimeoutMillis=" + value), "register");
    }

    @Test
    void aBadValueIsRefusedNamingThePropertyAndTheValue() throws Exception {
        JvmRun outcome = registerWith("soon");

        assertEquals(0, outcome.exitCode(), outcome.output());
        assertEquals("fails: java.lang.IllegalArgumentException: system property dev.atfork.prepareTimeoutMillis"
                + " must be a whole number of milliseconds >= 0, not 'soon'", outcome.get("register"), outcome.output());
    }

    @Test
    void aNegativeValueIsRefusedToo() throws Exception {
        assertEquals("fails: java.lang.IllegalArgumentException: system property dev.atfork.prepareTimeoutMillis"
                + " must be a whole number of milliseconds >= 0, not '-1'", registerWith("-1").get("register"));
    }

    @Test
    void aWholeNumberOfMillisecondsIsTaken() throws Exception {
        JvmRun outcome = registerWith(" 250 ");

        assertEquals("ok", outcome.get("register"), outcome.output());
    }
}
