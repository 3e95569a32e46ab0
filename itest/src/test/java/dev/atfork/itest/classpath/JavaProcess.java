package dev.atfork.itest.classpath;

import dev.atfork.itest.support.JavaLauncher;
import dev.atfork.itest.support.JvmRun;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Runs a main class of this test class path in a new JVM and collects its {@code key=value} lines. */
final class JavaProcess {

    private JavaProcess() {
    }

    /** Runs {@code mainClass} with the JVM options given, at most two minutes; fails if it takes longer. */
    static JvmRun run(Class<?> mainClass, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        JavaLauncher.Result result = JavaLauncher.run(JavaLauncher.classPathMain(mainClass, jvmOptions, List.of(args)),
                JavaLauncher.Stderr.MERGED, Duration.ofMinutes(2));
        if (result.timedOut()) {
            throw new AssertionError("the JVM did not end in time: " + result.command());
        }
        return JvmRun.of(result);
    }
}
