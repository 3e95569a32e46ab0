package dev.atfork.itest.jpms;

import static dev.atfork.itest.jpms.ConsumerProgram.FORK_LAUNCH;
import static dev.atfork.itest.jpms.ConsumerProgram.MAIN;
import static dev.atfork.itest.jpms.ConsumerProgram.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atfork.itest.support.Artifacts;
import dev.atfork.itest.support.JavaLauncher;
import dev.atfork.itest.support.TestBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code jlink} image of the built modules, made by the jlink of the JDK running the tests
 * (from its {@code jmods}, or from its run-time image where the JDK has none, JEP 493) under
 * {@code target/jlink}: with {@code --add-modules dev.atfork.posix} the consumer forks in the image
 * with the POSIX provider; without it the image has the no-op provider only, whose limitation says
 * what to add. JNA is linked as {@code jna-jpms}: the {@code jna} jar is an automatic module.
 */
@Timeout(300)
class JlinkImageTest {

    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    private static final String JLINK = JAVA_HOME.resolve("bin").resolve("jlink").toString();
    private static final String RUNTIME_LINKING = "Linking from run-time image enabled";
    /** As the README gives it: grants both bindings' modules, the FFM one's and JNA's. */
    private static final String NATIVE_ACCESS = "--add-options=--enable-native-access=dev.atfork.posix,com.sun.jna";
    private static final Duration JLINK_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;
    private static Path consumer;
    private static Path images;

    @BeforeAll
    static void compileConsumerOnALinkableJdk() throws Exception {
        assumeLinkable();
        consumer = ConsumerProgram.compile(dir.resolve("consumer"), true);
        images = Artifacts.directory("target").resolve("jlink");
    }

    /** JDK builds without {@code jmods} link only if built with {@code --enable-linkable-runtime}. */
    private static void assumeLinkable() throws Exception {
        if (Files.isDirectory(JAVA_HOME.resolve("jmods"))) {
            return;
        }
        JavaLauncher.Result help = JavaLauncher.run(List.of(JLINK, "--help"), JavaLauncher.Stderr.MERGED,
                JLINK_TIMEOUT);
        assumeTrue(help.stdout().contains(RUNTIME_LINKING), "the JDK at " + JAVA_HOME + " has no jmods directory"
                + " and its jlink --help does not say '" + RUNTIME_LINKING + "' (JEP 493): it cannot link");
    }

    @Test
    void withThePosixModuleTheImageForksWithTheExpectedBinding() throws Exception {
        Path image = link("posix", "consumer,dev.atfork.posix");

        ConsumerProgram.Run run = runImage(image);

        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("[posix]", run.value("found"), run::toString);
        assertEquals("posix", run.value("loaded"), run::toString);
        assertTrue(run.value("provider").contains("binding=" + TestBinding.expected()), run::toString);
        assertEquals("1", run.value("preForks"), "the JDK's fork ran the hook: " + run);
        assertEquals("child ran", run.value("child"), run::toString);
        assertEquals("0", run.value("childExit"), run::toString);
        assertEquals(String.valueOf(TestBinding.expected().equals("jna")), run.value("jnaNativeLoaded"),
                run::toString);
        assertEquals("", run.stderr(), "no native-access warning, nothing else: " + run);
        String modules = Files.readString(image.resolve("release"));
        assertTrue(modules.contains("com.sun.jna"), modules);
        assertFalse(modules.contains("dev.atfork.noop"), modules);
    }

    @Test
    void withOnlyTheConsumerTheImageHasTheNoopThatSaysWhatToAdd() throws Exception {
        Path image = link("consumer-only", "consumer");

        ConsumerProgram.Run run = runImage(image);

        assertEquals(0, run.exitStatus(), run::toString);
        assertEquals("[]", run.value("found"), "jlink links no service provider unless asked: " + run);
        assertEquals("noop", run.value("loaded"), run::toString);
        assertTrue(run.value("limitation").contains("module dev.atfork.posix is not in the boot layer"),
                run::toString);
        assertTrue(run.value("limitation").contains("--add-modules dev.atfork.posix"), run::toString);
        assertEquals(null, run.value("preForks"), run::toString);
    }

    @Test
    void theJnaJarIsRefusedAsAnAutomaticModule() throws Exception {
        JavaLauncher.Result result = jlink(images.resolve("automatic-jna"), "consumer,dev.atfork.posix",
                Artifacts.jar("jna"));

        assertNotEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdout().contains("automatic module cannot be used with jlink: com.sun.jna"),
                result::stdout);
    }

    @Test
    void jnaJpmsNextToJnaInOneDirectoryIsTwoModulesNamedComSunJna() throws Exception {
        Path libs = Files.createDirectories(dir.resolve("libs"));
        Files.copy(Artifacts.jar("jna"), libs.resolve("jna.jar"));
        Files.copy(Artifacts.jar("jnajpms"), libs.resolve("jna-jpms.jar"));

        ConsumerProgram.Run run = ConsumerProgram.java("--module-path",
                path(consumer, Artifacts.jar("api"), Artifacts.jar("posix"), libs), "-m", "consumer/" + MAIN);

        assertEquals(1, run.exitStatus(), run::toString);
        assertTrue(run.stdout().contains("Two versions of module com.sun.jna found in " + libs), "the JVM prints"
                + " boot layer errors on stdout: " + run);
    }

    /** Links the consumer, the API, the POSIX provider and jna-jpms into {@code target/jlink/<name>}. */
    private static Path link(String name, String rootModules) throws Exception {
        Path image = images.resolve(name);
        JavaLauncher.Result result = jlink(image, rootModules, Artifacts.jar("jnajpms"));
        assertEquals(0, result.exitCode(), result::toString);
        return image;
    }

    private static JavaLauncher.Result jlink(Path image, String rootModules, Path jna) throws Exception {
        delete(image);
        Files.createDirectories(image.getParent());
        List<String> command = new ArrayList<>(List.of(JLINK,
                "--module-path", path(consumer, Artifacts.jar("api"), Artifacts.jar("posix"), jna),
                "--add-modules", rootModules,
                "--strip-debug", "--no-header-files", "--no-man-pages",
                "--output", image.toString()));
        if (Runtime.version().feature() >= TestBinding.FFM_RELEASE) {
            command.add(NATIVE_ACCESS);
        }
        JavaLauncher.Result result = JavaLauncher.run(command, JavaLauncher.Stderr.MERGED, JLINK_TIMEOUT);
        assertFalse(result.timedOut(), result::toString);
        return result;
    }

    /** Runs the consumer with the image's own {@code java}, forcing the test's binding if one is. */
    private static ConsumerProgram.Run runImage(Path image) throws Exception {
        return ConsumerProgram.run(JavaLauncher.command(image, List.of(FORK_LAUNCH, "-m", "consumer/" + MAIN)));
    }

    private static void delete(Path tree) throws IOException {
        if (!Files.exists(tree)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
