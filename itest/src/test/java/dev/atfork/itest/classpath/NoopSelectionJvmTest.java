package dev.atfork.itest.classpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atfork.itest.support.JvmRun;
import dev.atfork.itest.support.TestBinding;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which provider {@code AtforkService.load()} picks in a fresh JVM with all jars on the class path. */
class NoopSelectionJvmTest {

    /** Leaves JNA no place to find its native library: not the system, not its jar, not a boot path. */
    private static final List<String> NO_JNA_NATIVE = List.of(
            "-Djna.nosys=true", "-Djna.noclasspath=true", "-Djna.boot.library.path=");

    /** Runs {@link LoadMain} where JNA finds no native library, with {@code binding} forced. */
    private static JvmRun loadWithoutJnaNative(String binding) throws Exception {
        List<String> options = new ArrayList<>(NO_JNA_NATIVE);
        options.add("-D" + TestBinding.PROPERTY + "=" + binding);
        return JavaProcess.run(LoadMain.class, options);
    }

    @Test
    void withJnaWorkingThePosixProviderIsPicked() throws Exception {
        JvmRun outcome = JavaProcess.run(LoadMain.class, List.of());

        assertEquals(0, outcome.exitCode(), outcome.output());
        assertEquals("posix", outcome.get("name"), outcome.output());
        assertEquals("true", outcome.get("supported"));
        assertEquals("", outcome.get("limitation"));
        assertTrue(outcome.get("jna").startsWith("loads"), outcome.output());
    }

    @Test
    void whenJnaCannotLoadItsNativeLibraryTheNoopIsPickedAndSaysWhy() throws Exception {
        JvmRun outcome = loadWithoutJnaNative("jna");

        assertEquals(0, outcome.exitCode(), outcome.output());
        assertTrue(outcome.get("jna").startsWith("fails: "), "JNA still loads: " + outcome.output());
        assertEquals("noop", outcome.get("name"), outcome.output());
        assertEquals("false", outcome.get("supported"));
        String limitation = outcome.get("limitation");
        assertTrue(limitation.contains(System.getProperty("os.name")), limitation);
        assertTrue(limitation.contains("posix: pthread_atfork cannot be bound"), limitation);
        assertTrue(limitation.contains("UnsatisfiedLinkError"), limitation);
        assertTrue(limitation.contains("JNA native support library"), limitation);
    }

    /** The FFM binding needs nothing of JNA's: JNA stays a dependency, never initialised. */
    @Test
    void onJdk22AndLaterJnaWithoutItsNativeLibraryLeavesTheFfmBindingWorking() throws Exception {
        assumeTrue(Runtime.version().feature() >= TestBinding.FFM_RELEASE, "the FFM binding needs JDK 22");
        JvmRun outcome = loadWithoutJnaNative("ffm");

        assertEquals(0, outcome.exitCode(), outcome.output());
        assertTrue(outcome.get("jna").startsWith("fails: "), "JNA still loads: " + outcome.output());
        assertEquals("posix", outcome.get("name"), outcome.output());
        assertEquals("true", outcome.get("supported"));
    }

    @Test
    void thePropertyForcesTheNoopProvider() throws Exception {
        JvmRun outcome = JavaProcess.run(LoadMain.class, List.of("-Ddev.atfork.provider=noop"));

        assertEquals(0, outcome.exitCode(), outcome.output());
        assertEquals("noop", outcome.get("name"), outcome.output());
        assertEquals("false", outcome.get("supported"));
        String limitation = outcome.get("limitation");
        assertTrue(limitation.contains(System.getProperty("os.name") + " (" + System.getProperty("os.arch") + ")"),
                limitation);
        assertTrue(outcome.get("jna").startsWith("loads"), outcome.output());
    }
}
