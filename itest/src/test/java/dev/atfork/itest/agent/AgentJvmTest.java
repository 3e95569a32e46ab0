package dev.atfork.itest.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atfork.itest.support.AgentPrograms;
import dev.atfork.itest.support.Artifacts;
import dev.atfork.itest.support.JavaLauncher;
import dev.atfork.itest.support.JvmRun;
import dev.atfork.itest.support.TestBinding;
import dev.atfork.itest.support.TestPrograms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The java agent, {@code -javaagent:atfork-agent.jar}, in separate JVMs running programs of this
 * class path that know nothing of atfork (no atfork jar on their class path): it registers before
 * {@code main}, silently; applies its options; refuses a bad one with one stderr line; leaves
 * {@code java.util.logging} to the program where the binding allows; and a second copy of atfork
 * in the program stays idle.
 */
@Timeout(120)
class AgentJvmTest {

    private static final String FORK_SAFE = "dev.atfork.posix.ForkSafePrintStream";
    private static final String PLAIN = "java.io.PrintStream";
    private static final String OFF = "atfork agent: fork protection is off: ";

    /** Runs {@code mainClass} of this class path's test classes (no atfork) with {@code jvmOptions}. */
    private static JavaLauncher.Result run(Class<?> mainClass, List<String> jvmOptions, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(jvmOptions);
        command.add("-cp");
        command.add(TestPrograms.path(Artifacts.directory("test.classes"), Artifacts.jar("testing"), Artifacts.jar("jna")));
        command.add(mainClass.getName());
        Collections.addAll(command, args);
        JavaLauncher.Result result = JavaLauncher.run(JavaLauncher.command(command), JavaLauncher.Stderr.SEPARATE,
                Duration.ofSeconds(60));
        assertFalse(result.timedOut(), () -> "the JVM did not end: " + result);
        return result;
    }

    private static List<String> stderrLines(JavaLauncher.Result result) {
        return result.stderr().lines().toList();
    }

