package dev.atfork.itest.jpms;

import dev.atfork.itest.support.Artifacts;
import dev.atfork.itest.support.JavaLauncher;
import dev.atfork.itest.support.TestPrograms;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The consumer program of {@code src/test/jpms/consumer}, compiled at test time against the built
 * API jar and run in a separate JVM, the one running the tests.
 */
final class ConsumerProgram {

    static final String MAIN = "dev.atfork.itest.jpms.consumer.Main";
    static final String FORK_LAUNCH = "-Djdk.lang.Process.launchMechanism=FORK";

    /** What the program printed and how it ended. */
    record Run(int exitStatus, String stdout, String stderr) {
        /** Returns the value of the line {@code key=value} it printed, or null. */
        String value(String key) {
            return stdout.lines().filter(line -> line.startsWith(key + "="))
                    .map(line -> line.substring(key.length() + 1)).findFirst().orElse(null);
        }
    }

    private ConsumerProgram() {
    }

    /**
     * Compiles the consumer into {@code out}.
     *
     * @param asModule with its module-info, against the API as a module; otherwise on the class path
     */
    static Path compile(Path out, boolean asModule) throws IOException {
        String messages = tryCompile("consumer", out, asModule);
        if (messages != null) {
            throw new IllegalStateException("the consumer did not compile: " + messages);
        }
        return out;
    }

    /**
     * Compiles one program of {@code src/test/jpms} into {@code out}.
     *
     * @param program its directory there, such as {@code "consumer"}
     * @param asModule with its module-info, against the API as a module; otherwise on the class path
     * @param options more javac options
     * @return null if it compiled, else javac's messages
     */
    static String tryCompile(String program, Path out, boolean asModule, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of(asModule ? "--module-path" : "-classpath",
                Artifacts.jar("api").toString()));
        args.addAll(List.of(options));
        return TestPrograms.tryCompile(Artifacts.directory("jpms.sources").resolve(program), out, asModule, args);
    }

    /** Joins paths with the platform's path separator. */
    static String path(Path... entries) {
        return TestPrograms.path(entries);
    }

    /** Runs {@code java} of this JDK with the arguments and waits for it, at most 60 seconds. */
    static Run java(String... args) throws IOException, InterruptedException {
        return run(JavaLauncher.command(List.of(args)));
    }

    /** Runs {@code command}, a {@code java} command line, and waits for it, at most 60 seconds. */
    static Run run(List<String> command) throws IOException, InterruptedException {
        JavaLauncher.Result result = JavaLauncher.run(command, JavaLauncher.Stderr.SEPARATE, Duration.ofSeconds(60));
        if (result.timedOut()) {
            throw new IllegalStateException("the consumer did not end: " + result.command());
        }
        return new Run(result.exitCode(), result.stdout(), result.stderr());
    }
}
