package dev.atfork.itest.reliability;

import static dev.atfork.itest.reliability.Reliability.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atfork.itest.support.JvmRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No method of the library is deoptimised in a forked child. A deoptimisation in a child can hang
 * it on a JVM-internal mutex (the uncommon trap takes {@code ThreadCritical}, which another thread
 * of the parent may have held at the fork), and C2 compiles a branch the parent never took as such
 * a trap: a branch only a child takes must be taken in the parent too, by the warm-up.
 *
 * <p>{@link DeoptStormMain} runs in a JVM of its own: 4 threads print to {@code System.out} while
 * the main thread forks {@link #FORKS} children, each of which prints a line through
 * {@code System.out}, with preFork, afterForkParent and afterForkChild hooks registered.
 * <ul>
 * <li>JDK 25 and later: with {@code -Xlog:deoptimization=debug:file=...:tid}. A child's only
 *     thread is the one that forked, whose thread id is the child's pid (the {@code pid}
 *     decorator would show the parent's), so a line whose tid is a child's pid is a child's;
 * <li>earlier JDKs, which have no such log tag: with {@code -XX:+PrintCompilation}, each child's
 *     fd 1 a pipe of its own, so its "made not entrant" lines are kept apart from the parent's.
 *     These name the compiled method, not the inlined one that trapped, nor the reason.
 * </ul>
 * A method of the library ({@code dev.atfork}, but for this suite's {@code dev.atfork.itest} and
 * the test jar's {@code dev.atfork.testing}) deoptimised in a child fails the test. A few children
 * deoptimise a method of the test's own on purpose, {@link DeoptStormMain#canary}, which shows that
 * the child's deoptimisations are seen at all.
 */
class ChildDeoptTest {

    private static final int FORKS = Reliability.scaled(200, 1_000);
    private static final long JVM_TIMEOUT_SECONDS = Reliability.scaled(60, 240);
    private static final Pattern LOG_LINE = Pattern.compile("^\\[(\\d+)\\]\\s*(.*)$");
    private static final Pattern CHILD_OUT = Pattern.compile("^childOut (\\d+) (.*)$");

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void noLibraryMethodIsDeoptimisedInAChild(@TempDir Path dir) throws Exception {
        boolean unifiedLog = Runtime.version().feature() >= 25;
        Path log = dir.resolve("deopt.log");
        List<String> options = unifiedLog
                ? List.of("-Xlog:deoptimization=debug:file=" + log + ":tid")
                : List.of("-XX:+PrintCompilation");
        JvmRun run = unifiedLog
                ? Reliability.runJvm(DeoptStormMain.class, options, JVM_TIMEOUT_SECONDS, Integer.toString(FORKS))
                : Reliability.runJvm(DeoptStormMain.class, options, JVM_TIMEOUT_SECONDS, Integer.toString(FORKS),
                        "capture");
        assertEquals(0, run.exitCode(), () -> "the storm JVM failed or was killed after " + run.millis() + " ms:\n"
                + tail(run.output()));
        assertEquals("posix", run.get("name"));
        Set<String> pids = Set.of(run.get("childPids").split(","));

        // A child's deoptimisations, each as "<pid> <what the JVM printed>".
        List<String> childLines = new ArrayList<>();
        if (unifiedLog) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = LOG_LINE.matcher(line);
                if (m.matches() && pids.contains(m.group(1))) {
                    childLines.add(m.group(1) + " " + m.group(2).replaceAll(" pc=.*", ""));
                }
            }
        } else {
            for (String line : run.output().split("\n")) {
                Matcher m = CHILD_OUT.matcher(line);
                if (m.matches() && pids.contains(m.group(1)) && m.group(2).contains("made not entrant")) {
                    childLines.add(m.group(1) + " " + m.group(2).strip().replaceAll("\\s+", " "));
                }
            }
        }
        List<String> library = childLines.stream().filter(ChildDeoptTest::namesTheLibrary).toList();
        List<String> canary = childLines.stream().filter(l -> l.contains("DeoptStormMain") && l.contains("canary"))
                .toList();
        Map<String, Long> byMethod = library.stream()
                .collect(Collectors.groupingBy(l -> l.substring(l.indexOf(' ') + 1).replaceAll("cid=\\s*\\d+\\s+", "")
                        .replaceAll("^\\d+\\s+\\d+\\s+", ""), LinkedHashMap::new, Collectors.counting()));
        report("child deopt (%s): %s; %d children, %d child-side deoptimisation lines, %d of the library's,"
                        + " %d of the canary (%s children); %s", unifiedLog ? "-Xlog:deoptimization, tid" :
                        "PrintCompilation, child fd 1", run.get("tally"), pids.size(), childLines.size(), library.size(),
                canary.size(), run.get("canaryChildren"), byMethod);

        assertTrue(pids.size() >= FORKS - Math.max(5, FORKS / 20), () -> "too few children reported their pid: "
                + pids.size() + "; " + run.get("tally") + " " + run.get("notes"));
        assertTrue(Integer.parseInt(run.get("childHooks")) >= pids.size() - Math.max(5, FORKS / 20),
                () -> "the afterForkChild hook ran in only " + run.get("childHooks") + " children");
        assertTrue(!canary.isEmpty(), () -> "no child's deoptimisation of the canary was seen, so this test shows "
                + "nothing; child lines: " + childLines);
        assertTrue(library.isEmpty(), () -> library.size() + " deoptimisations of the library's methods in children: "
                + byMethod + "; first: " + library.subList(0, Math.min(5, library.size())));
    }

    /** Names a class of the library: {@code dev.atfork...}, but not the suite's nor the test jar's. */
    private static boolean namesTheLibrary(String line) {
        String scrubbed = line.replace("dev.atfork.itest.", "").replace("dev.atfork.testing.", "");
        return scrubbed.contains("dev.atfork.") || scrubbed.contains("dev/atfork/");
    }

    private static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }
}