    @Test
    void theJarIsMultiReleaseWithBothBindingsAndNoModuleDescriptorNorSignature() throws Exception {
        try (JarFile jar = new JarFile(Artifacts.jar("agent").toFile())) {
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertEquals("dev.atfork.agent.AtforkAgent", manifest.getValue("Premain-Class"));
            assertEquals("true", manifest.getValue("Multi-Release"));
            assertNotNull(jar.getEntry("META-INF/versions/22/dev/atfork/posix/ffm/FfmLibc.class"), "the FFM binding");
            assertNotNull(jar.getEntry("dev/atfork/posix/jna/JnaLibc.class"), "the JNA binding");
            assertNotNull(jar.getEntry("com/sun/jna/Native.class"), "JNA, not relocated");
            assertNotNull(jar.getEntry("com/sun/jna/linux-x86-64/libjnidispatch.so"), "JNA's native library");
            List<String> unwanted = jar.stream().map(JarEntry::getName)
                    .filter(name -> name.endsWith("module-info.class") || name.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"))
                    .toList();
            assertEquals(List.of(), unwanted);
            String services = new String(jar.getInputStream(jar.getEntry("META-INF/services/dev.atfork.AtforkService"))
                    .readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(services.contains("dev.atfork.posix.PosixAtforkService"), services);
        }
    }

    @Test
    void theAgentRegistersBeforeMainSilentlyAndAppliesItsOptions() throws Exception {
        JavaLauncher.Result bare = run(ProbeMain.class, List.of(JavaLauncher.NATIVE_ACCESS));
        JavaLauncher.Result result = run(ProbeMain.class, List.of(JavaLauncher.NATIVE_ACCESS,
                AgentPrograms.javaagent("prepareTimeoutMillis=250,quiet")));
        JvmRun probe = JvmRun.of(result);

        assertEquals(PLAIN, JvmRun.of(bare).get("out"), "the control: without the agent, the JDK's stream");
        assertEquals(0, probe.exitCode(), result.toString());
        assertEquals(FORK_SAFE, probe.get("out"), result.toString());
        assertEquals("250", probe.get("timeout"));
        assertEquals("false", probe.get("report"));
        assertTrue(probe.get("owner").contains("atfork-agent"), "the agent's copy owns the handlers: " + probe.output());
        assertEquals("", result.stderr(), "silent when it works");
    }

    @Test
    void aBadOptionGivesOneStderrLineAndTheProgramRunsUnprotected() throws Exception {
        JavaLauncher.Result result = run(ProbeMain.class, List.of(JavaLauncher.NATIVE_ACCESS,
                AgentPrograms.javaagent("quiet,loud")));
        JvmRun probe = JvmRun.of(result);

        assertEquals(0, probe.exitCode(), result.toString());
        assertEquals(PLAIN, probe.get("out"));
        assertEquals("null", probe.get("report"), "no option is applied: " + probe.output());
        List<String> lines = stderrLines(result);
        assertEquals(1, lines.size(), result.stderr());
        assertTrue(lines.get(0).startsWith(OFF + "unknown option 'loud'"), lines.get(0));
        assertTrue(lines.get(0).contains("prepareTimeoutMillis=N") && lines.get(0).contains("quiet"),
                "names the valid options: " + lines.get(0));
    }

    @Test
    void anOptionThatContradictsItsSystemPropertyIsRefusedByName() throws Exception {
        JavaLauncher.Result result = run(ProbeMain.class, List.of(JavaLauncher.NATIVE_ACCESS,
                "-Ddev.atfork.prepareTimeoutMillis=100", AgentPrograms.javaagent("prepareTimeoutMillis=50")));
        JvmRun probe = JvmRun.of(result);

        assertEquals(0, probe.exitCode(), result.toString());
        assertEquals(PLAIN, probe.get("out"));
        assertEquals("100", probe.get("timeout"));
        assertEquals(List.of(OFF + "option 'prepareTimeoutMillis=50' differs from -Ddev.atfork.prepareTimeoutMillis=100;"
                + " give one of them, or the same value (" + "valid options: prepareTimeoutMillis=N (whole milliseconds"
                + " >= 0), quiet (no forced-release report), comma separated)"), stderrLines(result));
    }

    @Test
    void whereNoProviderWorksOneLineSaysWhyAndTheProgramRuns() throws Exception {
        JavaLauncher.Result result = run(ProbeMain.class, List.of(JavaLauncher.NATIVE_ACCESS,
                "-Ddev.atfork.provider=noop", AgentPrograms.javaagent("")));

        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(PLAIN, JvmRun.of(result).get("out"));
        List<String> lines = stderrLines(result);
        assertEquals(1, lines.size(), result.stderr());
        assertTrue(lines.get(0).startsWith(OFF) && lines.get(0).contains("dev.atfork.provider=noop names no provider"),
                lines.get(0));
    }

    /**
     * JDK 24 and later warn when code of the class path uses native access, here the agent's:
     * the JVM's own warning, protection on; where native access is denied, the agent's one line,
     * naming the flag.
     */
    @Test
    void withoutNativeAccessJdk24WarnsAndDenialLeavesOneLineNamingTheFlag() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "JDK 24 and later restrict native access");
        JavaLauncher.Result warned = run(ProbeMain.class, List.of(AgentPrograms.javaagent("")));
        JavaLauncher.Result denied = run(ProbeMain.class, List.of("--illegal-native-access=deny",
                AgentPrograms.javaagent("")));
        System.err.println("agent: without --enable-native-access (" + TestBinding.expected() + "):\n"
                + warned.stderr() + "agent: with --illegal-native-access=deny:\n" + denied.stderr());

        assertEquals(FORK_SAFE, JvmRun.of(warned).get("out"), warned.toString());
        assertTrue(warned.stderr().contains("WARNING: A restricted method"), warned.stderr());
        assertTrue(warned.stderr().contains("--enable-native-access=ALL-UNNAMED"), warned.stderr());
        assertFalse(warned.stderr().contains("atfork agent:"), warned.stderr());

        assertEquals(PLAIN, JvmRun.of(denied).get("out"), denied.toString());
        List<String> lines = stderrLines(denied);
        assertEquals(1, lines.size(), denied.stderr());
        assertTrue(lines.get(0).startsWith(OFF) && lines.get(0).contains("pass --enable-native-access=ALL-UNNAMED"),
                lines.get(0));
    }

