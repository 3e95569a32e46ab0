package dev.atfork.itest.jpms;

import static dev.atfork.itest.jpms.ConsumerProgram.FORK_LAUNCH;
import static dev.atfork.itest.jpms.ConsumerProgram.MAIN;
import static dev.atfork.itest.jpms.ConsumerProgram.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.itest.support.Artifacts;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The class-path way in: the same consumer, with every jar on a plain class path. */
class ClassPathWayInTest {

    @Test
    void serviceLoaderListsBothProvidersAndLoadPicksPosix(@TempDir Path dir) throws Exception {
        Path consumer = ConsumerProgram.compile(dir.resolve("consumer"), false);
        String classPath = path(consumer, Artifacts.jar("api"), Artifacts.jar("noop"), Artifacts.jar("posix"),
                Artifacts.jar("jna"));

        ConsumerProgram.Run run = ConsumerProgram.java("--enable-native-access=ALL-UNNAMED", FORK_LAUNCH,
                "-cp", classPath, MAIN);

        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("[noop, posix]", run.value("found"), run::toString);
        assertEquals("posix", run.value("loaded"), run::toString);
        assertEquals("1", run.value("preForks"), run::toString);
        assertEquals("", run.stderr(), run::toString);
    }

    @Test
    @Timeout(60)
    void withoutPosixTheLimitationNamesTheArtifactAndNoModule(@TempDir Path dir) throws Exception {
        Path consumer = ConsumerProgram.compile(dir.resolve("consumer"), false);

        ConsumerProgram.Run run = ConsumerProgram.java("-cp",
                path(consumer, Artifacts.jar("api"), Artifacts.jar("noop")), MAIN);

        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("noop", run.value("loaded"), run::toString);
        assertTrue(run.value("limitation").contains("use dev.atfork:atfork-posix"), run::toString);
        assertFalse(run.value("limitation").contains("module"), "the API is in no named module here: " + run);
    }
}
