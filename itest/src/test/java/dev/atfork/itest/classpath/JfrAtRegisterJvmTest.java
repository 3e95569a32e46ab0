package dev.atfork.itest.classpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.itest.support.JvmRun;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fork event is registered with JFR only once something else sets JFR up: registering it
 * sets JFR's event metadata up, which costs a JVM that never records about 7 MB resident. In a
 * fresh JVM whose class loading is logged: JFR's metadata repository must not be loaded.
 */
@Timeout(300)
class JfrAtRegisterJvmTest {

    @Test
    void registerSetsNoJfrMetadataUp() throws Exception {
        JvmRun outcome = JavaProcess.run(LoadMain.class, List.of("-Xlog:class+load=info"), "register");

        assertEquals("ok", outcome.get("register"), outcome.output());
        assertTrue(outcome.output().contains("jdk.jfr.FlightRecorder "), "the log shows JFR's classes loaded");
        assertFalse(outcome.output().contains("jdk.jfr.internal.MetadataRepository "),
                "register() set JFR's metadata up");
    }
}