    /**
     * Through the FFM binding the agent initialises no logging: the program's own JUL manager,
     * set in {@code main}, is taken. Through the JNA binding, JNA's classes hold static
     * {@code java.util.logging} loggers, so JUL is initialised in {@code premain} and the
     * program's manager is ignored, unless given on the command line.
     */
    @Test
    void theProgramsOwnJulManagerIsTakenExceptWhereJnaIsInitialisedBeforeMain() throws Exception {
        String manager = JulMain.Manager.class.getName();
        String jdks = "java.util.logging.LogManager";
        JvmRun bare = JvmRun.of(run(JulMain.class, List.of(JavaLauncher.NATIVE_ACCESS)));
        JvmRun early = JvmRun.of(run(JulMain.class, List.of(JavaLauncher.NATIVE_ACCESS), "early"));
        JvmRun agent = JvmRun.of(run(JulMain.class, List.of(JavaLauncher.NATIVE_ACCESS, AgentPrograms.javaagent(""))));
        JvmRun onCommandLine = JvmRun.of(run(JulMain.class, List.of(JavaLauncher.NATIVE_ACCESS,
                "-Djava.util.logging.manager=" + manager, AgentPrograms.javaagent(""))));
        System.err.println("agent: JUL manager with the " + TestBinding.expected() + " binding: " + agent.get("manager")
                + "; without the agent " + bare.get("manager") + "; JUL initialised first " + early.get("manager")
                + "; -Djava.util.logging.manager with the agent " + onCommandLine.get("manager"));

        assertEquals(manager, bare.get("manager"), "the control: the program's manager, without the agent");
        assertEquals(jdks, early.get("manager"), "the control: JUL initialised before the property, the JDK's");
        assertEquals(FORK_SAFE, agent.get("out"));
        assertEquals(TestBinding.expected().equals("jna") ? jdks : manager, agent.get("manager"), agent.output());
        assertEquals(manager, onCommandLine.get("manager"), "the workaround: the property on the command line");
        assertEquals(FORK_SAFE, onCommandLine.get("out"));
    }

    @Test
    void aSecondCopyOfAtforkStaysIdleNamingTheOwnerAndForksStillWork() throws Exception {
        JavaLauncher.Result result = run(SecondCopyMain.class, List.of(JavaLauncher.NATIVE_ACCESS,
                AgentPrograms.javaagent("")), Artifacts.jar("api").toString(), Artifacts.jar("posix").toString(),
                Artifacts.jar("jna").toString());
        JvmRun copy = JvmRun.of(result);
        String owner = copy.get("owner");

        assertEquals(0, copy.exitCode(), result.toString());
        assertEquals("", result.stderr(), "nothing on stderr");
        assertTrue(owner.contains("atfork-agent") && owner.contains("AppClassLoader"), owner);
        assertEquals(FORK_SAFE, copy.get("out"));
        assertEquals("noop", copy.get("copyName"), "load() in the copy picks the no-op: " + copy.output());
        assertEquals("false", copy.get("copySupported"));
        assertTrue(copy.get("copyLimitation").contains("posix: another copy of atfork handles this process's forks: "
                + owner), copy.get("copyLimitation"));
        assertEquals("false", copy.get("posixSupported"));
        assertTrue(copy.get("posixLimitation").startsWith("another copy of atfork handles this process's forks: "
                + owner), copy.get("posixLimitation"));
        assertTrue(copy.get("posixLimitation").contains("second-copy"), "names the idle copy too: " + copy.output());
        assertTrue(copy.get("posixRegister").startsWith("java.lang.IllegalStateException: another copy of atfork"),
                copy.get("posixRegister"));
        assertEquals("true", copy.get("sameOut"), "System.out is not wrapped twice");
        assertEquals("system", copy.get("outLoader"), "System.out is the first copy's fork-safe stream");
        assertEquals("0", copy.get("childExit"), copy.output());
        assertEquals("child line through System.out", copy.get("childOut"));
    }
}
