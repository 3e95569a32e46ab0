package dev.atfork.itest.support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a separate JVM running a main class did, read as the {@code key=value} lines it printed.
 *
 * @param exitCode its exit code, or -1 if it was killed for running too long
 * @param values its {@code key=value} lines (key of letters only; the last of a key wins)
 * @param output all it printed, for failure messages
 * @param millis how long it ran
 */
public record JvmRun(int exitCode, Map<String, String> values, String output, long millis) {

    /** Reads the stdout of {@code result}: with {@link JavaLauncher.Stderr#MERGED}, all the JVM printed. */
    public static JvmRun of(JavaLauncher.Result result) {
        String text = result.stdout();
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0 && line.substring(0, equals).matches("[a-zA-Z]+")) {
                values.put(line.substring(0, equals), line.substring(equals + 1).strip());
            }
        }
        return new JvmRun(result.exitCode(), values, text, result.millis());
    }

    /** Returns the value the JVM printed for {@code key}; fails if it printed none. */
    public String get(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new AssertionError("the JVM printed no " + key + "=...; it printed:\n" + output);
        }
        return value;
    }
}
