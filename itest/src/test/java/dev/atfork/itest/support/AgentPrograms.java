package dev.atfork.itest.support;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs programs under the atfork agent ({@code -javaagent:} the built agent jar), bounded, with
 * stdout sent to /dev/null by the shell that starts the JVM and stderr collected: such programs
 * report on stderr, and their printing threads and children may flood stdout.
 */
public final class AgentPrograms {

    private AgentPrograms() {
    }

    /**
     * The JVM options that load the agent jar with {@code options}.
     *
     * @param options what follows {@code =}, or {@code ""} for none
     */
    public static String javaagent(String options) {
        return "-javaagent:" + Artifacts.jar("agent") + (options.isEmpty() ? "" : "=" + options);
    }

    /**
     * Runs {@code java} with {@code javaArgs} (see {@link JavaLauncher#command}), its fd 1 on
     * /dev/null, and returns what it wrote to stderr as a {@link JvmRun}.
     *
     * @param timeout after which the JVM is killed
     */
    public static JvmRun run(List<String> javaArgs, Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$@\" >/dev/null", "sh"));
        command.addAll(JavaLauncher.command(javaArgs));
        // MERGED: stderr goes to the stdout pipe; the shell then points fd 1 alone at /dev/null.
        JavaLauncher.Result result = JavaLauncher.run(command, JavaLauncher.Stderr.MERGED, timeout);
        if (result.timedOut()) {
            throw new AssertionError("the JVM did not end in " + timeout + ": " + result.command() + "\n"
                    + result.stdout());
        }
        return JvmRun.of(result);
    }
}
