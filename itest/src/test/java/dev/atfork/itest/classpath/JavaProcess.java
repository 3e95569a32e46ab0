package dev.atfork.itest.classpath;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a main class of this test class path in a new JVM and collects its {@code key=value} lines. */
final class JavaProcess {

    private JavaProcess() {
    }

    /**
     * What the JVM did.
     *
     * @param exitCode its exit code
     * @param values the {@code key=value} lines it printed on stdout
     * @param output all of stdout and stderr, for failure messages
     */
    record Outcome(int exitCode, Map<String, String> values, String output) {
        String get(String key) {
            String value = values.get(key);
            if (value == null) {
                throw new AssertionError("the JVM printed no " + key + "=...; it printed:\n" + output);
            }
            return value;
        }
    }

    /** Runs {@code mainClass} with the JVM options given, at most two minutes. */
    static Outcome run(Class<?> mainClass, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] bytes = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the JVM did not end in time: " + command);
        }
        String output = new String(bytes, StandardCharsets.UTF_8);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0 && line.substring(0, equals).matches("[a-zA-Z]+")) {
                values.put(line.substring(0, equals), line.substring(equals + 1).strip());
            }
        }
        return new Outcome(process.exitValue(), values, output);
    }
}
