package dev.atfork.itest.jpms;

import static dev.atfork.itest.jpms.ConsumerProgram.FORK_LAUNCH;
import static dev.atfork.itest.jpms.ConsumerProgram.MAIN;
import static dev.atfork.itest.jpms.ConsumerProgram.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atfork.itest.support.Artifacts;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module-path way in: a consumer module that requires only {@code dev.atfork} finds the
 * providers as modules, with no {@code --add-opens}; a module that reaches for the providers'
 * package {@code dev.atfork.spi} neither compiles nor runs.
 */
class ModulePathWayInTest {

    private static final String NATIVE_ACCESS = "--enable-native-access=com.sun.jna,dev.atfork.posix";
    private static final String MODULE_MAIN = "consumer/" + MAIN;
    private static final String RESTRICTED_WARNING = "restricted method";

    @TempDir
    static Path dir;
    private static Path consumer;

    @BeforeAll
    static void compileConsumer() throws Exception {
        consumer = ConsumerProgram.compile(dir.resolve("consumer"), true);
    }

    private static String modulePath(String... providers) {
        Path[] entries = new Path[providers.length + 2];
        entries[0] = consumer;
        entries[1] = Artifacts.jar("api");
        for (int i = 0; i < providers.length; i++) {
            entries[i + 2] = Artifacts.jar(providers[i]);
        }
        return path(entries);
    }

    @Test
    void posixIsFoundLoadedAndRunsHooksAtFork() throws Exception {
        ConsumerProgram.Run run = ConsumerProgram.java(NATIVE_ACCESS, FORK_LAUNCH,
                "--module-path", modulePath("posix", "jna", "noop"), "-m", MODULE_MAIN);

        assertEquals(0, run.exitStatus(), run::toString);
        assertTrue(run.value("found").contains("posix"), run::toString);
        assertEquals("posix", run.value("loaded"), run::toString);
        assertEquals("", run.value("limitation"), run::toString);
        assertEquals("1", run.value("preForks"), run::toString);
        assertFalse(run.stderr().contains(RESTRICTED_WARNING), run::stderr);
        assertEquals("", run.stderr(), "nothing is reported on stderr");
    }

    @Test
    @Timeout(120)
    void withoutJdkJfrInTheRuntimeThePosixProviderForks() throws Exception {
        // As in a jlink image without jdk.jfr: the module is not even observable.
        ConsumerProgram.Run run = ConsumerProgram.java(NATIVE_ACCESS, FORK_LAUNCH,
                "--limit-modules", "consumer,dev.atfork.posix,java.logging", "--module-path", modulePath("posix", "jna"),
                "-m", MODULE_MAIN);

        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("false", run.value("jdkJfr"), run::toString);
        assertEquals("posix", run.value("loaded"), run::toString);
        assertEquals("1", run.value("preForks"), run::toString);
        assertEquals("", run.stderr(), "nothing is reported on stderr");
    }

    @Test
    @Timeout(120)
    void withAFlightRecordingTheForkIsRecordedFromTheModulePath() throws Exception {
        Path file = dir.resolve("module-path-fork.jfr");
        // -XX:StartFlightRecording resolves jdk.jfr by itself: no --add-modules is needed.
        ConsumerProgram.Run run = ConsumerProgram.java(NATIVE_ACCESS, FORK_LAUNCH,
                "-XX:StartFlightRecording:filename=" + file + ",settings=none,+dev.atfork.Fork#enabled=true",
                "--module-path", modulePath("posix", "jna"), "-m", MODULE_MAIN);

        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("true", run.value("jdkJfr"), run::toString);
        assertEquals("1", run.value("preForks"), run::toString);
        List<RecordedEvent> forks = RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().equals("dev.atfork.Fork")).toList();
        assertEquals(1, forks.size(), forks::toString);
        assertEquals(1, forks.get(0).getInt("hooksRun"), forks::toString);
    }

    @Test
    void withoutForkLaunchTheJdkSpawnsAndNoHookRuns() throws Exception {
        ConsumerProgram.Run run = ConsumerProgram.java(NATIVE_ACCESS,
                "--module-path", modulePath("posix", "jna"), "-m", MODULE_MAIN);

        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("posix", run.value("loaded"), run::toString);
        assertEquals("0", run.value("preForks"), "posix_spawn runs no atfork handlers: " + run);
    }

    @Test
    void withoutPosixLoadReturnsNoopWithItsLimitation() throws Exception {
        ConsumerProgram.Run run = ConsumerProgram.java("--module-path", modulePath("noop"), "-m", MODULE_MAIN);

        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("[noop]", run.value("found"), run::toString);
        assertEquals("noop", run.value("loaded"), run::toString);
        assertTrue(run.value("limitation").contains("no-op provider runs no fork hooks"), run::toString);
        assertTrue(run.value("limitation").contains("module dev.atfork.posix is not in the boot layer"), run::toString);
        assertEquals(null, run.value("preForks"), run::toString);
    }

    @Test
    void withoutNativeAccessTheJdkWarnsAboutJna() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "JDK 24 and later warn about JNI's restricted methods");
        ConsumerProgram.Run run = ConsumerProgram.java(FORK_LAUNCH,
                "--module-path", modulePath("posix", "jna"), "-m", MODULE_MAIN);

        assertEquals("1", run.value("preForks"), run::toString);
        assertTrue(run.stderr().contains(RESTRICTED_WARNING), "the warning the first test checks is absent: "
                + run.stderr());
    }

    @Test
    @Timeout(60)
    void aModuleThatUsesTheSpiDoesNotCompile() throws Exception {
        String messages = ConsumerProgram.tryCompile("intruder", dir.resolve("intruder"), true);

        assertNotNull(messages, "the intruder compiled against dev.atfork.spi");
        assertTrue(messages.contains("package dev.atfork.spi is not visible"), messages);
    }

    @Test
    @Timeout(60)
    void aModuleCompiledPastTheSealFailsAtRunTime() throws Exception {
        Path intruder = dir.resolve("intruder-forced");
        String messages = ConsumerProgram.tryCompile("intruder", intruder, true,
                "--add-exports", "dev.atfork/dev.atfork.spi=intruder");
        assertEquals(null, messages, "javac's --add-exports lets it compile");

        ConsumerProgram.Run run = ConsumerProgram.java("--module-path",
                path(intruder, Artifacts.jar("api"), Artifacts.jar("posix"), Artifacts.jar("jna")),
                "-m", "intruder/dev.atfork.itest.jpms.intruder.Main");

        assertEquals(1, run.exitStatus(), run::toString);
        assertEquals(null, run.value("installed"), run::toString);
        assertTrue(run.stderr().contains("java.lang.IllegalAccessError"), run::stderr);
        assertTrue(run.stderr().contains("does not export dev.atfork.spi to module intruder"), run::stderr);
    }
}
