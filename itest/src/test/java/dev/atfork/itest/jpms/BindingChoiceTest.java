package dev.atfork.itest.jpms;

import static dev.atfork.itest.jpms.ConsumerProgram.MAIN;
import static dev.atfork.itest.jpms.ConsumerProgram.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atfork.itest.support.Artifacts;
import dev.atfork.itest.support.TestBinding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which binding the POSIX provider takes, on the class path and the module path, and what it says
 * where it can't bind: FFM on JDK 22 and later, without loading JNA's native library; JNA before;
 * the one {@code -Ddev.atfork.binding} forces, or none at all, never the other.
 */
@Timeout(300)
class BindingChoiceTest {

    private static final int FFM_RELEASE = TestBinding.FFM_RELEASE;
    private static final int JDK = Runtime.version().feature();

    @TempDir
    static Path dir;
    private static Path classPathConsumer;
    private static Path moduleConsumer;

    @BeforeAll
    static void compileConsumers() throws Exception {
        classPathConsumer = ConsumerProgram.compile(dir.resolve("class-path"), false);
        moduleConsumer = ConsumerProgram.compile(dir.resolve("module"), true);
    }

    @Test
    void theDefaultBindingIsNamedOnTheClassPath() throws Exception {
        assertBound(onClassPath("--enable-native-access=ALL-UNNAMED"), TestBinding.expected());
    }

    @Test
    void theDefaultBindingIsNamedOnTheModulePath() throws Exception {
        assertBound(onModulePath("--enable-native-access=com.sun.jna,dev.atfork.posix"), TestBinding.expected());
    }

    @Test
    void jnaCanBeForcedOnEveryJdk() throws Exception {
        assertBound(onClassPath("--enable-native-access=ALL-UNNAMED", "-Ddev.atfork.binding=jna"), "jna");
    }

    @Test
    void ffmIsTakenWhereForcedOrSaysWhichJdkItNeeds() throws Exception {
        ConsumerProgram.Run run = onClassPath("--enable-native-access=ALL-UNNAMED", "-Ddev.atfork.binding=ffm");
        if (JDK >= FFM_RELEASE) {
            assertBound(run, "ffm");
        } else {
            assertUnsupported(run, "dev.atfork.binding=ffm needs JDK 22 or later; this is JDK " + JDK);
        }
    }

    @Test
    void anUnknownBindingIsNamedInTheLimitation() throws Exception {
        assertUnsupported(onClassPath("--enable-native-access=ALL-UNNAMED", "-Ddev.atfork.binding=jni"),
                "system property dev.atfork.binding must be jna or ffm, not 'jni'");
    }

    @Test
    void deniedNativeAccessNamesTheFlagOnTheClassPath() throws Exception {
        assumeTrue(JDK >= 24, "--illegal-native-access exists from JDK 24");
        assertUnsupported(onClassPath("--illegal-native-access=deny"), "pass --enable-native-access=ALL-UNNAMED");
    }

    @Test
    void deniedNativeAccessNamesTheFlagOnTheModulePath() throws Exception {
        assumeTrue(JDK >= 24, "--illegal-native-access exists from JDK 24");
        String grantee = TestBinding.expected().equals("ffm") ? "dev.atfork.posix" : "com.sun.jna";
        ConsumerProgram.Run run = onModulePath("--illegal-native-access=deny");
        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("noop", run.value("loaded"), run::toString);
        assertTrue(run.value("limitation").contains(grantee), run::toString);
    }

    private static void assertBound(ConsumerProgram.Run run, String binding) {
        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("posix", run.value("loaded"), run::toString);
        assertEquals("1", run.value("preForks"), run::toString);
        assertTrue(run.value("provider").contains("binding=" + binding), run::toString);
        assertEquals(String.valueOf(binding.equals("jna")), run.value("jnaNativeLoaded"),
                "JNA's native library is loaded only by the JNA binding: " + run);
        assertEquals("", run.stderr(), run::toString);
    }

    private static void assertUnsupported(ConsumerProgram.Run run, String reason) {
        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("noop", run.value("loaded"), run::toString);
        assertTrue(run.value("limitation").contains(reason), run::toString);
    }

    private static ConsumerProgram.Run onClassPath(String... jvmOptions) throws Exception {
        return run(jvmOptions, "-cp", path(classPathConsumer, Artifacts.jar("api"), Artifacts.jar("noop"),
                Artifacts.jar("posix"), Artifacts.jar("jna")), MAIN);
    }

    private static ConsumerProgram.Run onModulePath(String... jvmOptions) throws Exception {
        return run(jvmOptions, "--module-path", path(moduleConsumer, Artifacts.jar("api"), Artifacts.jar("noop"),
                Artifacts.jar("posix"), Artifacts.jar("jna")), "-m", "consumer/" + MAIN);
    }

    private static ConsumerProgram.Run run(String[] jvmOptions, String... launch) throws Exception {
        List<String> args = new ArrayList<>(List.of(jvmOptions));
        args.add(ConsumerProgram.FORK_LAUNCH);
        args.addAll(List.of(launch));
        return ConsumerProgram.java(args.toArray(String[]::new));
    }
}
